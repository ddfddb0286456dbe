"""Celery tasks of the audit trail (idempotent)."""

import logging

from celery import shared_task
from django.utils import timezone

from oa.audit.models import VerificationRun

logger = logging.getLogger(__name__)


@shared_task(name="oa.audit.tasks.sign_chain_head")
def sign_chain_head() -> dict:
    """Periodic (CELERY_BEAT_SCHEDULE): sign the chain head when it moved since the last checkpoint."""
    from oa.audit.signing import ChainNotSigned
    from oa.audit.signing import sign_chain_head as sign

    try:
        checkpoint = sign()
    except ChainNotSigned as exc:
        logger.error("audit chain head not signed: %s", exc)
        return {"signed": False, "error": str(exc)}
    if checkpoint is None:
        return {"signed": False}
    return {"signed": True, "seq": checkpoint.seq, "hash": checkpoint.hash}


@shared_task(name="oa.audit.tasks.verify_chain")
def verify_chain(run_id: int) -> str:
    """Verify the whole chain for a ``VerificationRun`` started from the viewer, writing progress as it goes."""
    from oa.audit.verify import verify_chain as verify

    runs = VerificationRun.objects.filter(pk=run_id)
    if not runs.filter(status=VerificationRun.Status.PENDING).update(status=VerificationRun.Status.RUNNING):
        return "skipped"  # already run (a redelivered message)

    def progress(checked: int, total: int) -> None:
        runs.update(checked=checked, total=total)

    try:
        report = verify(progress)
    except Exception as exc:  # the run must end visibly, not stay "校验中" forever
        logger.exception("audit verification %s failed", run_id)
        runs.update(status=VerificationRun.Status.ERROR, finished_at=timezone.now(), message=f"校验出错：{exc}")
        return "error"
    runs.update(
        status=VerificationRun.Status.INTACT if report.ok else VerificationRun.Status.BROKEN,
        finished_at=timezone.now(),
        total=report.total,
        checked=report.checked,
        checkpoints_checked=report.checkpoints_checked,
        last_checkpoint_seq=report.last_checkpoint_seq,
        first_broken_seq=report.problem.seq if report.problem else None,
        message=report.message,
    )
    return "intact" if report.ok else "broken"
