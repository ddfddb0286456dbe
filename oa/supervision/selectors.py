"""Read models: 三色 warnings, the board, per-unit statistics and the monthly report rows.

Everything starts from ``visible_items(user)`` (the rule in ``oa.supervision.rules``), so the board, the
statistics and the exports can never show an item its page would hide. The warning colour is one SQL
expression (``annotate_warning``) so the board groups and counts thousands of items in a few queries; the
same rule in Python (``warning_for``) explains one item on its page.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from oa.supervision.models import (
    OPEN_STATUSES,
    WITH_UNITS,
    Item,
    ItemUnit,
    Milestone,
    ProgressReport,
    Status,
    UnitRole,
)
from oa.supervision.rules import visible_q
from oa.supervision.workcalendar import WorkCalendar

NEAR_DUE_WORKDAYS = 3
BLUE, YELLOW, RED = "blue", "yellow", "red"
WARNING_LABELS = {BLUE: "临近时限", YELLOW: "进度滞后", RED: "已超期"}
WARNING_ORDER = (RED, YELLOW, BLUE)


def visible_items(user) -> QuerySet[Item]:
    return Item.objects.filter(visible_q(user))


# --- 三色 warnings ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    today: date
    near_due: date  # deadline on or before this (and not past): 蓝

    @classmethod
    def for_today(cls, today: date | None = None, calendar: WorkCalendar | None = None) -> "Thresholds":
        today = today or timezone.localdate()
        calendar = calendar or WorkCalendar()
        return cls(today, calendar.add_workdays(today, NEAR_DUE_WORKDAYS))


def annotate_warning(query: QuerySet[Item], limits: Thresholds) -> QuerySet[Item]:
    """Adds ``warning``: "red" overdue, "yellow" behind schedule (a milestone missed or progress not reported
    within the item's interval), "blue" near the deadline, "" otherwise or when not with the units."""
    missed = Milestone.objects.filter(item=OuterRef("pk"), done_at__isnull=True, due_date__lt=limits.today)
    return query.annotate(
        warning=Case(
            When(~Q(status__in=WITH_UNITS), then=Value("")),
            When(deadline__lt=limits.today, then=Value(RED)),
            When(Q(next_report_due__lt=limits.today) | Q(Exists(missed)), then=Value(YELLOW)),
            When(deadline__lte=limits.near_due, then=Value(BLUE)),
            default=Value(""),
            output_field=CharField(),
        )
    )


def warning_for(item: Item, limits: Thresholds) -> tuple[str, list[str]]:
    """The colour of one item and the reasons, in words."""
    if item.status not in WITH_UNITS:
        return "", []
    if item.deadline < limits.today:
        return RED, [f"已超过办结时限 {item.deadline:%Y-%m-%d}"]
    reasons = []
    if item.next_report_due and item.next_report_due < limits.today:
        reasons.append(f"应于 {item.next_report_due:%Y-%m-%d} 前报送进展，尚未报送")
    missed = [m for m in item.milestones.all() if m.done_at is None and m.due_date < limits.today]
    reasons += [f"节点“{m.title}”（{m.due_date:%Y-%m-%d}）未按期完成" for m in missed]
    if reasons:
        return YELLOW, reasons
    if item.deadline <= limits.near_due:
        return BLUE, [f"距办结时限 {item.deadline:%Y-%m-%d} 不足 {NEAR_DUE_WORKDAYS} 个工作日"]
    return "", []


# --- the board --------------------------------------------------------------------------------------------


@dataclass
class Board:
    status_counts: dict[str, int]
    warning_counts: dict[str, int]
    units: list[dict]
    items: QuerySet[Item]
    total: int
    units_more: int = 0
    filters: dict = field(default_factory=dict)

    @property
    def status_tiles(self) -> list[tuple[str, str, int]]:
        return [(value, label, self.status_counts.get(value, 0)) for value, label in Status.choices]


def board(
    user, *, status: str = "", unit_id=None, warning: str = "", limits: Thresholds | None = None, unit_limit: int = 30
) -> Board:
    """Counts by status and colour, the lead units with the most trouble first, and the filtered items
    (a queryset: the caller pages it)."""
    limits = limits or Thresholds.for_today()
    base = visible_items(user)
    annotated = annotate_warning(base, limits)
    status_counts = {row["status"]: row["n"] for row in base.order_by().values("status").annotate(n=Count("id"))}
    # One pass over the items: every lead unit's counts; the colour totals are their sums.
    units = list(
        annotated.order_by()
        .values("lead_unit_id", "lead_unit__name")
        .annotate(
            total=Count("id"),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            red=Count("id", filter=Q(warning=RED)),
            yellow=Count("id", filter=Q(warning=YELLOW)),
            blue=Count("id", filter=Q(warning=BLUE)),
        )
        .order_by("-red", "-yellow", "-blue", "-open", "lead_unit__name")
    )
    warning_counts = {w: sum(row[w] for row in units) for w in WARNING_ORDER}
    more = max(0, len(units) - unit_limit)
    units = units[:unit_limit]
    items = annotated
    if status in Status.values:
        items = items.filter(status=status)
    if warning in WARNING_LABELS:
        items = items.filter(warning=warning)
    if unit_id:
        items = items.filter(Exists(ItemUnit.objects.filter(item=OuterRef("pk"), unit_id=unit_id)))
    items = items.select_related("lead_unit").order_by("deadline", "id")
    return Board(
        status_counts={s: status_counts.get(s, 0) for s in Status.values},
        warning_counts=warning_counts,
        units=units,
        units_more=more,
        items=items,
        total=sum(status_counts.values()),
        filters={"status": status, "unit": unit_id, "warning": warning},
    )


def my_items_near_due(user, limit: int = 5) -> list[Item]:
    """工作台 "我的督办": open items of the person's unit or under their supervision, most urgent first."""
    limits = Thresholds.for_today()
    query = annotate_warning(visible_items(user).filter(status__in=OPEN_STATUSES), limits)
    return list(query.select_related("lead_unit").order_by("deadline", "id")[:limit])


# --- statistics ---------------------------------------------------------------------------------------------


def _rate(on_time: int, counted: int) -> float | None:
    return round(on_time * 100.0 / counted, 1) if counted else None


def _stat_filters(today: date):
    """(counted, on time, late): counted = closed items plus items open past their deadline."""
    closed = Q(status=Status.CLOSED)
    overdue_open = Q(status__in=OPEN_STATUSES, deadline__lt=today)
    on_time = closed & Q(completed_on__lte=F("deadline"))
    late = (closed & Q(completed_on__gt=F("deadline"))) | overdue_open
    return closed | overdue_open, on_time, late


def unit_statistics(user, *, start: date, end: date, today: date | None = None) -> list[dict]:
    """On-time rate (按时办结率) per lead unit, for items whose deadline falls in [start, end]."""
    today = today or timezone.localdate()
    counted, on_time, late = _stat_filters(today)
    rows = (
        visible_items(user)
        .filter(deadline__gte=start, deadline__lte=end)
        .exclude(status=Status.CANCELLED)
        .order_by()
        .values("lead_unit_id", "lead_unit__name")
        .annotate(
            total=Count("id"),
            counted=Count("id", filter=counted),
            on_time=Count("id", filter=on_time),
            late=Count("id", filter=late),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        )
        .order_by("lead_unit__name")
    )
    return [{**row, "rate": _rate(row["on_time"], row["counted"])} for row in rows]


def monthly_statistics(user, *, start: date, end: date, today: date | None = None, unit_id=None) -> list[dict]:
    """On-time rate per month of deadline (optionally of one lead unit), every month of the range listed."""
    today = today or timezone.localdate()
    counted, on_time, late = _stat_filters(today)
    query = visible_items(user).filter(deadline__gte=start, deadline__lte=end).exclude(status=Status.CANCELLED)
    if unit_id:
        query = query.filter(lead_unit_id=unit_id)
    rows = {
        _month_key(row["month"]): row
        for row in query.order_by()
        .annotate(month=TruncMonth("deadline"))
        .values("month")
        .annotate(
            total=Count("id"),
            counted=Count("id", filter=counted),
            on_time=Count("id", filter=on_time),
            late=Count("id", filter=late),
        )
    }
    result = []
    for year, month in months_between(start, end):
        row = rows.get((year, month), {"total": 0, "counted": 0, "on_time": 0, "late": 0})
        result.append(
            {
                "year": year,
                "month": month,
                "label": f"{year}年{month}月",
                "total": row["total"],
                "counted": row["counted"],
                "on_time": row["on_time"],
                "late": row["late"],
                "rate": _rate(row["on_time"], row["counted"]),
            }
        )
    return result


def _month_key(value) -> tuple[int, int]:
    return (value.year, value.month)


def months_between(start: date, end: date) -> list[tuple[int, int]]:
    months, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first, following - timedelta(days=1)


# --- the monthly progress report of one unit ------------------------------------------------------------


def monthly_report_rows(user, unit, year: int, month: int, today: date | None = None) -> list[dict]:
    """One row per item the unit carries that was open at some time in the month, with the unit's progress
    reports of that month."""
    first, last = month_bounds(year, month)
    tz = timezone.get_current_timezone()
    month_start = datetime.combine(first, time.min, tzinfo=tz)
    month_end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    today = today or timezone.localdate()
    limits = Thresholds.for_today(min(today, last))
    items = (
        annotate_warning(visible_items(user), limits)
        .filter(assignments__unit=unit, created_at__lt=month_end)
        .exclude(status=Status.CANCELLED)
        .exclude(closed_at__lt=month_start)
        .select_related("lead_unit")
        .order_by("deadline", "id")
    )
    roles = dict(ItemUnit.objects.filter(unit=unit, item__in=items).values_list("item_id", "role"))
    reports: dict[int, list[ProgressReport]] = {}
    for report in ProgressReport.objects.filter(
        item__in=items, unit=unit, created_at__gte=month_start, created_at__lt=month_end
    ).order_by("created_at"):
        reports.setdefault(report.item_id, []).append(report)
    rows = []
    for item in items:
        on_time = ""
        if item.status == Status.CLOSED:
            on_time = "是" if item.completed_on and item.completed_on <= item.deadline else "否"
        elif item.deadline < today:
            on_time = "否（超期未办结）"
        rows.append(
            {
                "item": item,
                "title": item.title,
                "source": item.get_source_kind_display(),
                "role": UnitRole(roles.get(item.pk, UnitRole.COOPERATING)).label,
                "lead_unit": item.lead_unit.name,
                "deadline": f"{item.deadline:%Y-%m-%d}",
                "status": item.get_status_display(),
                "warning": WARNING_LABELS.get(item.warning, ""),
                "percent": item.progress_percent,
                "progress": "；".join(
                    f"{timezone.localtime(r.created_at):%m-%d} {r.text}" for r in reports.get(item.pk, [])
                ),
                "completed_on": f"{item.completed_on:%Y-%m-%d}" if item.status == Status.CLOSED else "",
                "on_time": on_time,
            }
        )
    return rows
