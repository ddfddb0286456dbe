"""Messaging use cases: ordering, unread counts, receipts, paging, search, recall, @mentions, audit."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from oa.audit.models import AuditEvent
from oa.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from oa.messaging import services
from oa.messaging.models import ConversationKind, Message
from oa.todo.models import State, TodoItem

pytestmark = pytest.mark.django_db


def test_direct_conversation_is_unique_per_pair(people, direct):
    again = services.start_direct(people.bob, people.alice)
    assert again.pk == direct.pk
    assert direct.kind == ConversationKind.DIRECT
    assert direct.display_title(people.alice) == "李四"
    with pytest.raises(ServiceError, match="不能和自己"):
        services.start_direct(people.alice, people.alice)


def test_messages_are_numbered_in_order_and_counted_unread(people, direct):
    for text in ("一", "二", "三"):
        services.send_message(people.alice, direct, text=text)
    messages = list(Message.objects.filter(conversation=direct).order_by("seq"))
    assert [(m.seq, m.body) for m in messages] == [(1, "一"), (2, "二"), (3, "三")]
    assert services.unread_total(people.bob) == 3
    assert services.unread_total(people.alice) == 0  # own messages are read
    listed = {c.pk: c for c in services.conversations_for(people.bob)}
    assert listed[direct.pk].unread == 3

    services.mark_read(people.bob, direct, 2)
    assert services.unread_total(people.bob) == 1
    services.mark_read(people.bob, direct, 1)  # never moves back
    assert services.unread_total(people.bob) == 1
    services.mark_read(people.bob, direct, 999)  # capped at the end
    assert services.unread_total(people.bob) == 0


def test_outsider_can_neither_read_nor_write(people, direct):
    services.send_message(people.alice, direct, text="只给李四")
    with pytest.raises(NotFoundError):
        services.get_conversation_for(people.carol, direct.pk)
    with pytest.raises(PermissionDeniedError):
        services.history(people.carol, direct)
    with pytest.raises(PermissionDeniedError):
        services.send_message(people.carol, direct, text="插话")
    with pytest.raises(PermissionDeniedError):
        services.search(people.carol, direct, "李四")
    assert services.catch_up(people.carol, {direct.pk: 0}) == []
    message = Message.objects.get(conversation=direct)
    with pytest.raises(NotFoundError):
        services.get_message_for(people.carol, message.pk)
    assert AuditEvent.objects.filter(action="messaging.post_message", result="denied").exists()


def test_history_pages_backwards_and_forwards_by_seq(people, group):
    for n in range(1, 8):
        services.send_message(people.alice, group, text=f"第{n}条")
    newest = services.history(people.bob, group, limit=3)
    assert [m.seq for m in newest.messages] == [5, 6, 7] and newest.has_more
    older = services.history(people.bob, group, before=5, limit=3)
    assert [m.seq for m in older.messages] == [2, 3, 4] and older.has_more
    oldest = services.history(people.bob, group, before=2, limit=3)
    assert [m.seq for m in oldest.messages] == [1] and not oldest.has_more
    newer = services.history(people.bob, group, after=4, limit=2)
    assert [m.seq for m in newer.messages] == [5, 6] and newer.has_more
    with pytest.raises(ServiceError, match="消息序号"):
        services.history(people.bob, group, before="abc")


def test_search_inside_a_conversation(people, group, direct):
    services.send_message(people.alice, group, text="明天上午九点开防汛会")
    services.send_message(people.bob, group, text="收到")
    services.send_message(people.alice, direct, text="防汛材料在我这")
    page = services.search(people.dave, group, "防汛")
    assert [m.body for m in page.messages] == ["明天上午九点开防汛会"]
    with pytest.raises(ServiceError, match="请输入"):
        services.search(people.dave, group, "  ")


def test_read_receipts_for_a_group(people, group):
    message = services.send_message(people.alice, group, text="请回复")
    receipts = services.receipts(people.alice, message)
    assert (receipts["read_count"], receipts["total"]) == (0, 2)
    services.mark_read(people.bob, group, message.seq)
    receipts = services.receipts(people.alice, message)
    assert receipts["read_count"] == 1 and receipts["read"] == [people.bob]
    assert receipts["unread"] == [people.dave]


def test_recall_within_two_minutes_only_by_the_sender(people, direct):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        message = services.send_message(people.alice, direct, text="发错了")
        with pytest.raises(PermissionDeniedError, match="自己发送"):
            services.recall(people.bob, message)
        clock.shift(timedelta(seconds=119))
        recalled = services.recall(people.alice, message)
    assert recalled.is_recalled and recalled.body == ""
    payload = services.message_payload(recalled)
    assert payload["text"] == "消息已撤回" and payload["recalled"]
    assert services.search(people.bob, direct, "发错").messages == []
    assert AuditEvent.objects.filter(action="messaging.recall", object_id=str(message.pk)).count() == 1


def test_recall_after_two_minutes_is_refused(people, direct):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        message = services.send_message(people.alice, direct, text="已经晚了")
        clock.shift(timedelta(minutes=2, seconds=1))
        with pytest.raises(ServiceError, match="超过 2 分钟"):
            services.recall(people.alice, message)
    message.refresh_from_db()
    assert not message.is_recalled and message.body == "已经晚了"


def test_mentions_raise_a_toread_that_reading_closes(people, group):
    message = services.send_message(people.alice, group, text="@李四 请把材料发我")
    assert message.mentions == [people.bob.pk]
    item = TodoItem.objects.get(owner=people.bob)
    assert item.kind == "toread" and "张三" in item.title and item.url.endswith(f"#m{message.seq}")
    assert not TodoItem.objects.filter(owner=people.dave).exists()
    services.mark_read(people.bob, group, message.seq)
    item.refresh_from_db()
    assert item.state == State.DONE


def test_mentions_of_non_members_are_ignored_and_recall_closes_the_todo(people, group):
    with time_machine.travel(timezone.now(), tick=False):
        message = services.send_message(people.alice, group, text="看一下", mentions=[people.dave.pk, people.carol.pk])
        assert message.mentions == [people.dave.pk]
        services.recall(people.alice, message)
    assert TodoItem.objects.get(owner=people.dave).state == State.DONE


def test_resend_with_the_same_client_id_does_not_post_twice(people, direct):
    first = services.send_message(people.alice, direct, text="你好", client_id="abc")
    second = services.send_message(people.alice, direct, text="你好", client_id="abc")
    assert first.pk == second.pk
    assert Message.objects.filter(conversation=direct).count() == 1


def test_empty_and_overlong_text_are_refused(people, direct):
    with pytest.raises(ServiceError, match="不能为空"):
        services.send_message(people.alice, direct, text="   ")
    with pytest.raises(ServiceError, match="5000"):
        services.send_message(people.alice, direct, text="字" * 5001)


def test_catch_up_returns_what_was_missed_and_recent_recalls(people, group):
    with time_machine.travel(timezone.now(), tick=False):
        first = services.send_message(people.alice, group, text="一")
        services.send_message(people.alice, group, text="二")
        services.recall(people.alice, first)
        services.send_message(people.alice, group, text="三")
    [part] = services.catch_up(people.bob, {str(group.pk): 2, "999999": 0, "x": 1})
    assert [m.body for m in part["messages"]] == ["三"]
    assert part["recalled"] == [1] and part["unread"] == 3 and not part["more"]


def test_group_members_and_leaving(people, group):
    assert services.add_members(people.alice, group, [people.carol]) == 1
    services.send_message(people.alice, group, text="欢迎")
    with pytest.raises(PermissionDeniedError, match="群主"):
        services.add_members(people.bob, group, [people.carol])
    services.leave_group(people.carol, group)
    with pytest.raises(NotFoundError):
        services.get_conversation_for(people.carol, group.pk)
    assert AuditEvent.objects.filter(action="messaging.add_members").count() == 1
    assert AuditEvent.objects.filter(action="messaging.leave_group").count() == 1


def test_group_needs_a_title_and_members(people):
    with pytest.raises(ServiceError, match="名称"):
        services.create_group(people.alice, title="", members=[people.bob])
    with pytest.raises(ServiceError, match="至少选择"):
        services.create_group(people.alice, title="空群", members=[people.alice.pk])
