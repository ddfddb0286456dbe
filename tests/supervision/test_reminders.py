"""Automatic 催办 and escalation with frozen time, over the 2026 国庆 holiday."""

from datetime import date

import pytest

from oa.supervision import services
from oa.supervision.models import Reminder
from oa.supervision.reminders import run_reminders
from oa.supervision.tasks import send_reminders
from oa.todo.models import TodoItem
from tests.supervision.conftest import at

pytestmark = pytest.mark.django_db


def reminders(item):
    return list(item.reminders.order_by("created_at", "id").values_list("kind", "on_date"))


def notices(person, step):
    return TodoItem.objects.filter(owner=person, step=step, kind="toread").count()


@pytest.fixture
def national_day_item(sv, raise_for):
    """Due 2026-10-04 (国庆) → moved to Thursday 10-08; signed by the lead unit."""
    with at(2026, 9, 1):
        item = raise_for(deadline=date(2026, 10, 4))
        services.sign_item(sv.edu_clerk, item)
    assert item.deadline == date(2026, 10, 8)
    return item


def test_reminders_count_working_days_across_national_day(sv, national_day_item):
    item = national_day_item
    with at(2026, 9, 25):  # 中秋 holiday: nothing is sent at all
        assert run_reminders()["workday"] is False
    with at(2026, 9, 24):  # 9/25–9/27 off: 4 working days left (9/28, 9/29, 9/30, 10/8)
        run_reminders()
    assert reminders(item) == []
    with at(2026, 9, 28):  # 3 working days left although 10 calendar days remain
        run_reminders()
    assert reminders(item) == [("before", date(2026, 9, 28))]
    assert notices(sv.edu_clerk, "督办催办") == 1 and notices(sv.jc_clerk, "督办催办") == 1
    with at(2026, 9, 30):
        run_reminders()  # the before-reminder is sent once only
    for day in range(1, 8):
        with at(2026, 10, day):
            assert run_reminders()["sent"] == 0  # the holiday: no reminders pile up
    with at(2026, 10, 8):
        run_reminders()
    assert reminders(item)[-1] == ("due", date(2026, 10, 8))
    assert notices(sv.sup, "超期报告") == 0
    with at(2026, 10, 9, hour=8):
        run_reminders()
    assert reminders(item)[-2:] == [("overdue", date(2026, 10, 9)), ("escalation", date(2026, 10, 9))]
    # Escalation reaches the 督查员 and the leader, not the units.
    assert notices(sv.sup, "超期报告") == 1 and notices(sv.mayor, "超期报告") == 1
    assert notices(sv.edu_clerk, "超期报告") == 0
    with at(2026, 10, 10):  # Saturday, but an adjusted working day: overdue reminder, no new escalation
        run_reminders()
    with at(2026, 10, 11):  # Sunday
        run_reminders()
    assert reminders(item)[-1] == ("overdue", date(2026, 10, 10))
    with at(2026, 10, 16):  # 5 working days after the first escalation (10/10, 12, 13, 14, 15, 16 → 6)
        run_reminders()
    assert ("escalation", date(2026, 10, 16)) in reminders(item)


def test_running_twice_a_day_sends_each_reminder_once(sv, national_day_item):
    item = national_day_item
    with at(2026, 10, 9, hour=8):
        first = send_reminders.delay().get()
    with at(2026, 10, 9, hour=15):
        second = send_reminders.delay().get()
    assert first["sent"] == 2 and second["sent"] == 0
    assert Reminder.objects.filter(item=item, on_date=date(2026, 10, 9)).count() == 2
    assert notices(sv.edu_clerk, "督办催办") == 1


def test_closed_or_waiting_items_are_not_chased(sv, national_day_item):
    item = national_day_item
    with at(2026, 9, 29):
        services.request_close(sv.edu_clerk, item, text="已完成")
    with at(2026, 10, 9):
        run_reminders()
    assert reminders(item) == []


def test_manual_reminder_by_the_supervisor(sv, national_day_item):
    item = national_day_item
    with at(2026, 9, 2):
        first = services.remind(sv.sup, item, text="请本周内报送进展。")
        services.remind(sv.sup, item)  # manual reminders are not limited to one a day
    assert first.recipients == 3  # 教育局 clerk and head, 江城区 clerk
    assert [k for k, _ in reminders(item)] == ["manual", "manual"]
    assert TodoItem.objects.filter(owner=sv.edu_head, step="督办催办").count() == 2


def test_unsigned_item_is_chased_too(sv, raise_for):
    with at(2026, 9, 1):
        item = raise_for(deadline=date(2026, 9, 3))
    with at(2026, 9, 4):
        run_reminders()
    assert [k for k, _ in reminders(item)] == ["overdue", "escalation"]


def test_overdue_items_are_chased_every_working_day_and_escalated_every_fifth(sv, national_day_item):
    """Run as beat would, once a day for twelve days after the deadline (10-08, a Thursday)."""
    item = national_day_item
    for day in range(8, 20):
        with at(2026, 10, day, hour=8):
            run_reminders()
            run_reminders()  # a second beat run the same day sends nothing more
    sent = reminders(item)
    overdue = [d.day for k, d in sent if k == "overdue"]
    escalations = [d.day for k, d in sent if k == "escalation"]
    assert ("due", date(2026, 10, 8)) in sent
    # Every working day, 调休 Saturday 10-10 included; never on 10-11 (Sun) or 10-17/18 (weekend).
    assert overdue == [9, 10, 12, 13, 14, 15, 16, 19]
    # First overdue working day, then five working days later (10-10, 12, 13, 14, 15).
    assert escalations == [9, 15]
    assert notices(sv.sup, "超期报告") == 2 and notices(sv.mayor, "超期报告") == 2
    assert notices(sv.edu_clerk, "督办催办") == 1 + len(overdue)  # 到期 + each 超期
    assert notices(sv.edu_clerk, "超期报告") == 0
    # The timeline says what happened, in words.
    texts = list(item.events.filter(kind="escalated").values_list("text", flat=True))
    assert texts[0] == "超期报告：事项已超过办结时限 2026-10-08 仍未办结，请督促牵头单位。"


def test_reminders_stop_once_the_lead_unit_asks_to_close_and_resume_when_sent_back(sv, national_day_item):
    item = national_day_item
    with at(2026, 10, 9):
        run_reminders()
        services.request_close(sv.edu_clerk, item, text="已完成")
    with at(2026, 10, 12):
        assert run_reminders()["sent"] == 0  # with the 督查员: nothing to chase
        services.send_back(sv.sup, item, reason="材料不全")
    with at(2026, 10, 13):
        run_reminders()
    assert [k for k, d in reminders(item) if d == date(2026, 10, 13)] == ["overdue"]
