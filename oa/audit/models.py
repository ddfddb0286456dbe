"""Append-only, hash-chained audit trail.

Each event stores the hash of the previous one; ``hash = sha256(prev_hash + canonical(event))``.
Editing, deleting, inserting or reordering any event breaks the chain from that point
(``manage.py verify_audit``).  ``ChainHead`` is one row locked for every append, so concurrent writers
queue instead of forking the chain.  ``Checkpoint`` rows sign the head with a key the database does not
hold, so rewriting the whole chain is detected too.
"""

import hashlib
import json

from django.conf import settings
from django.db import models


class Result(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"
    DENIED = "denied", "拒绝"


GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    pass


class AuditEvent(models.Model):
    seq = models.BigIntegerField("序号", unique=True)
    created_at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_name} {self.action} {self.object_repr}"

    def canonical(self) -> str:
        # actor_id is not hashed (the person may be deleted → SET NULL); actor_name is.
        payload = {
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "actor_name": self.actor_name,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "result": self.result,
            "before": self.before,
            "after": self.after,
            "summary": self.summary,
            "client_address": self.client_address,
        }
        return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.canonical()).encode("utf-8")).hexdigest()

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("审计事件只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计事件只能追加，不能删除。")


class ChainHead(models.Model):
    """Single row (pk=1): the last sequence number and hash. Locked on every append."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"


class Checkpoint(models.Model):
    """A signature over (seq, hash) of the chain head at some moment."""

    seq = models.BigIntegerField("序号", unique=True)
    hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField("签名时间")
    key_id = models.CharField(max_length=64)
    signature = models.TextField()

    class Meta:
        verbose_name = "审计链签名点"
        verbose_name_plural = "审计链签名点"
        ordering = ["seq"]

    def message(self) -> bytes:
        return f"oa-audit-checkpoint|{self.seq}|{self.hash}|{self.signed_at.isoformat()}".encode()
