"""Append-only, hash-chained audit trail.

Each event stores the hash of the previous one; ``hash = sha256(prev_hash + canonical(event))``.
Editing, deleting, inserting or reordering any event breaks the chain from that point
(``manage.py verify_audit``).  ``ChainHead`` is one row locked for every append, so concurrent writers
queue instead of forking the chain.  ``Checkpoint`` rows sign the head with a key the database does not
hold, so rewriting the whole chain is detected too.

Three layers keep events append-only: the model and its manager refuse updates and deletes, database
triggers (migration 0003, ``oa.audit.dbguard``) refuse them for any SQL client, and — for someone who
drops the triggers — ``verify_audit`` detects the change.
"""

import hashlib
import json
from datetime import UTC, datetime

from django.conf import settings
from django.db import models


class Result(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"
    DENIED = "denied", "拒绝"


GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    pass


def iso_utc(value: datetime) -> str:
    """One text form for a timestamp, whatever the database hands back (SQLite text, PostgreSQL timestamptz)."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


# Hashed fields, in the order ``values_list`` returns them for verification.
HASHED_FIELDS = (
    "seq",
    "created_at",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "result",
    "before",
    "after",
    "summary",
    "client_address",
)


def canonical(values: dict) -> str:
    # actor_id is not hashed (the person may be deleted → SET NULL); actor_name is.
    payload = dict(values)
    payload["created_at"] = iso_utc(payload["created_at"])
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(prev_hash: str, values: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(values)).encode("utf-8")).hexdigest()


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk writes would bypass the chain: refuse them. (Django's delete collector uses ``_base_manager``,
    so deleting a person still nulls ``actor_id``.)"""

    def update(self, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError("审计记录只能追加，不能删除。")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("审计记录只能追加，不能修改。")

    def bulk_create(self, *args, **kwargs):
        raise AppendOnlyError("审计事件只能通过 oa.audit.services.record 逐条追加。")

    update_or_create = update  # type: ignore[assignment]


class AuditEvent(models.Model):
    seq = models.BigIntegerField("序号", unique=True)
    created_at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=80, blank=True)
    action = models.CharField("操作", max_length=60, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.SUCCESS)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    summary = models.CharField("摘要", max_length=300, blank=True)
    client_address = models.CharField("客户端地址", max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("审计事件只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计事件只能追加，不能删除。")

    def hashed_values(self) -> dict:
        return {name: getattr(self, name) for name in HASHED_FIELDS}

    def canonical(self) -> str:
        return canonical(self.hashed_values())

    def compute_hash(self) -> str:
        return chain_hash(self.prev_hash, self.hashed_values())


class ChainHead(models.Model):
    """Single row (pk=1): the last sequence number and hash. Locked on every append."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


class Checkpoint(models.Model):
    """A signature over (seq, hash) of the chain head at some moment."""

    seq = models.BigIntegerField("序号", unique=True)
    hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField("签名时间")
    key_id = models.CharField("密钥标识", max_length=64)
    signature = models.TextField("签名")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "审计链签名点"
        verbose_name_plural = "审计链签名点"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("签名点只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("签名点只能追加，不能删除。")

    def message(self) -> bytes:
        return f"oa-audit-checkpoint|{self.seq}|{self.hash}|{iso_utc(self.signed_at)}".encode()


class VerificationRun(models.Model):
    """One run of the chain verification started from the trail viewer (runs as a Celery task)."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "校验中"
        INTACT = "intact", "完整"
        BROKEN = "broken", "已被篡改"
        ERROR = "error", "校验出错"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.BigIntegerField("事件总数", default=0)
    checked = models.BigIntegerField("已校验", default=0)
    checkpoints_checked = models.IntegerField("已校验签名点", default=0)
    last_checkpoint_seq = models.BigIntegerField("最近签名点序号", null=True, blank=True)
    first_broken_seq = models.BigIntegerField("首个异常序号", null=True, blank=True)
    message = models.TextField("结论", blank=True)

    class Meta:
        verbose_name = "审计链校验"
        verbose_name_plural = "审计链校验"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.INTACT, self.Status.BROKEN, self.Status.ERROR)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        return int(self.checked * 100 / self.total) if self.total else 0
