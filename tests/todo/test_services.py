from datetime import date, timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from oa.audit.models import AuditEvent
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.todo import services
from oa.todo.models import State, TodoItem
from oa.todo.push import user_group
from tests.todo.helpers import give_todo, make_person

pytestmark = pytest.mark.django_db


def test_create_todo_stores_the_item_and_audits_it():
    clerk, leader = make_person("李收发"), make_person("王局长")
    item = give_todo(leader, actor=clerk, urgency="特急", deadline=date(2025, 7, 1))

    item.refresh_from_db()
    assert (item.owner, item.kind, item.state, item.step, item.urgency) == (leader, "todo", State.OPEN, "审核", "特急")
    assert item.created_by == clerk
    assert timezone.localtime(item.deadline).date() == date(2025, 7, 1)  # a date runs to the end of that day
    event = AuditEvent.objects.get(action="todo.create", object_id=str(item.pk))
    assert event.actor == clerk
    assert "王局长" in event.summary


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"url": "javascript:alert(1)"}, "本系统内的页面地址"),
        ({"url": "https://evil.example/x"}, "本系统内的页面地址"),
        ({"url": "//evil.example/x"}, "本系统内的页面地址"),
        ({"urgency": "很急"}, "紧急程度"),
        ({"kind": "task"}, "事项类型"),
        ({"title": "  "}, "标题不能为空"),
        ({"step": "x" * 21}, "办理环节不能超过"),
    ],
)
def test_create_todo_refuses_bad_input_with_a_clear_message(overrides, message):
    owner = make_person()
    with pytest.raises(ServiceError, match=message):
        give_todo(owner, **overrides)
    assert not TodoItem.objects.exists()


def test_create_todo_refuses_an_inactive_owner():
    owner = make_person(is_active=False)
    with pytest.raises(ServiceError, match="已停用"):
        give_todo(owner)


def test_counts_for_counts_open_todo_unread_toread_and_done():
    me, other = make_person(), make_person()
    give_todo(me)
    done = give_todo(me, source_id="2")
    give_todo(me, kind="toread", step="阅知", source_id="3")
    give_todo(other)
    services.complete_todo(me, done)

    assert services.counts_for(me) == {"todo": 1, "toread": 1, "done": 1}
    assert services.counts_for(other) == {"todo": 1, "toread": 0, "done": 0}


def test_complete_todo_marks_done_and_audits_once():
    me = make_person()
    item = give_todo(me)

    services.complete_todo(me, item)
    services.complete_todo(me, item)  # a double click changes nothing

    item.refresh_from_db()
    assert item.state == State.DONE and item.done_at is not None
    assert AuditEvent.objects.filter(action="todo.complete", object_id=str(item.pk)).count() == 1


def test_workflow_step_cannot_be_closed_by_hand():
    me = make_person()
    item = give_todo(me, manual_close=False, step="签发")
    with pytest.raises(ServiceError, match="签发"):
        services.complete_todo(me, item)
    item.refresh_from_db()
    assert item.state == State.OPEN


def test_mark_read_only_for_toread_and_complete_only_for_todo():
    me = make_person()
    toread = give_todo(me, kind="toread", step="阅知")
    todo = give_todo(me, source_id="2")
    with pytest.raises(ServiceError, match="标记已阅"):
        services.complete_todo(me, toread)
    with pytest.raises(ServiceError):
        services.mark_read(me, todo)

    services.mark_read(me, toread)
    toread.refresh_from_db()
    assert toread.state == State.DONE
    assert AuditEvent.objects.filter(action="todo.read", object_id=str(toread.pk)).exists()


def test_someone_else_cannot_act_on_my_item_and_the_refusal_is_audited():
    me, other = make_person(), make_person("赵六")
    item = give_todo(me)
    with pytest.raises(PermissionDeniedError):
        services.complete_todo(other, item)
    item.refresh_from_db()
    assert item.state == State.OPEN
    assert AuditEvent.objects.filter(action="todo.complete", result="denied", actor=other).exists()


def test_complete_for_source_closes_the_open_items_of_that_source_only():
    a, b = make_person(), make_person()
    give_todo(a, source_id="7")
    give_todo(b, source_id="7")
    give_todo(a, source_id="7", kind="toread", step="阅知")  # 待阅 stays: reading is not the step
    other_doc = give_todo(a, source_id="8")

    assert services.complete_for_source("documents", 7) == 2
    assert services.counts_for(a) == {"todo": 1, "toread": 1, "done": 1}
    assert services.counts_for(b) == {"todo": 0, "toread": 0, "done": 1}
    other_doc.refresh_from_db()
    assert other_doc.state == State.OPEN
    assert AuditEvent.objects.filter(action="todo.close_by_source").count() == 2


def test_complete_for_source_can_target_one_owner_and_one_step():
    a, b = make_person(), make_person()
    give_todo(a, source_id="7", step="会签")
    give_todo(b, source_id="7", step="会签")
    give_todo(a, source_id="7", step="签发")

    assert services.complete_for_source("documents", "7", owner=a, step="会签") == 1
    assert services.counts_for(a)["todo"] == 1
    assert services.counts_for(b)["todo"] == 1


def test_deadline_three_colour_warning():
    me = make_person()
    now = timezone.now()
    assert give_todo(me, deadline=now + timedelta(days=5)).deadline_level() == "green"
    assert give_todo(me, deadline=now + timedelta(days=2)).deadline_level() == "yellow"
    assert give_todo(me, deadline=now - timedelta(hours=1)).deadline_level() == "red"
    assert give_todo(me).deadline_level() == ""


# --- live push only after commit --------------------------------------------------------------------
# These read the layer from synchronous test code, one event loop per call: that needs the in-memory layer
# (the Redis layer binds its queues to one loop). The consumer tests cover the Redis layer end to end.


@pytest.fixture
def memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def _subscribe(user):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(user.pk), channel)
    return layer, channel


def _pending(layer, channel):
    import asyncio

    async def receive_all():
        received = []
        while True:
            try:
                received.append(await asyncio.wait_for(layer.receive(channel), timeout=0.05))
            except TimeoutError:
                return received

    return async_to_sync(receive_all)()


def test_push_is_sent_only_after_commit(memory_layer, django_capture_on_commit_callbacks):
    me, other = make_person(), make_person()
    layer, mine = _subscribe(me)
    _, theirs = _subscribe(other)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = give_todo(me)
    assert _pending(layer, mine) == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1

    callbacks[0]()
    assert _pending(layer, mine) == [{"type": "todo.changed"}]
    assert _pending(layer, theirs) == []

    with django_capture_on_commit_callbacks(execute=True):
        services.complete_todo(me, item)
    assert _pending(layer, mine) == [{"type": "todo.changed"}]


def test_refused_change_pushes_nothing(memory_layer, django_capture_on_commit_callbacks):
    me = make_person()
    item = give_todo(me, manual_close=False)
    layer, mine = _subscribe(me)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ServiceError):
        services.complete_todo(me, item)
    assert _pending(layer, mine) == []
