"""Use cases of the audit trail viewer: only the 审计管理员 (perm ``audit.view_trail``) reads the trail, and
reading it is itself audited."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from oa.audit.models import AuditEvent, Checkpoint, Result, VerificationRun
from oa.audit.services import record, record_outside
from oa.core.errors import PermissionDeniedError
from oa.permissions import can

VIEW_PERM = "audit.view_trail"
DENIED_MESSAGE = "只有审计管理员可以查看审计日志。"


def require_auditor(actor, action: str = VIEW_PERM) -> None:
    """Unlike ``oa.permissions.require`` there is no system bypass: a missing actor is refused too."""
    if actor is not None and can(actor, VIEW_PERM):
        return
    record_outside(actor, action, None, result=Result.DENIED, summary=DENIED_MESSAGE)
    raise PermissionDeniedError(DENIED_MESSAGE)


@dataclass(frozen=True)
class TrailFilter:
    actor: str = ""
    action: str = ""
    object: str = ""
    result: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> str:
        parts = [f"{label}={value}" for label, value in self._labelled() if value]
        return "，".join(parts) if parts else "全部"

    def as_dict(self) -> dict:
        return {key: (str(value) if value else "") for key, value in self.__dict__.items()}

    def _labelled(self):
        yield "操作人", self.actor
        yield "操作", self.action
        yield "对象", self.object
        yield "结果", Result(self.result).label if self.result else ""
        yield "起始日期", self.date_from
        yield "截止日期", self.date_to


def view_trail(actor, filters: TrailFilter, *, page: int = 1) -> QuerySet[AuditEvent]:
    """The events matching ``filters``, newest first. Records that ``actor`` looked (and what for)."""
    require_auditor(actor)
    record(
        actor,
        "audit.view_trail",
        None,
        after={"filters": filters.as_dict(), "page": page},
        summary=f"查看审计日志（{filters.describe()}，第 {page} 页）",
    )
    return _filtered(filters)


def _filtered(filters: TrailFilter) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if filters.actor:
        events = events.filter(actor_name__icontains=filters.actor)
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    if filters.object:
        term = filters.object
        events = events.filter(object_repr__icontains=term) | events.filter(object_id=term)
    if filters.result:
        events = events.filter(result=filters.result)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        events = events.filter(created_at__gte=datetime.combine(filters.date_from, time.min, tzinfo=tz))
    if filters.date_to:
        day_after = filters.date_to + timedelta(days=1)
        events = events.filter(created_at__lt=datetime.combine(day_after, time.min, tzinfo=tz))
    return events.order_by("-seq")


def chain_status(actor) -> dict:
    require_auditor(actor)
    return {
        "latest_checkpoint": Checkpoint.objects.order_by("-seq").first(),
        "last_finished_run": VerificationRun.objects.exclude(
            status__in=[VerificationRun.Status.PENDING, VerificationRun.Status.RUNNING]
        ).first(),
        "last_intact_run": VerificationRun.objects.filter(status=VerificationRun.Status.INTACT).first(),
    }


def start_verification(actor) -> VerificationRun:
    """Queue a full verification (Celery task ``oa.audit.tasks.verify_chain``); one runs at a time."""
    from oa.audit.tasks import verify_chain

    require_auditor(actor, "audit.verify")
    with transaction.atomic():
        active = VerificationRun.objects.filter(
            status__in=[VerificationRun.Status.PENDING, VerificationRun.Status.RUNNING],
            created_at__gte=timezone.now() - timedelta(hours=1),
        ).first()
        if active is not None:
            return active
        run = VerificationRun.objects.create(requested_by=actor)
        record(actor, "audit.verify", run, summary="发起审计链完整性校验")
        transaction.on_commit(lambda: verify_chain.delay(run.pk))
    return run


def verification(actor, run_id: int) -> VerificationRun | None:
    require_auditor(actor)
    return VerificationRun.objects.filter(pk=run_id).first()
