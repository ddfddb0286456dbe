"""Live hints for the 督办 board over Channels (the oa.todo.push pattern: the hint says only "something
changed"; the page refetches over HTTP, where the permission rules decide what it may see).

Groups are derived on the server from ids the server trusts: the units carrying or raising an item, and the
people named on it (督查员, leader). A socket joins its user's group and its unit's group."""

from django.db import transaction

from oa.todo.push import send_now

BOARD_CHANGED = "supervision.changed"


def unit_group(unit_id: int) -> str:
    return f"supervision.unit.{int(unit_id)}"


def person_group(user_id: int) -> str:
    return f"supervision.user.{int(user_id)}"


def groups_for(item, unit_ids) -> set[str]:
    groups = {unit_group(u) for u in set(unit_ids) | {item.raising_unit_id, item.lead_unit_id}}
    groups |= {person_group(p) for p in (item.supervisor_id, item.leader_id) if p}
    return groups


def board_changed_on_commit(item, unit_ids=()) -> None:
    groups = sorted(groups_for(item, unit_ids))

    def send():
        for group in groups:
            send_now(group, BOARD_CHANGED)

    transaction.on_commit(send)
