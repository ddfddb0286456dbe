"""Who hears about an item, and the todo-centre entries (待办 / 待阅) that tell them.

Todo ``source_id``s: ``<item>:sign:<unit>`` (签收), ``<item>:handle:<unit>`` (办理), ``<item>:review`` (审核办结);
待阅 notices use ``<item>``. Items close through ``oa.todo.services.complete_for_source`` when the step is done.
"""

from django.urls import reverse

from oa.org.models import Person, Role
from oa.org.roles import effective_holders
from oa.todo.models import Kind
from oa.todo.services import complete_for_source, create_todo

SOURCE_APP = "supervision"
CATEGORY = "督办"
FALLBACK_LIMIT = 50


def item_url(item) -> str:
    return reverse("supervision:item", args=[item.pk])


def unit_handlers(unit) -> list[Person]:
    """The unit's 收发员 and leaders (签发人), deputies included; a small unit without them: its members."""
    people = {p.pk: p for role in (Role.CLERK, Role.SIGNER) for p in effective_holders(unit, role)}
    if not people:
        people = {
            p.pk: p
            for p in Person.objects.filter(unit=unit, is_active=True).order_by("sort_order", "pk")[:FALLBACK_LIMIT]
        }
    return list(people.values())


def supervisors_of(item) -> list[Person]:
    if item.supervisor_id and item.supervisor.is_active:
        return [item.supervisor]
    return effective_holders(item.raising_unit, Role.SUPERVISOR)


def leaders_of(item) -> list[Person]:
    return [item.leader] if item.leader_id and item.leader.is_active else []


def _sender(item) -> str:
    return item.raising_unit.short_name or item.raising_unit.name


def todo(actor, owners, item, *, step: str, source_id: str, deadline=None) -> int:
    for owner in owners:
        create_todo(
            actor,
            owner=owner,
            kind=Kind.TODO,
            title=item.title,
            step=step,
            url=item_url(item),
            source_app=SOURCE_APP,
            source_id=source_id,
            category=CATEGORY,
            sender=_sender(item),
            deadline=deadline,
            manual_close=False,
        )
    return len(owners)


def notice(actor, owners, item, *, step: str, title: str | None = None) -> int:
    seen = set()
    for owner in owners:
        if owner.pk in seen:
            continue
        seen.add(owner.pk)
        create_todo(
            actor,
            owner=owner,
            kind=Kind.TOREAD,
            title=title or item.title,
            step=step,
            url=item_url(item),
            source_app=SOURCE_APP,
            source_id=str(item.pk),
            category=CATEGORY,
            sender=_sender(item),
        )
    return len(seen)


def sign_source(item, unit_id) -> str:
    return f"{item.pk}:sign:{unit_id}"


def handle_source(item, unit_id) -> str:
    return f"{item.pk}:handle:{unit_id}"


def review_source(item) -> str:
    return f"{item.pk}:review"


def close_all(item, actor, unit_ids) -> None:
    """Close every open 待办 the item raised (it is closed or cancelled)."""
    for unit_id in unit_ids:
        complete_for_source(SOURCE_APP, sign_source(item, unit_id), actor=actor)
        complete_for_source(SOURCE_APP, handle_source(item, unit_id), actor=actor)
    complete_for_source(SOURCE_APP, review_source(item), actor=actor)
