"""Scenario hooks for tests/e2e/test_meetings_units.py, run inside the daphne process: an organising unit
whose organiser is also its 收发员 (so the 会议通知 leaves through the exchange at once), a meeting tomorrow,
and an invited 镇 with a clerk and a staff member."""

PASSWORD = "Gd-E2e-Passw0rd!2025"


def _unit(fonds, name, short, code, level):
    from oa.org.models import Unit

    unit, _ = Unit.objects.get_or_create(
        fonds_number=fonds,
        defaults={"name": name, "short_name": short, "code": code, "kind": "government", "level": level},
    )
    return unit


def _person(username, name, unit, role=None):
    from oa.org.models import Person, RoleAssignment

    found = Person.objects.filter(username=username).first() or Person.objects.create_user(
        username, password=PASSWORD, name=name, unit=unit, title="科员"
    )
    if role:
        RoleAssignment.objects.get_or_create(person=found, unit=unit, role=role)
    return found


def units_meeting(payload: dict | None = None) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from meetings import services
    from oa.org.models import Role

    home = _unit("E2EMT1", "阳东区人民政府", "阳东区政府", "东府", 3)
    town = _unit("E2EMT2", "东平镇人民政府", "东平镇政府", "东平府", 4)
    organiser = _person("mt_organiser", "梁区长", home, Role.CLERK)
    clerk = _person("mt_town_clerk", "黄镇收发", town, Role.CLERK)
    attendee = _person("mt_town_staff", "林镇科员", town)
    start = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    meeting = services.create_meeting(
        organiser,
        {
            "title": "全区森林防火工作会议",
            "kind": "工作会议",
            "start": start,
            "end": start + timedelta(hours=2),
            "online_url": "https://meet.example.gov.cn/r/ff",
        },
        agenda=[("部署森林防火工作", organiser, "")],
    )
    return {
        "meeting": meeting.pk,
        "town": town.pk,
        "password": PASSWORD,
        "organiser": organiser.username,
        "clerk": clerk.username,
        "attendee": attendee.username,
        "attendee_id": attendee.pk,
    }


def invitation_of(payload: dict) -> dict:
    from meetings.models import UnitInvitation

    invitation = UnitInvitation.objects.get(meeting_id=payload["meeting"], unit_id=payload["town"])
    return {"invitation": invitation.pk}


HOOKS = {"meetings_units_meeting": units_meeting, "meetings_invitation_of": invitation_of}
