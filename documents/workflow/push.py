"""Live hints for open flow pages (the oa.todo.push pattern): after an action commits, the flow's group hears
"changed"; the consumer re-checks that each listener may still see the flow and the page refetches its panel
over HTTP — the database is the truth, a lost hint only costs freshness. The group name comes from the flow
id on the server."""

from django.db import transaction

from oa.todo.push import send_now

FLOW_CHANGED = "flow.changed"


def flow_group(flow_id: int) -> str:
    return f"documents.flow.{int(flow_id)}"


def flow_changed_on_commit(flow_id: int) -> None:
    """After commit (at once outside a transaction). One action may send several hints; pages debounce."""
    group = flow_group(flow_id)
    transaction.on_commit(lambda: send_now(group, FLOW_CHANGED))
