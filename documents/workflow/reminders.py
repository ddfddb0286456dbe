"""Automatic 办理时限 reminders (Celery beat, hourly; idempotent: one per flow and day). A reminder creates
no todo item (the open task already has one, with its deadline); it records a 系统催办 note and the audit
event and pushes a hint to the people who hold the open tasks."""

import datetime

from django.db import transaction
from django.utils import timezone

from oa.audit.services import record

from . import engine
from .models import Flow, FlowKind, FlowNote, NoteKind


def due_flows(today: datetime.date):
    return Flow.objects.filter(
        kind=FlowKind.INCOMING,
        finished_at__isnull=True,
        incoming__deadline__isnull=False,
        incoming__deadline__lte=today + datetime.timedelta(days=1),
    ).exclude(notes__kind=NoteKind.URGE, notes__author__isnull=True, notes__on_date=today)


def send_reminders(today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    sent = 0
    for flow in due_flows(today).select_related("incoming"):
        with transaction.atomic():
            flow = engine.lock(flow)
            if flow.notes.filter(kind=NoteKind.URGE, author__isnull=True, on_date=today).exists():
                continue
            deadline = flow.incoming.deadline
            state = "已超期" if deadline < today else "即将到期"
            text = f"办理时限 {deadline:%Y年%m月%d日}，{state}，请抓紧办理。"
            FlowNote.objects.create(flow=flow, kind=NoteKind.URGE, author=None, text=text, on_date=today)
            holders = [t.assignee_id for t in engine.open_tasks(flow)]
            record("系统", "documents.flow.remind", flow.incoming, after={"flow": flow.pk}, summary=text)
            engine.push(holders)
            engine.flow_changed(flow)
            sent += 1
    return sent
