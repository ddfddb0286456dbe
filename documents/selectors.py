"""Read-side helpers shared by views and the API: what a person may see, and the choices offered."""

from django.db.models import Q

from oa import permissions as perms
from oa.core.errors import NotFoundError
from oa.org.models import Unit

from .models import Document


def visible_documents(user):
    """Drafts of the user's own unit (the same rule as ``documents.view_document``)."""
    if not getattr(user, "is_authenticated", False) or not user.unit_id or not user.is_active:
        return Document.objects.none()
    return Document.objects.filter(owner_unit_id=user.unit_id)


def get_document(user, pk, perm: str = "documents.view_document") -> Document:
    """The document if ``user`` may see it; ``NotFoundError`` (404) otherwise — whether it does not exist
    or belongs to another unit is not revealed. A visible document the user may not ``perm`` is a 403."""
    try:
        document = Document.objects.select_related("owner_unit", "drafter").get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("没有找到该公文。") from None
    if not perms.can(user, "documents.view_document", document):
        raise NotFoundError("没有找到该公文。")
    if perm != "documents.view_document":
        perms.require(user, perm, document, "您没有执行该操作的权限。")
    return document


def get_readable_document(user, pk) -> Document:
    """The document if ``user`` may read its text (``documents.read_document``: its unit, and everyone who may
    see its flow, e.g. a co-issuing unit's leader at 会签); ``NotFoundError`` (404) otherwise."""
    try:
        document = Document.objects.select_related("owner_unit", "drafter").get(pk=pk)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise NotFoundError("没有找到该公文。") from None
    if not perms.can(user, "documents.read_document", document):
        raise NotFoundError("没有找到该公文。")
    return document


def issuer_candidates(unit: Unit | None):
    """Units that may issue jointly with ``unit``: itself and active units of the same level next to it
    (its parent, its siblings, its children) — 联合行文 is only between units of the same level."""
    if unit is None:
        return Unit.objects.none()
    near = Q(pk=unit.pk) | Q(parent_id=unit.pk)
    if unit.parent_id:
        near |= Q(pk=unit.parent_id) | Q(parent_id=unit.parent_id)
    return Unit.objects.filter(near, level=unit.level, is_active=True).order_by("path")


def recipient_candidates(unit: Unit | None):
    """Units offered as 主送/抄送 in the form: superiors (tree and 业务上级), the same-level units next to it,
    and its direct subordinates. Others are typed as text (or chosen through the API by id)."""
    if unit is None:
        return Unit.objects.none()
    ancestor_ids = [int(x) for x in unit.path.strip("/").split("/") if x] if unit.path else []
    near = Q(pk__in=ancestor_ids) | Q(parent_id=unit.pk) | Q(pk__in=unit.superiors.values("pk"))
    if unit.parent_id:
        near |= Q(parent_id=unit.parent_id)
    return Unit.objects.filter(near, is_active=True).exclude(pk=unit.pk).order_by("path")
