"""Watch the 收文 workflow for 办结 without touching it. ``documents.workflow.incoming`` finishes a flow with
``engine.finish`` (``Flow.save``) and copies the state to the 收文 with a queryset ``update`` — which sends no
signal — so both saves are watched: whichever arrives, the work runs once, after commit, idempotently."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from documents.workflow.models import Flow, FlowKind, IncomingDocument

from . import done_receipts


def _after_commit(flow_id: int) -> None:
    transaction.on_commit(lambda: done_receipts.enqueue_for_flow(flow_id), robust=True)


@receiver(post_save, sender=Flow, dispatch_uid="exchange.done_receipt.flow")
def flow_saved(sender, instance: Flow, created: bool, **kwargs) -> None:
    if instance.kind == FlowKind.INCOMING and instance.state == done_receipts.FINISHED and instance.finished_at:
        _after_commit(instance.pk)


@receiver(post_save, sender=IncomingDocument, dispatch_uid="exchange.done_receipt.incoming")
def incoming_saved(sender, instance: IncomingDocument, created: bool, **kwargs) -> None:
    if instance.status != done_receipts.FINISHED:
        return
    flow_id = Flow.objects.filter(incoming_id=instance.pk).values_list("pk", flat=True).first()
    if flow_id is not None:
        _after_commit(flow_id)
