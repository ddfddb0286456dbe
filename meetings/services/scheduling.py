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


def reschedule(actor, meeting: Meeting, changes: dict) -> Meeting:
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以修改会议。")
    merged = {**_snapshot(meeting), "host": meeting.host, "note": meeting.note, "room": meeting.room, **changes}
    cleaned = _clean(merged, actor)
    with transaction.atomic():
        current = locked(meeting)
        if current.status != Status.SCHEDULED:
            raise ServiceError("会议已取消，不能修改。")
        before = _snapshot(current)
        _book(cleaned["room"], cleaned["start"], cleaned["end"], exclude_id=current.pk)
        for key, value in cleaned.items():
            setattr(current, key, value)
        current.save()
        record(actor, "meetings.reschedule", current, before=before, after=_snapshot(current), summary="修改会议安排")
        meeting_changed_on_commit(current.pk)
    return current


def cancel_meeting(actor, meeting: Meeting) -> Meeting:
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以取消会议。")
    with transaction.atomic():
        current = locked(meeting)
        before = _snapshot(current)
        current.status = Status.CANCELLED
        current.save(update_fields=["status"])
        record(
            actor, "meetings.cancel", current, before=before, after=_snapshot(current), summary="取消会议（释放会议室）"
        )
        meeting_changed_on_commit(current.pk)
    return current


def add_agenda_item(actor, meeting: Meeting, title: str, presenter=None, presenter_name: str = "") -> AgendaItem:
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以编排议题。")
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
