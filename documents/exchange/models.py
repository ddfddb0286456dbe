"""公文交换: one Delivery (outbox row) per (document, recipient unit), its 回执, the hash-chained exchange
ledger and the per-unit event sequence used by live pages to notice lost pushes."""

from django.conf import settings
from django.db import models

from oa.org.models import Unit

GENESIS_HASH = "0" * 64


class Kind(models.TextChoices):
    MAIN = "main", "主送"
    CC = "cc", "抄送"


class State(models.TextChoices):
    PENDING = "pending", "待发送"
    DELIVERED = "delivered", "已送达"
    SIGNED = "signed", "已签收"
    RETURNED = "returned", "已退回"
    RECALLED = "recalled", "已撤回"
    REJECTED = "rejected", "已拒收"


# A recipient may act (签收/退回) and the sender may 撤回 only while the row is in one of these states.
OPEN_STATES = (State.PENDING, State.DELIVERED)


class Delivery(models.Model):
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="deliveries")
    sender_unit = models.ForeignKey(Unit, verbose_name="发文单位", on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Unit, verbose_name="收文单位", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("主送/抄送", max_length=4, choices=Kind.choices, default=Kind.MAIN)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    package_sha256 = models.CharField("交换包摘要", max_length=64)
    attempts = models.PositiveIntegerField("投递次数", default=0)
    round = models.PositiveIntegerField("发送轮次", default=1)
    seal_report = models.JSONField("验章报告", null=True, blank=True)
    flagged = models.BooleanField("异常", default=False)
    flag_reason = models.CharField("异常原因", max_length=300, blank=True)
    return_reason = models.CharField("退回原因", max_length=300, blank=True)
    incoming_flow_id = models.PositiveBigIntegerField("收文流程", null=True, blank=True, db_index=True)
    want_done_receipt = models.BooleanField("要求办结回执", default=False)
    urge_count = models.PositiveIntegerField("催收次数", default=0)
    urged_at = models.DateTimeField("最近催收时间", null=True, blank=True)
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("分发时间", auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    finished_at = models.DateTimeField("签收/退回/撤回时间", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "交换投递"
        verbose_name_plural = "交换投递"
        ordering = ["document_id", "recipient__path"]
        constraints = [models.UniqueConstraint(fields=["document", "recipient"], name="exchange_delivery_unique")]
        indexes = [models.Index(fields=["recipient", "state"]), models.Index(fields=["state", "enqueued_at"])]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.recipient_id}（{self.get_state_display()}）"


class Receipt(models.Model):
    """回执 of a 签收: who signed for which exact package bytes and when, signed with the receiving unit's
    official seal certificate when it holds a key (``signature`` empty otherwise)."""

    delivery = models.OneToOneField(Delivery, on_delete=models.PROTECT, related_name="receipt")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签收人", on_delete=models.PROTECT, related_name="+"
    )
    clerk_name = models.CharField("签收人姓名", max_length=40)
    signed_at = models.DateTimeField("签收时间")
    package_sha256 = models.CharField("交换包摘要", max_length=64)
    message = models.TextField("签名内容")
    certificate = models.ForeignKey(
        "signing.Certificate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signature = models.BinaryField("签名", null=True, blank=True)

    class Meta:
        verbose_name = "回执"
        verbose_name_plural = "回执"

    def __str__(self) -> str:
        return f"回执 {self.delivery_id}（{self.clerk_name}）"


class DoneReceipt(models.Model):
    """办结回执, asked for at dispatch: the recipient's 收文 reached 办结 — who finished it and when, over the
    same package hash, signed with the receiving unit's seal certificate like the 签收 回执."""

    delivery = models.OneToOneField(Delivery, on_delete=models.PROTECT, related_name="done_receipt")
    finisher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办结人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    finisher_name = models.CharField("办结人姓名", max_length=40)
    finished_at = models.DateTimeField("办结时间")
    package_sha256 = models.CharField("交换包摘要", max_length=64)
    message = models.TextField("签名内容")
    certificate = models.ForeignKey(
        "signing.Certificate", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signature = models.BinaryField("签名", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "办结回执"
        verbose_name_plural = "办结回执"

    def __str__(self) -> str:
        return f"办结回执 {self.delivery_id}（{self.finisher_name}）"


class LedgerEntry(models.Model):
    """Append-only; ``hash = sha256(prev_hash + canonical(values))`` (see ``documents.exchange.ledger``)."""

    seq = models.PositiveBigIntegerField(unique=True)
    event = models.CharField(max_length=20)
    delivery_id_ref = models.PositiveBigIntegerField(db_index=True)
    document_id_ref = models.PositiveBigIntegerField()
    sender_unit_id_ref = models.PositiveBigIntegerField()
    recipient_id_ref = models.PositiveBigIntegerField()
    actor_name = models.CharField(max_length=60)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = "交换台账"
        verbose_name_plural = "交换台账"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.event}"


class LedgerHead(models.Model):
    """Single row (pk=1), locked on every append so the chain never forks."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


class UnitStream(models.Model):
    """Per-unit event counter: every push to a unit's pages carries the next number, so a page that sees a
    gap (a dropped push) resyncs from the server."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.seq}"
