"""Meeting rooms of a unit, kept by its 办公室 (the unit's 收发员) or a 单位管理员 over it."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from oa.audit.services import record
from oa.core.errors import ServiceError
from oa.permissions import require

from ..models import Meeting, Room, Status
from .common import text

DENIED = "只有本单位办公室（收发员）或单位管理员可以管理会议室。"


def _clean(changes: dict) -> dict:
    capacity = changes.get("capacity")
    try:
        capacity = int(capacity or 0)
    except (TypeError, ValueError):
        raise ServiceError("容纳人数应为整数。", field="capacity") from None
    if not 0 <= capacity <= 5000:
        raise ServiceError("容纳人数应在 0～5000 之间。", field="capacity")
    return {
        "name": text(changes.get("name"), "会议室名称", "name", 60),
        "location": text(changes.get("location"), "位置", "location", 100, required=False),
        "equipment": text(changes.get("equipment"), "设备", "equipment", 200, required=False),
        "capacity": capacity,
    }


def _snapshot(room: Room) -> dict:
    return {
        "name": room.name,
        "location": room.location,
        "equipment": room.equipment,
        "capacity": room.capacity,
        "is_active": room.is_active,
    }


def _save(room: Room) -> None:
    try:
        with transaction.atomic():
            room.save()
    except IntegrityError:
        raise ServiceError(f"本单位已有名为“{room.name}”的会议室。", field="name") from None


def create_room(actor, unit, changes: dict) -> Room:
    """``changes``: name, location, equipment, capacity."""
    require(actor, "meetings.manage_rooms", unit, DENIED)
    cleaned = _clean(changes)
    with transaction.atomic():
        room = Room(unit=unit, **cleaned)
        _save(room)
        record(actor, "meetings.create_room", room, after=_snapshot(room), summary=f"新增会议室：{room.name}")
    return room


def update_room(actor, room: Room, changes: dict) -> Room:
    require(actor, "meetings.manage_rooms", room, DENIED)
    cleaned = _clean({**_snapshot(room), **changes})
    with transaction.atomic():
        current = Room.objects.select_for_update().get(pk=room.pk)
        before = _snapshot(current)
        for key, value in cleaned.items():
            setattr(current, key, value)
        _save(current)
        record(actor, "meetings.update_room", current, before=before, after=_snapshot(current), summary="修改会议室")
    return current


def upcoming_bookings(room: Room):
    return Meeting.objects.filter(room=room, status=Status.SCHEDULED, end__gt=timezone.now())


def set_room_active(actor, room: Room, active: bool) -> Room:
    """停用 / 启用. A room with meetings still to come cannot be retired until they move elsewhere."""
    require(actor, "meetings.manage_rooms", room, DENIED)
    with transaction.atomic():
        current = Room.objects.select_for_update().get(pk=room.pk)
        if not active:
            waiting = upcoming_bookings(current).count()
            if waiting:
                raise ServiceError(f"该会议室还有 {waiting} 场未结束的会议，请先为这些会议调整会议室。")
        before = _snapshot(current)
        current.is_active = bool(active)
        current.save(update_fields=["is_active"])
        record(
            actor,
            "meetings.activate_room" if active else "meetings.deactivate_room",
            current,
            before=before,
            after=_snapshot(current),
            summary=f"{'启用' if active else '停用'}会议室：{current.name}",
        )
    return current
