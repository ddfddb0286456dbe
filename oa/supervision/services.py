"""Use cases of 督查督办. Each takes the acting person, checks permission through ``oa.permissions``, changes
state in one transaction (the item row locked), appends to the item's timeline, writes the audit event and,
after commit, notifies through the todo centre and pushes a hint to open boards.

Other apps raise items with ``raise_item`` (``documents`` from a leader's 批办, ``meetings`` from a decision);
they pass ``source_ref`` as an opaque "app.model:id" string and the URL of their page.
"""

import re
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from oa.audit.services import record
from oa.core.errors import NotFoundError, ServiceError
from oa.org.models import Person, Role, Unit
from oa.permissions import can, has_effective_role, require
from oa.supervision import notify, states
from oa.supervision.models import (
    Attachment,
    Event,
    EventKind,
    Item,
    ItemUnit,
    Milestone,
    ProgressReport,
    Reminder,
    ReminderKind,
    SourceKind,
    UnitRole,
)
from oa.supervision.push import board_changed_on_commit
from oa.supervision.uploads import check_uploads
from oa.supervision.workcalendar import WorkCalendar

SOURCE_REF = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*:[A-Za-z0-9_-]{1,40}$")
MAX_COOPERATING = 200
MAX_MILESTONES = 20
NOT_FOUND = "该督办事项不存在或您无权查看。"


# --- reading --------------------------------------------------------------------------------------------


def get_item_for(user, item_id) -> Item:
    """The item if ``user`` may see it; otherwise "missing" (404), never "forbidden", so ids cannot be probed."""
    item = None
    if str(item_id).isdigit():
        item = (
            Item.objects.select_related("raising_unit", "lead_unit", "supervisor", "leader").filter(pk=item_id).first()
        )
    if item is None or not can(user, "supervision.view_item", item):
        raise NotFoundError(NOT_FOUND)
    return item


def _check_visible(actor, item: Item) -> None:
    if actor is not None and not can(actor, "supervision.view_item", item):
        raise NotFoundError(NOT_FOUND)


# --- helpers --------------------------------------------------------------------------------------------


def _text(value, label: str, field: str, max_length: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(f"{label}不能为空。", field=field)
    if len(value) > max_length:
        raise ServiceError(f"{label}不能超过 {max_length} 个字。", field=field)
    return value


def _name(actor) -> str:
    return actor.get_full_name() if actor is not None else "系统"


def _event(item, kind, actor, text="", unit=None) -> Event:
    return Event.objects.create(item=item, kind=kind, actor=actor, actor_name=_name(actor), unit=unit, text=text)


def _snapshot(item: Item) -> dict:
    return {
        "status": item.status,
        "deadline": item.deadline.isoformat(),
        "lead_unit": item.lead_unit_id,
        "progress": item.progress_percent,
    }


def _lock(item: Item) -> Item:
    locked = (
        Item.objects.select_for_update(of=("self",))
        .select_related("raising_unit", "lead_unit", "supervisor", "leader")
        .get(pk=item.pk)
    )
    return locked


def _unit_ids(item: Item) -> list[int]:
    return list(item.assignments.values_list("unit_id", flat=True))


def _as_date(value, field: str, label: str) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ServiceError(f"{label}格式不正确，应为日期（如 2026-10-09）。", field=field)


def resolve_deadline(value, calendar: WorkCalendar, today: date) -> tuple[date, list[str]]:
    """A deadline given as a date or as a number of working days from today. A date on a day off moves to the
    next working day (节假日顺延). Returns the date and notes for the person (顺延, unpublished years)."""
    notes: list[str] = []
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1 or value > 1000:
            raise ServiceError("办结时限应为 1 至 1000 个工作日。", field="deadline")
        deadline = calendar.add_workdays(today, value)
    else:
        deadline = _as_date(value, "deadline", "办结时限")
        if deadline < today:
            raise ServiceError("办结时限不能早于今天。", field="deadline")
        rolled = calendar.next_workday(deadline)
        if rolled != deadline:
            holiday = calendar.holiday_name(deadline)
            notes.append(f"办结时限 {deadline:%Y-%m-%d} 是{holiday or '休息日'}，顺延至 {rolled:%Y-%m-%d}。")
            deadline = rolled
    notes.extend(calendar.warnings_for(today, deadline))
    return deadline, notes


def _clean_milestones(milestones, deadline: date, today: date) -> list[tuple[str, date]]:
    cleaned = []
    for entry in milestones or ():
        if isinstance(entry, dict):
            title, due = entry.get("title"), entry.get("due_date")
        else:
            title, due = entry
        title = _text(title, "节点名称", "milestones", 100)
        due = _as_date(due, "milestones", f"节点“{title}”的时限")
        if due < today or due > deadline:
            raise ServiceError(f"节点“{title}”的时限应在今天与办结时限之间。", field="milestones")
        cleaned.append((title, due))
    if len(cleaned) > MAX_MILESTONES:
        raise ServiceError(f"时间节点不能超过 {MAX_MILESTONES} 个。", field="milestones")
    return sorted(cleaned, key=lambda m: m[1])


def _clean_units(lead_unit, cooperating_units) -> tuple[Unit, list[Unit]]:
    if not isinstance(lead_unit, Unit) or not lead_unit.is_active:
        raise ServiceError("请选择启用中的牵头单位。", field="lead_unit")
    seen, cooperating = {lead_unit.pk}, []
    for unit in cooperating_units or ():
        if not isinstance(unit, Unit) or not unit.is_active:
            raise ServiceError("配合单位须为启用中的单位。", field="cooperating_units")
        if unit.pk not in seen:
            seen.add(unit.pk)
            cooperating.append(unit)
    if len(cooperating) > MAX_COOPERATING:
        raise ServiceError(f"配合单位不能超过 {MAX_COOPERATING} 个。", field="cooperating_units")
    return lead_unit, cooperating


# --- raising --------------------------------------------------------------------------------------------


def raise_item(
    actor,
    *,
    title: str,
    instruction: str,
    source_kind: str,
    source_ref: str = "",
    source_url: str = "",
    lead_unit: Unit,
    cooperating_units=(),
    deadline,
    milestones=(),
    supervisor: Person | None = None,
    leader: Person | None = None,
    report_interval: int = 5,
) -> Item:
    """立项: a 督办 item for ``lead_unit`` (牵头) and ``cooperating_units`` (配合) by ``deadline`` (a date — moved
    to the next working day if it is a day off — or a number of working days from today).

    ``actor`` is the 督查员 or the leader of the raising unit (their own unit); None is the system, raising
    for ``supervisor``'s (else ``leader``'s) unit. ``milestones`` is a list of (title, due_date) or dicts.
    ``supervisor`` must be a 督查员 of the raising unit (default: the actor when they are one; otherwise all
    of the unit's 督查员 share the item). ``leader`` defaults to the actor when they are a leader and the item
    comes from an instruction. The returned item carries ``notes`` (顺延, years without a holiday arrangement).
    """
    origin = actor if actor is not None else (supervisor or leader)
    raising_unit = getattr(origin, "unit", None)
    if raising_unit is None:
        raise ServiceError("无法确定立项单位：立项人须属于某个单位。")
    require(actor, "supervision.raise_item", raising_unit, "只有本单位的督查员或领导可以立项督办。")
    title = _text(title, "督办事项", "title", 200)
    instruction = _text(instruction, "批示/决定内容", "instruction", 5000)
    if source_kind not in SourceKind.values:
        raise ServiceError("来源只能是领导批示、会议决定或直接立项。", field="source_kind")
    source_ref = (source_ref or "").strip()
    if source_ref and not SOURCE_REF.match(source_ref):
        raise ServiceError("来源对象格式应为“应用.模型:编号”。", field="source_ref")
    source_url = (source_url or "").strip()
    if source_url and (not source_url.startswith("/") or source_url.startswith("//") or len(source_url) > 300):
        raise ServiceError("来源地址必须是本系统内的页面地址。", field="source_url")
    if not isinstance(report_interval, int) or not 1 <= report_interval <= 60:
        raise ServiceError("进展报送周期应为 1 至 60 个工作日。", field="report_interval")
    lead_unit, cooperating = _clean_units(lead_unit, cooperating_units)
    if supervisor is None and actor is not None and has_effective_role(actor, Role.SUPERVISOR, raising_unit.pk):
        supervisor = actor
    if supervisor is not None and not (
        supervisor.is_active and has_effective_role(supervisor, Role.SUPERVISOR, raising_unit.pk)
    ):
        raise ServiceError("督查员须为立项单位的督查员。", field="supervisor")
    if leader is None and actor is not None and source_kind == SourceKind.INSTRUCTION:
        if has_effective_role(actor, Role.SIGNER, raising_unit.pk):
            leader = actor
    if leader is not None and not leader.is_active:
        raise ServiceError("批示领导的账号已停用。", field="leader")
    if source_kind == SourceKind.INSTRUCTION and leader is None:
        raise ServiceError("领导批示的督办事项须注明批示领导。", field="leader")

    calendar = WorkCalendar()
    today = timezone.localdate()
    deadline, notes = resolve_deadline(deadline, calendar, today)
    cleaned_milestones = _clean_milestones(milestones, deadline, today)

    with transaction.atomic():
        item = Item.objects.create(
            title=title,
            instruction=instruction,
            source_kind=source_kind,
            source_ref=source_ref,
            source_url=source_url,
            raising_unit=raising_unit,
            raised_by=actor,
            supervisor=supervisor,
            leader=leader,
            lead_unit=lead_unit,
            deadline=deadline,
            report_interval=report_interval,
        )
        ItemUnit.objects.create(item=item, unit=lead_unit, role=UnitRole.LEAD)
        ItemUnit.objects.bulk_create(ItemUnit(item=item, unit=u, role=UnitRole.COOPERATING) for u in cooperating)
        Milestone.objects.bulk_create(Milestone(item=item, title=t, due_date=d) for t, d in cleaned_milestones)
        units_text = lead_unit.name + ("；配合：" + "、".join(u.name for u in cooperating) if cooperating else "")
        _event(item, EventKind.RAISED, actor, f"牵头：{units_text}；时限 {deadline:%Y-%m-%d}。" + "".join(notes))
        record(actor or "系统", "supervision.raise", item, after=_snapshot(item), summary=f"立项督办《{title}》")
        for unit in [lead_unit, *cooperating]:
            notify.todo(
                actor,
                notify.unit_handlers(unit),
                item,
                step="签收督办",
                source_id=notify.sign_source(item, unit.pk),
                deadline=deadline,
            )
        board_changed_on_commit(item, [lead_unit.pk, *(u.pk for u in cooperating)])
    item.notes = notes
    return item


# --- the units ------------------------------------------------------------------------------------------


def sign_item(actor, item: Item) -> Item:
    """签收 for the actor's own unit (its 收发员 or leader). The lead unit's 签收 starts the work."""
    _check_visible(actor, item)
    require(actor, "supervision.sign_item", item, "只有承办单位的收发员或领导可以签收。")
    calendar = WorkCalendar()
    with transaction.atomic():
        item = _lock(item)
        assignment = ItemUnit.objects.select_for_update().get(item=item, unit_id=actor.unit_id)
        if assignment.signed_at is not None:
            raise ServiceError(f"本单位已于 {timezone.localtime(assignment.signed_at):%Y-%m-%d %H:%M} 签收。")
        before = _snapshot(item)
        is_lead = assignment.role == UnitRole.LEAD
        item.status = states.check(item.status, "sign_lead" if is_lead else "sign_cooperating")
        now = timezone.now()
        assignment.signed_at, assignment.signed_by = now, actor
        assignment.save(update_fields=["signed_at", "signed_by"])
        if is_lead:
            item.next_report_due = calendar.add_workdays(timezone.localdate(), item.report_interval)
            item.save(update_fields=["status", "next_report_due", "updated_at"])
        _event(item, EventKind.SIGNED, actor, f"{assignment.get_role_display()}签收", unit=actor.unit)
        record(
            actor, "supervision.sign", item, before=before, after=_snapshot(item), summary=f"签收督办《{item.title}》"
        )
        notify.complete_for_source(notify.SOURCE_APP, notify.sign_source(item, actor.unit_id), actor=actor)
        notify.todo(
            actor,
            notify.unit_handlers(actor.unit),
            item,
            step="办理督办",
            source_id=notify.handle_source(item, actor.unit_id),
            deadline=item.deadline,
        )
        board_changed_on_commit(item, _unit_ids(item))
    return item


def report_progress(actor, item: Item, *, text: str, percent=None, milestone=None, attachments=()) -> ProgressReport:
    """报送进展 for the actor's unit, with optional attachments (checked by content) and a milestone done."""
    _check_visible(actor, item)
    require(actor, "supervision.report_progress", item, "只有承办单位可以报送进展。")
    text = _text(text, "进展情况", "text", 5000)
    if percent in (None, ""):
        percent = None
    else:
        try:
            percent = int(percent)
        except (TypeError, ValueError):
            percent = -1
        if not 0 <= percent <= 100:
            raise ServiceError("完成进度应为 0 至 100 之间的整数。", field="percent")
    files = check_uploads(attachments)
    calendar = WorkCalendar()
    with transaction.atomic():
        item = _lock(item)
        states.check(item.status, "report_progress")
        assignment = ItemUnit.objects.get(item=item, unit_id=actor.unit_id)
        if assignment.signed_at is None:
            raise ServiceError("本单位尚未签收该事项，请先签收再报送进展。")
        done_milestone = None
        if milestone not in (None, ""):
            done_milestone = Milestone.objects.filter(item=item, pk=getattr(milestone, "pk", milestone)).first()
            if done_milestone is None:
                raise ServiceError("所选时间节点不属于该事项。", field="milestone")
            if done_milestone.done_at is not None:
                raise ServiceError(f"节点“{done_milestone.title}”已完成。", field="milestone")
        before = _snapshot(item)
        report = ProgressReport.objects.create(
            item=item, unit=actor.unit, author=actor, text=text, percent=percent or 0, milestone=done_milestone
        )
        for checked in files:
            Attachment.objects.create(
                report=report,
                file=checked.upload,
                name=checked.name,
                kind=checked.kind,
                size=checked.size,
                sha256=checked.sha256,
            )
        now = timezone.now()
        if done_milestone is not None:
            done_milestone.done_at = now
            done_milestone.save(update_fields=["done_at"])
        fields = ["last_progress_at", "updated_at"]
        item.last_progress_at = now
        if assignment.role == UnitRole.LEAD:
            item.next_report_due = calendar.add_workdays(timezone.localdate(), item.report_interval)
            fields.append("next_report_due")
            if percent is not None:
                item.progress_percent = percent
                fields.append("progress_percent")
        item.save(update_fields=fields)
        summary = text[:200] + (f"（完成节点：{done_milestone.title}）" if done_milestone else "")
        _event(item, EventKind.PROGRESS, actor, summary, unit=actor.unit)
        record(
            actor,
            "supervision.progress",
            item,
            before=before,
            after=_snapshot(item),
            summary=f"报送进展《{item.title}》",
        )
        notify.notice(actor, notify.supervisors_of(item), item, step="督办进展", title=f"【进展】{item.title}")
        board_changed_on_commit(item, _unit_ids(item))
    return report


def request_close(actor, item: Item, *, text: str) -> Item:
    """申请办结 by the lead unit's 收发员 or leader, with the result in words."""
    _check_visible(actor, item)
    require(actor, "supervision.request_close", item, "只有牵头单位的收发员或领导可以申请办结。")
    text = _text(text, "办理结果", "text", 5000)
    with transaction.atomic():
        item = _lock(item)
        before = _snapshot(item)
        item.status = states.check(item.status, "request_close")
        item.completed_on = timezone.localdate()
        item.save(update_fields=["status", "completed_on", "updated_at"])
        _event(item, EventKind.CLOSE_REQUESTED, actor, text, unit=actor.unit)
        record(
            actor,
            "supervision.request_close",
            item,
            before=before,
            after=_snapshot(item),
            summary=f"申请办结《{item.title}》",
        )
        notify.complete_for_source(notify.SOURCE_APP, notify.handle_source(item, item.lead_unit_id), actor=actor)
        notify.todo(actor, notify.supervisors_of(item), item, step="审核办结", source_id=notify.review_source(item))
        board_changed_on_commit(item, _unit_ids(item))
    return item


# --- the 督查员 -------------------------------------------------------------------------------------------


def _decide(actor, item: Item) -> None:
    _check_visible(actor, item)
    require(actor, "supervision.decide", item, "只有负责该事项的督查员可以操作。")


def approve_close(actor, item: Item, *, opinion: str = "") -> Item:
    """同意办结."""
    _decide(actor, item)
    opinion = _text(opinion, "审核意见", "opinion", 1000, required=False)
    with transaction.atomic():
        item = _lock(item)
        before = _snapshot(item)
        item.status = states.check(item.status, "approve_close")
        item.closed_at = timezone.now()
        item.save(update_fields=["status", "closed_at", "updated_at"])
        _event(item, EventKind.CLOSED, actor, opinion or "同意办结。")
        record(
            actor,
            "supervision.approve_close",
            item,
            before=before,
            after=_snapshot(item),
            summary=f"同意办结《{item.title}》",
        )
        unit_ids = _unit_ids(item)
        notify.close_all(item, actor, unit_ids)
        notify.notice(
            actor,
            [*notify.unit_handlers(item.lead_unit), *notify.leaders_of(item)],
            item,
            step="督办办结",
            title=f"【已办结】{item.title}",
        )
        board_changed_on_commit(item, unit_ids)
    return item


def send_back(actor, item: Item, *, reason: str) -> Item:
    """退回: the close request is refused; the lead unit carries on. A reason is required."""
    _decide(actor, item)
    reason = _text(reason, "退回理由", "reason", 1000)
    calendar = WorkCalendar()
    with transaction.atomic():
        item = _lock(item)
        before = _snapshot(item)
        item.status = states.check(item.status, "send_back")
        item.completed_on = None
        item.next_report_due = calendar.add_workdays(timezone.localdate(), item.report_interval)
        item.save(update_fields=["status", "completed_on", "next_report_due", "updated_at"])
        _event(item, EventKind.SENT_BACK, actor, reason)
        record(
            actor,
            "supervision.send_back",
            item,
            before=before,
            after=_snapshot(item),
            summary=f"退回《{item.title}》：{reason}",
        )
        notify.complete_for_source(notify.SOURCE_APP, notify.review_source(item), actor=actor)
        handlers = notify.unit_handlers(item.lead_unit)
        notify.notice(actor, handlers, item, step="督办退回", title=f"【退回】{item.title}：{reason[:60]}")
        notify.todo(
            actor,
            handlers,
            item,
            step="办理督办",
            source_id=notify.handle_source(item, item.lead_unit_id),
            deadline=item.deadline,
        )
        board_changed_on_commit(item, _unit_ids(item))
    return item


def cancel_item(actor, item: Item, *, reason: str) -> Item:
    """撤销 (e.g. the instruction was withdrawn). A reason is required."""
    _decide(actor, item)
    reason = _text(reason, "撤销理由", "reason", 1000)
    with transaction.atomic():
        item = _lock(item)
        before = _snapshot(item)
        item.status = states.check(item.status, "cancel")
        item.save(update_fields=["status", "updated_at"])
        _event(item, EventKind.CANCELLED, actor, reason)
        record(
            actor, "supervision.cancel", item, before=before, after=_snapshot(item), summary=f"撤销督办《{item.title}》"
        )
        unit_ids = _unit_ids(item)
        notify.close_all(item, actor, unit_ids)
        owners = [p for u in Unit.objects.filter(pk__in=unit_ids) for p in notify.unit_handlers(u)]
        notify.notice(actor, owners, item, step="督办撤销", title=f"【已撤销】{item.title}")
        board_changed_on_commit(item, unit_ids)
    return item


def remind(actor, item: Item, *, text: str = "") -> Reminder:
    """人工催办 by the 督查员: a 待阅 to the handlers of every unit that has not finished (all carrying units)."""
    _decide(actor, item)
    text = _text(text, "催办内容", "text", 300, required=False)
    with transaction.atomic():
        item = _lock(item)
        states.check(item.status, "remind")
        return send_reminder(actor, item, ReminderKind.MANUAL, timezone.localdate(), text=text)


def send_reminder(actor, item: Item, kind: str, on_date: date, *, text: str = "") -> Reminder:
    """Record and deliver one reminder (inside the caller's transaction, item locked). Reminders go to the
    units' handlers; escalations go to the 督查员 and the leader."""
    unit_ids = _unit_ids(item)
    if kind == ReminderKind.ESCALATION:
        owners = [*notify.supervisors_of(item), *notify.leaders_of(item)]
        step, prefix = "超期报告", "【超期】"
        event_kind = EventKind.ESCALATED
    else:
        units = Unit.objects.filter(pk__in=unit_ids).order_by("pk")
        owners = [p for u in units for p in notify.unit_handlers(u)]
        step, prefix = "督办催办", "【催办】"
        event_kind = EventKind.REMINDED
    label = ReminderKind(kind).label
    message = text or default_reminder_text(item, kind, on_date)
    reminder = Reminder.objects.create(item=item, kind=kind, on_date=on_date, actor=actor, text=message[:300])
    count = notify.notice(actor, owners, item, step=step, title=f"{prefix}{item.title}")
    reminder.recipients = count
    reminder.save(update_fields=["recipients"])
    _event(item, event_kind, actor, f"{label}：{message}")
    record(
        actor or "系统",
        f"supervision.{kind}",
        item,
        after={"kind": kind, "on": on_date.isoformat()},
        summary=f"{label}《{item.title}》",
    )
    board_changed_on_commit(item, unit_ids)
    return reminder


def default_reminder_text(item: Item, kind: str, on_date: date) -> str:
    deadline = f"{item.deadline:%Y-%m-%d}"
    return {
        ReminderKind.BEFORE: f"距办结时限 {deadline} 不足 3 个工作日，请抓紧办理。",
        ReminderKind.DUE: f"今天（{deadline}）是办结时限，请按时办结或报送进展。",
        ReminderKind.OVERDUE: f"已超过办结时限 {deadline}，请立即办理并说明原因。",
        ReminderKind.ESCALATION: f"事项已超过办结时限 {deadline} 仍未办结，请督促牵头单位。",
        ReminderKind.MANUAL: f"请抓紧办理，办结时限 {deadline}。",
    }[kind]
