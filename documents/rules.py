"""Who may do what with 公文 (autodiscovered by ``rules``). Views, API and services all ask these.

A draft belongs to the unit that drafts it (``Document.owner_unit``): colleagues in that unit see and edit
it (核稿 edits are tracked as versions); nobody outside the unit sees it at all.
"""

import rules

from oa.org.models import Role
from oa.permissions import holds_role, is_active_person, is_unit_admin_over, same_unit

from .models import Status


@rules.predicate
def has_unit(user):
    return bool(getattr(user, "unit_id", None))


@rules.predicate
def is_draft(user, document):
    return getattr(document, "status", None) == Status.DRAFTING


@rules.predicate
def sees_flow(user, document):
    """Whoever may see the document's flow (its unit, every participant: 会签 by a co-issuing unit, deputies)."""
    from .workflow.access import can_view_flow
    from .workflow.models import Flow

    if getattr(document, "pk", None) is None:
        return False
    flow = Flow.objects.filter(document_id=document.pk).first()
    return flow is not None and can_view_flow(user, flow)


@rules.predicate
def sees_incoming_flow(user, incoming):
    """A 收文 (IncomingDocument) is seen by whoever may see its flow (the receiving unit, every participant)."""
    from .workflow.access import can_view_flow
    from .workflow.models import Flow

    flow = Flow.objects.filter(incoming_id=getattr(incoming, "pk", None)).first()
    return flow is not None and can_view_flow(user, flow)


rules.add_perm("documents.add_document", is_active_person & has_unit)
rules.add_perm("documents.view_document", is_active_person & same_unit)
# Reading the draft's text (preview, PDF, page images, the API's read): its unit, and whoever may see its flow.
rules.add_perm("documents.read_document", is_active_person & (same_unit | sees_flow))
rules.add_perm("documents.view_incoming", is_active_person & sees_incoming_flow)
rules.add_perm("documents.change_document", is_active_person & same_unit & is_draft)
# 登记(编号) is the 收发员's step.
rules.add_perm("documents.assign_number", is_active_person & same_unit & holds_role(Role.CLERK))
# A unit's 发文模板 (标志, 机关代字): its 单位管理员 (or one of an ancestor unit). Object: the Unit.
rules.add_perm("documents.manage_template", is_active_person & is_unit_admin_over)

# 收文登记: the 收发员 of the receiving unit (object: the Unit).
rules.add_perm("documents.receive_document", is_active_person & holds_role(Role.CLERK))
