"""办理时限 in working days on the Chinese holiday calendar (chinese_calendar, with 调休 make-up days).
For a year the package does not know, weekends are the only days off (and a warning is logged)."""

import datetime
import logging

log = logging.getLogger(__name__)


def is_workday(day: datetime.date) -> bool:
    try:
        import chinese_calendar

        return chinese_calendar.is_workday(day)
    except (NotImplementedError, ImportError):
        log.warning("chinese_calendar 未收录 %s 年的节假日安排，按周一至周五计算工作日", day.year)
        return day.weekday() < 5


def add_workdays(start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``start`` (the receiving day itself does not count)."""
    day = start
    left = max(int(days), 0)
    while left:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def limit_days(setting, urgency: str) -> int:
    if urgency == "特急":
        return setting.limit_extra_urgent
    if urgency == "加急":
        return setting.limit_urgent
    return setting.limit_normal
