"""Creating meetings and booking rooms. A booking locks the room row, so two people booking the same room
at once queue, and the second sees the first's meeting (no double booking on SQLite or PostgreSQL)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from oa.audit.services import record
from oa.core.errors import ServiceError
from oa.org.models import Person
from oa.permissions import require

from ..models import AgendaItem, Kind, Meeting, Room, Status
from ..push import meeting_changed_on_commit
from .common import locked, text
from .followups import CANCEL, CHANGE, notify_change
from .invitations import SOURCE_APP, STEP_ANSWER


def _aware(value, label: str, field: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ServiceError(f"{label}格式不正确。", field=field) from None
    if not isinstance(value, datetime):
        raise ServiceError(f"请填写{label}。", field=field)
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def room_conflicts(room: Room, start, end, *, exclude_id=None):
    query = Meeting.objects.filter(room=room, status=Status.SCHEDULED, start__lt=end, end__gt=start)
    if exclude_id:
        query = query.exclude(pk=exclude_id)
    return query


def _book(room: Room | None, start, end, exclude_id=None) -> None:
    if room is None:
        return
    locked_room = Room.objects.select_for_update().get(pk=room.pk)
    if not locked_room.is_active:
        raise ServiceError("该会议室已停用。", field="room")
    clash = room_conflicts(locked_room, start, end, exclude_id=exclude_id).first()
    if clash is not None:
        when = f"{timezone.localtime(clash.start):%m-%d %H:%M}～{timezone.localtime(clash.end):%H:%M}"
        raise ServiceError(f"会议室“{room.name}”在 {when} 已被“{clash.title}”预订。", field="room")


def _clean(changes: dict, actor) -> dict:
    cleaned = {
        "title": text(changes.get("title"), "会议名称", "title", 200),
        "kind": changes.get("kind") or Kind.WORK,
        "start": _aware(changes.get("start"), "开始时间", "start"),
        "end": _aware(changes.get("end"), "结束时间", "end"),
        "online_url": text(changes.get("online_url"), "线上会议链接", "online_url", 300, required=False),
        "note": text(changes.get("note"), "会议说明", "note", 2000, required=False),
    }
    if cleaned["kind"] not in Kind.values:
        raise ServiceError("会议类型不正确。", field="kind")
    if cleaned["end"] <= cleaned["start"]:
        raise ServiceError("结束时间必须晚于开始时间。", field="end")
    url = cleaned["online_url"]
    if url and not url.startswith(("https://", "http://")):
        raise ServiceError("线上会议链接须以 https:// 开头。", field="online_url")
    room = changes.get("room")
    if room is not None and not isinstance(room, Room):
        room = Room.objects.filter(pk=room).first() if str(room).isdigit() else None
        if room is None:
            raise ServiceError("会议室不存在。", field="room")
    cleaned["room"] = room
    if room is None and not url:
        raise ServiceError("请选择会议室或填写线上会议链接。", field="room")
    host = changes.get("host")
    if host is not None and not isinstance(host, Person):
        host = Person.objects.filter(pk=host, is_active=True).first() if str(host).isdigit() else None
        if host is None:
            raise ServiceError("主持人不存在。", field="host")
    cleaned["host"] = host
    return cleaned


def _snapshot(m: Meeting) -> dict:
    return {
        "title": m.title,
        "kind": m.kind,
        "start": m.start.isoformat(),
        "end": m.end.isoformat(),
        "room": m.room_id,
        "online_url": m.online_url,
        "status": m.status,
    }


def create_meeting(actor, changes: dict, *, agenda=()) -> Meeting:
    """A meeting organised by ``actor``'s unit. ``changes``: title, kind, start, end, room (Room or id),
    online_url, host (Person or id), note. ``agenda``: [(title, presenter Person|None, presenter_name)]."""
    require(actor, "meetings.create_meeting", None, "您没有安排会议的权限：账号需要属于某个单位。")
    cleaned = _clean(changes, actor)
    with transaction.atomic():
        _book(cleaned["room"], cleaned["start"], cleaned["end"])
        meeting = Meeting.objects.create(organiser=actor, organiser_unit=actor.unit, **cleaned)
        for position, entry in enumerate(agenda):
            title, presenter, presenter_name = (list(entry) + [None, ""])[:3]
            AgendaItem.objects.create(
                meeting=meeting,
                position=position,
                title=text(title, "议题", "agenda", 200),
                presenter=presenter,
                presenter_name=text(presenter_name, "汇报人", "agenda", 60, required=False),
            )
        record(actor, "meetings.create", meeting, after=_snapshot(meeting), summary=f"安排会议：{meeting.title}")
    return meeting


LABELS = {
    "title": "会议名称",
    "kind": "会议类型",
    "start": "开始时间",
    "end": "结束时间",
    "room": "会议室",
    "online_url": "线上会议链接",
    "host": "主持人",
    "note": "会议说明",
}
# A change of these is news for everyone expected in the room.
TIME_OR_PLACE = ("start", "end", "room", "online_url")


def _edit_snapshot(m: Meeting) -> dict:
    # Local times, so the same instant read from the database (UTC) and typed in a form (+08:00) compare equal.
    return {
        **_snapshot(m),
        "start": timezone.localtime(m.start).isoformat(),
        "end": timezone.localtime(m.end).isoformat(),
        "host": m.host_id,
        "note": m.note,
    }


def _not_started(meeting: Meeting) -> None:
    if meeting.status != Status.SCHEDULED:
        raise ServiceError("会议已取消，不能修改。")
    if meeting.start <= timezone.now():
        raise ServiceError("会议已开始，只能记录纪要和议定事项。")


def update_meeting(actor, meeting: Meeting, changes: dict) -> Meeting:
    """Edit a meeting before it starts. ``changes``: any of title, kind, start, end, room (Room, id or None),
    online_url, host (Person, id or None), note. A new room or time is booked with conflict detection; a
    change of time or place raises the iCalendar SEQUENCE and tells everyone still expected."""
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以修改会议。")
    _not_started(meeting)
    merged = {**_snapshot(meeting), "host": meeting.host, "note": meeting.note, "room": meeting.room, **changes}
    cleaned = _clean(merged, actor)
    with transaction.atomic():
        current = locked(meeting)
        _not_started(current)
        before = _edit_snapshot(current)
        if cleaned["room"] is not None and (
            cleaned["room"].pk != current.room_id or cleaned["start"] != current.start or cleaned["end"] != current.end
        ):
            _book(cleaned["room"], cleaned["start"], cleaned["end"], exclude_id=current.pk)
        for key, value in cleaned.items():
            setattr(current, key, value)
        after = _edit_snapshot(current)
        changed = [key for key in LABELS if before.get(key) != after.get(key)]
        if not changed:
            return current
        current.sequence += 1
        current.save()
        record(
            actor,
            "meetings.update",
            current,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
            summary="修改会议：" + "、".join(LABELS[k] for k in changed),
        )
        if any(k in TIME_OR_PLACE for k in changed):
            notify_change(actor, current, CHANGE)
        meeting_changed_on_commit(current.pk)
    return current


reschedule = update_meeting  # the name the first version used


def cancel_meeting(actor, meeting: Meeting) -> Meeting:
    """Cancel (the room is free again); everyone still expected and the invited units' clerks are told, the
    open 回执 / 报名 items close and calendars show it as cancelled."""
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以取消会议。")
    with transaction.atomic():
        current = locked(meeting)
        if current.status == Status.CANCELLED:
            raise ServiceError("会议已取消。")
        before = _snapshot(current)
        current.status = Status.CANCELLED
        current.sequence += 1
        current.save(update_fields=["status", "sequence"])
        record(
            actor, "meetings.cancel", current, before=before, after=_snapshot(current), summary="取消会议（释放会议室）"
        )
        notify_change(actor, current, CANCEL)
        _close_open_items(actor, current)
        meeting_changed_on_commit(current.pk)
    return current


def _close_open_items(actor, meeting: Meeting) -> None:
    from oa.todo import services as todo

    todo.complete_for_source(SOURCE_APP, meeting.pk, step=STEP_ANSWER, actor=actor)
    todo.complete_for_source(SOURCE_APP, f"notice-{meeting.pk}", actor=actor)
    for invitation_id in meeting.unit_invitations.values_list("pk", flat=True):
        todo.complete_for_source(SOURCE_APP, f"unit-{invitation_id}", actor=actor)


def add_agenda_item(actor, meeting: Meeting, title: str, presenter=None, presenter_name: str = "") -> AgendaItem:
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以编排议题。")
    _not_started(meeting)
    with transaction.atomic():
        position = meeting.agenda.count()
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            title=text(title, "议题", "title", 200),
            presenter=presenter,
            presenter_name=text(presenter_name, "汇报人", "presenter_name", 60, required=False),
        )
        record(actor, "meetings.add_agenda", meeting, after={"agenda": item.title}, summary=f"增加议题：{item.title}")
    return item


def _agenda_item(meeting: Meeting, item_id) -> AgendaItem:
    item = meeting.agenda.filter(pk=item_id).first() if str(item_id).isdigit() else None
    if item is None:
        raise ServiceError("议题不存在。")
    return item


def _renumber(meeting: Meeting, ordered: list[AgendaItem]) -> None:
    for position, item in enumerate(ordered):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


def remove_agenda_item(actor, meeting: Meeting, item_id) -> None:
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以编排议题。")
    _not_started(meeting)
    with transaction.atomic():
        current = locked(meeting)
        item = _agenda_item(current, item_id)
        title = item.title
        item.delete()
        _renumber(current, list(current.agenda.all()))
        record(actor, "meetings.remove_agenda", current, before={"agenda": title}, summary=f"删除议题：{title}")
        meeting_changed_on_commit(current.pk)


def move_agenda_item(actor, meeting: Meeting, item_id, offset: int) -> None:
    """Move an agenda item up (``offset`` -1) or down (+1)."""
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以编排议题。")
    _not_started(meeting)
    if offset not in (-1, 1):
        raise ServiceError("只能上移或下移一位。")
    with transaction.atomic():
        current = locked(meeting)
        ordered = list(current.agenda.all())
        item = _agenda_item(current, item_id)
        index = next(i for i, a in enumerate(ordered) if a.pk == item.pk)
        target = index + offset
        if not 0 <= target < len(ordered):
            raise ServiceError("议题已在最前或最后。")
        before = [a.title for a in ordered]
        ordered[index], ordered[target] = ordered[target], ordered[index]
        _renumber(current, ordered)
        record(
            actor,
            "meetings.move_agenda",
            current,
            before={"agenda": before},
            after={"agenda": [a.title for a in ordered]},
            summary=f"调整议题顺序：{item.title}{'上移' if offset < 0 else '下移'}",
        )
        meeting_changed_on_commit(current.pk)
