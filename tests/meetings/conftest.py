"""Meeting fixtures on top of tests/conftest.py's personas.

The organiser is 吴市长 (yj_mayor: 签发人, so may also raise 督办 items) of 阳江市人民政府; 王科员 (yj_staff) and
郑副市长 (yj_vice) are invited; 周收发 (yj_clerk) is 阳江's 收发员; 江城区 has a clerk jc_clerk and a staff member
jc_staff; 陈揭阳 (jy_staff) is an outsider."""

from datetime import datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from meetings import services
from meetings.models import Room
from oa.org.models import Role
from tests.factories import PersonFactory, RoleAssignmentFactory
from tests.signing.conftest import _session_ca, seals, signing_ca  # noqa: F401  (shared fixtures)

TZ = ZoneInfo("Asia/Shanghai")
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def local(year, month, day, hour=9, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def client_for(person) -> Client:
    client = Client()
    client.force_login(person, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def mt(personas, org_tree):
    jc_clerk = PersonFactory(username="jc_clerk", name="黄区收发", unit=org_tree.jc_gov)
    RoleAssignmentFactory(person=jc_clerk, unit=org_tree.jc_gov, role=Role.CLERK)
    jc_staff = PersonFactory(username="jc_staff", name="林区科员", unit=org_tree.jc_gov)
    jc_staff2 = PersonFactory(username="jc_staff2", name="何区科员", unit=org_tree.jc_gov)
    room = Room.objects.create(unit=org_tree.yj_gov, name="第一会议室", location="市府大楼3楼", capacity=30)
    room2 = Room.objects.create(unit=org_tree.yj_gov, name="第二会议室", capacity=12)
    return SimpleNamespace(
        p=personas,
        org=org_tree,
        organiser=personas.yj_mayor,
        staff=personas.yj_staff,
        vice=personas.yj_vice,
        clerk=personas.yj_clerk,
        outsider=personas.jy_staff,
        jc_clerk=jc_clerk,
        jc_staff=jc_staff,
        jc_staff2=jc_staff2,
        room=room,
        room2=room2,
    )


@pytest.fixture
def make_meeting(mt):
    def make(start=None, hours=2, room="default", actor=None, **changes):
        start = start or (timezone.now() + timedelta(days=1)).replace(microsecond=0)
        return services.create_meeting(
            actor or mt.organiser,
            {
                "title": changes.pop("title", "全市安全生产工作会议"),
                "kind": changes.pop("kind", "工作会议"),
                "start": start,
                "end": start + timedelta(hours=hours),
                "room": mt.room if room == "default" else room,
                **changes,
            },
            agenda=changes.pop(
                "agenda", [("通报第三季度安全生产情况", mt.staff, ""), ("部署冬春火灾防控工作", None, "市应急局")]
            ),
        )

    return make


@pytest.fixture
def through_exchange(django_capture_on_commit_callbacks):
    """Send a meeting's 会议通知 as 阳江's clerk and let the exchange deliver it (its after-commit work runs);
    then ``sign`` signs for one unit's copy as that unit's clerk."""
    from documents.exchange import services as exchange
    from meetings.models import UnitInvitation

    def send(clerk, meeting):
        with django_capture_on_commit_callbacks(execute=True):
            return services.send_notice(clerk, meeting)

    def sign(clerk, meeting, unit):
        invitation = UnitInvitation.objects.get(meeting=meeting, unit=unit)
        with django_capture_on_commit_callbacks(execute=True):
            exchange.sign_for(clerk, int(invitation.exchange_ref))
        invitation.refresh_from_db()
        return invitation

    def send_followup(clerk, meeting):
        with django_capture_on_commit_callbacks(execute=True):
            return services.send_followup(clerk, meeting)

    def sign_delivery(clerk, delivery_id):
        with django_capture_on_commit_callbacks(execute=True):
            return exchange.sign_for(clerk, delivery_id)

    def give_back(clerk, meeting, unit, reason="非本单位业务，请核实主送单位"):
        """退回 one unit's 会议通知 as that unit's clerk."""
        invitation = UnitInvitation.objects.get(meeting=meeting, unit=unit)
        with django_capture_on_commit_callbacks(execute=True):
            exchange.return_delivery(clerk, int(invitation.exchange_ref), reason=reason)
        invitation.refresh_from_db()
        return invitation

    def recall(clerk, meeting, unit, reason="通知内容有误"):
        invitation = UnitInvitation.objects.get(meeting=meeting, unit=unit)
        with django_capture_on_commit_callbacks(execute=True):
            exchange.recall(clerk, int(invitation.exchange_ref), reason=reason)
        invitation.refresh_from_db()
        return invitation

    def resend(clerk, meeting, unit):
        invitation = UnitInvitation.objects.get(meeting=meeting, unit=unit)
        with django_capture_on_commit_callbacks(execute=True):
            exchange.resend(clerk, int(invitation.exchange_ref))
        invitation.refresh_from_db()
        return invitation

    return SimpleNamespace(
        send=send, sign=sign, send_followup=send_followup, sign_delivery=sign_delivery, give_back=give_back,
        recall=recall, resend=resend,
    )


@pytest.fixture
def invited(mt, make_meeting, through_exchange):
    """A meeting tomorrow with 王科员 and 郑副市长 invited (出席) and 江城区 invited as a unit (2 seats): its
    会议通知 went through the 公文交换 and 江城区's clerk signed for it."""
    meeting = make_meeting()
    services.invite_people(mt.organiser, meeting, [mt.staff, mt.vice])
    services.invite_units(mt.organiser, meeting, [mt.org.jc_gov], seats=2)
    through_exchange.send(mt.clerk, meeting)
    through_exchange.sign(mt.jc_clerk, meeting, mt.org.jc_gov)
    return meeting
