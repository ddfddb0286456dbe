"""Working days on the Chinese holiday calendar: the package's years, the admin's table, unknown years."""

from datetime import date

import pytest

from oa.core.errors import ServiceError
from oa.supervision.models import CalendarDay, CalendarYear
from oa.supervision.services import resolve_deadline
from oa.supervision.workcalendar import BUILTIN, PUBLISHED, UNPUBLISHED, WorkCalendar

pytestmark = pytest.mark.django_db


def test_national_day_2026_and_its_adjusted_saturday():
    cal = WorkCalendar()
    assert not cal.is_workday(date(2026, 10, 1))
    assert not cal.is_workday(date(2026, 10, 7))  # a Wednesday, still 国庆
    assert cal.is_workday(date(2026, 10, 10))  # Saturday 调休 working day
    assert cal.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # From 9/28: 9/29, 9/30, 10/8 are the next three working days.
    assert cal.add_workdays(date(2026, 9, 28), 3) == date(2026, 10, 8)
    assert cal.workdays_between(date(2026, 9, 28), date(2026, 10, 9)) == 4
    assert cal.workdays_between(date(2026, 10, 9), date(2026, 9, 28)) == -4
    assert cal.holiday_name(date(2026, 10, 3)) == "国庆节"
    assert cal.year_status(2026).kind == BUILTIN


def test_deadline_on_a_holiday_moves_to_the_next_working_day():
    deadline, notes = resolve_deadline(date(2026, 10, 3), WorkCalendar(), date(2026, 9, 1))
    assert deadline == date(2026, 10, 8)
    assert "顺延至 2026-10-08" in notes[0] and "国庆节" in notes[0]


def test_deadline_in_working_days_counts_over_the_holiday():
    deadline, _ = resolve_deadline(5, WorkCalendar(), date(2026, 9, 29))
    assert deadline == date(2026, 10, 12)  # 9/30, 10/8, 10/9, 10/10 (调休), 10/12


def test_unknown_year_falls_back_to_weekends_and_says_so():
    cal = WorkCalendar()
    status = cal.year_status(2027)
    assert status.kind == UNPUBLISHED and not status.known
    assert "2027 年的节假日安排尚未发布" in status.message
    assert cal.is_workday(date(2027, 10, 1))  # a Friday: unknown holiday, counted as working day
    assert not cal.is_workday(date(2027, 10, 2))  # Saturday
    _, notes = resolve_deadline(date(2027, 3, 1), cal, date(2026, 12, 1))
    assert any("2027 年的节假日安排尚未发布" in n for n in notes)


def test_admin_entered_arrangement_for_a_later_year():
    CalendarYear.objects.create(year=2027, source="国务院办公厅关于2027年部分节假日安排的通知")
    CalendarDay.objects.create(date=date(2027, 10, 1), is_workday=False, name="国庆节")
    CalendarDay.objects.create(date=date(2027, 9, 26), is_workday=True, name="国庆节调休")
    cal = WorkCalendar()
    assert cal.year_status(2027).kind == PUBLISHED
    assert not cal.is_workday(date(2027, 10, 1))
    assert cal.is_workday(date(2027, 9, 26))  # Sunday made a working day
    assert cal.warnings_for(date(2026, 12, 1), date(2027, 3, 1)) == []
    deadline, notes = resolve_deadline(date(2027, 10, 1), cal, date(2027, 9, 1))
    assert deadline == date(2027, 10, 4) and "国庆节" in notes[0]


def test_override_corrects_a_builtin_year():
    CalendarDay.objects.create(date=date(2026, 10, 9), is_workday=False, name="临时调整")
    assert not WorkCalendar().is_workday(date(2026, 10, 9))


def test_past_or_malformed_deadlines_are_refused():
    with pytest.raises(ServiceError, match="不能早于今天"):
        resolve_deadline(date(2026, 1, 1), WorkCalendar(), date(2026, 9, 1))
    with pytest.raises(ServiceError, match="格式不正确"):
        resolve_deadline("下周", WorkCalendar(), date(2026, 9, 1))
    with pytest.raises(ServiceError, match="1 至 1000"):
        resolve_deadline(0, WorkCalendar(), date(2026, 9, 1))
