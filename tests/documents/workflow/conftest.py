import pytest

from documents.workflow.models import TaskState
from oa.todo.models import State, TodoItem


@pytest.fixture
def open_actor_ids():
    def ids(flow, step=None):
        query = flow.tasks.filter(state=TaskState.OPEN)
        if step:
            query = query.filter(step=step)
        return sorted(query.values_list("assignee_id", flat=True))

    return ids


def assert_todos_match(flow):
    """Every open task has exactly one open todo item and no other open todo exists for the flow."""
    task_ids = {str(t.pk): t.assignee_id for t in flow.tasks.filter(state=TaskState.OPEN)}
    all_task_ids = [str(pk) for pk in flow.tasks.values_list("pk", flat=True)]
    todos = TodoItem.objects.filter(source_app="documents.flow", source_id__in=all_task_ids, state=State.OPEN)
    found = {t.source_id: t.owner_id for t in todos}
    assert len(found) == todos.count(), "two open todos for one task"
    assert found == task_ids
