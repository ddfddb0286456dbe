from celery import shared_task


@shared_task(name="documents.tasks.send_flow_reminders")
def send_flow_reminders() -> int:
    """收文办理时限 reminders (beat entry ``document-flow-reminders`` in settings)."""
    from documents.workflow.reminders import send_reminders

    return send_reminders()
