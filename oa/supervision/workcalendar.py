"""Working days on the Chinese holiday calendar (法定节假日 and 调休).

Where a year is known to the ``chinesecalendar`` package (2004–2026 in 1.11.0) its data is used. Other years
fall back to the weekend rule plus the ``CalendarDay`` table an administrator maintains from the State
Council's yearly notice; a year counts as *published* once it has a ``CalendarYear`` row. Rows in the table
also override the package (a correction wins over stale package data).

For a year that is neither in the package nor entered, the calendar still answers (weekends only), and
``year_status`` / ``warnings_for`` say so plainly, so a deadline is never silently wrong.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from chinese_calendar import constants as _cc_constants

BUILTIN_FIRST_YEAR = min(d.year for d in _cc_constants.holidays)
BUILTIN_LAST_YEAR = max(d.year for d in _cc_constants.holidays)

BUILTIN, PUBLISHED, UNPUBLISHED = "builtin", "published", "unpublished"


@dataclass(frozen=True)
class YearStatus:
    year: int
    kind: str  # BUILTIN, PUBLISHED or UNPUBLISHED
    message: str

    @property
    def known(self) -> bool:
        return self.kind != UNPUBLISHED


def unpublished_message(year: int) -> str:
    return (
        f"{year} 年的节假日安排尚未发布或尚未录入，该年暂按周六、周日休息计算，法定节假日和调休未计入；"
        f"国务院办公厅公布后，请系统管理员在“节假日调整”中录入。"
    )


class WorkCalendar:
    """Answers from memory after one query per table; create one per request or task run."""

    def __init__(self, overrides: dict[date, bool] | None = None, published_years: set[int] | None = None):
        self._overrides = overrides
        self._published = published_years

    # --- data -------------------------------------------------------------------------------------------

    def _load(self) -> None:
        from oa.supervision.models import CalendarDay, CalendarYear

        if self._overrides is None:
            self._overrides = dict(CalendarDay.objects.values_list("date", "is_workday"))
        if self._published is None:
            self._published = set(CalendarYear.objects.values_list("year", flat=True))

    @property
    def overrides(self) -> dict[date, bool]:
        self._load()
        return self._overrides  # type: ignore[return-value]

    def year_status(self, year: int) -> YearStatus:
        self._load()
        if BUILTIN_FIRST_YEAR <= year <= BUILTIN_LAST_YEAR:
            return YearStatus(year, BUILTIN, f"{year} 年按国务院公布的节假日安排计算。")
        if year in self._published:  # type: ignore[operator]
            return YearStatus(year, PUBLISHED, f"{year} 年按管理员录入的节假日安排计算。")
        return YearStatus(year, UNPUBLISHED, unpublished_message(year))

    def warnings_for(self, start: date, end: date) -> list[str]:
        """Messages for the years between two dates (either order) that have no published arrangement."""
        low, high = sorted((start, end))
        return [s.message for y in range(low.year, high.year + 1) if not (s := self.year_status(y)).known]

    # --- questions ----------------------------------------------------------------------------------------

    def is_workday(self, day: date) -> bool:
        override = self.overrides.get(day)
        if override is not None:
            return override
        if BUILTIN_FIRST_YEAR <= day.year <= BUILTIN_LAST_YEAR:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def holiday_name(self, day: date) -> str:
        """The holiday's name for a day off that is not an ordinary weekend ('' otherwise)."""
        from oa.supervision.models import CalendarDay

        if day in self.overrides:
            row = CalendarDay.objects.filter(date=day).first()
            return row.name if row and not row.is_workday else ""
        if BUILTIN_FIRST_YEAR <= day.year <= BUILTIN_LAST_YEAR:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            if on_holiday and name:
                return _HOLIDAY_NAMES.get(name, name)
        return ""

    def next_workday(self, day: date, *, include_self: bool = True) -> date:
        """The first working day on or after ``day`` (after it when ``include_self`` is false)."""
        current = day if include_self else day + timedelta(days=1)
        for _ in range(400):
            if self.is_workday(current):
                return current
            current += timedelta(days=1)
        raise ValueError("一年之内没有工作日，请检查节假日调整数据。")

    def add_workdays(self, day: date, count: int) -> date:
        """The date ``count`` working days after ``day`` (before it when negative); ``day`` itself is not
        counted: add_workdays(Friday, 1) is the next Monday in an ordinary week."""
        step = 1 if count >= 0 else -1
        remaining = abs(count)
        current = day
        while remaining:
            current += timedelta(days=step)
            if self.is_workday(current):
                remaining -= 1
        return current

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end] — how many working days are left from ``start`` to a deadline
        ``end``; negative (working days in (end, start]) when ``end`` is already past."""
        if end == start:
            return 0
        sign = 1 if end > start else -1
        low, high = sorted((start, end))
        count = 0
        current = low + timedelta(days=1)
        while current <= high:
            if self.is_workday(current):
                count += 1
            current += timedelta(days=1)
        return sign * count


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
