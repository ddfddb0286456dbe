"""The exchange ledger: every exchange event (sent, delivered, rejected, signed for, returned, recalled, urged,
resent) appended to a hash chain, ``hash = sha256(prev_hash + canonical(values))``, under a lock on the single
head row so concurrent appends queue instead of forking the chain (same design as ``oa.audit``).

``verify()`` recomputes the chain and names the first broken entry (edited, deleted, inserted, reordered or a
truncated tail)."""

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import GENESIS_HASH, LedgerEntry, LedgerHead


def _canonical(values: dict) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def values_of(entry: LedgerEntry) -> dict:
    return {
        "seq": entry.seq,
        "event": entry.event,
        "delivery": entry.delivery_id_ref,
        "document": entry.document_id_ref,
        "sender": entry.sender_unit_id_ref,
        "recipient": entry.recipient_id_ref,
        "actor": entry.actor_name,
        "detail": entry.detail,
        "at": entry.created_at.isoformat(timespec="microseconds"),
    }


def chain_hash(prev_hash: str, values: dict) -> str:
    return hashlib.sha256((prev_hash + _canonical(values)).encode("utf-8")).hexdigest()


def _actor_name(actor) -> str:
    if actor is None:
        return "系统"
    if isinstance(actor, str):
        return actor[:60]
    return (actor.get_full_name() or actor.get_username())[:60]


def lock_head() -> LedgerHead:
    """Take the chain-head lock now. Services that will append call it before touching other global locks
    (the audit chain), so every exchange transaction takes them in the same order and none deadlock."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("exchange ledger appends must run inside the business transaction")
    LedgerHead.objects.get_or_create(pk=1)
    return LedgerHead.objects.select_for_update().get(pk=1)


def append(event: str, deliveries, actor=None, detail: dict | None = None) -> list[LedgerEntry]:
    """Append one entry per delivery, inside the caller's transaction (rolled back with it)."""
    return append_many([(event, delivery, detail) for delivery in deliveries], actor)


def append_many(items, actor=None) -> list[LedgerEntry]:
    """Append ``(event, delivery, detail)`` items in order, one chain link each, under one head lock and one
    bulk insert: a batch of deliveries costs one round of locking, not one per delivery."""
    items = list(items)
    if not items:
        return []
    head = lock_head()
    now = timezone.now().astimezone(timezone.get_fixed_timezone(0))
    name = _actor_name(actor)
    entries, prev, canonical_details = [], head.last_hash, {}
    for offset, (event, delivery, detail) in enumerate(items, start=1):
        key = id(detail)
        if key not in canonical_details:
            # JSON round trip: what is hashed is exactly what the database hands back later.
            canonical_details[key] = json.loads(_canonical(detail or {}))
        entry = LedgerEntry(
            seq=head.last_seq + offset,
            event=event,
            delivery_id_ref=delivery.pk,
            document_id_ref=delivery.document_id,
            sender_unit_id_ref=delivery.sender_unit_id,
            recipient_id_ref=delivery.recipient_id,
            actor_name=name,
            detail=canonical_details[key],
            created_at=now,
            prev_hash=prev,
        )
        entry.hash = prev = chain_hash(prev, values_of(entry))
        entries.append(entry)
    LedgerEntry.objects.bulk_create(entries, batch_size=500)
    head.last_seq, head.last_hash = entries[-1].seq, prev
    head.save(update_fields=["last_seq", "last_hash"])
    return entries


@dataclass
class Report:
    checked: int = 0
    problem_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.problem_seq is None and not self.problem

    @property
    def message(self) -> str:
        if self.ok:
            return f"交换台账完整，共 {self.checked} 条"
        where = f"第 {self.problem_seq} 条" if self.problem_seq is not None else "链头"
        return f"交换台账异常：{where}{self.problem}"


def verify() -> Report:
    report = Report()
    prev, expected_seq = GENESIS_HASH, 1
    for entry in LedgerEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            report.problem_seq, report.problem = expected_seq, "缺失（序号不连续，有记录被删除或插入）"
            return report
        if entry.prev_hash != prev:
            report.problem_seq, report.problem = entry.seq, "前序哈希链接断开"
            return report
        if chain_hash(prev, values_of(entry)) != entry.hash:
            report.problem_seq, report.problem = entry.seq, "哈希值不符（内容被修改）"
            return report
        prev, expected_seq = entry.hash, expected_seq + 1
        report.checked += 1
    head = LedgerHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    if head_seq != report.checked or head_hash != prev:
        report.problem = "与链头记录不符（末尾记录被删除或追加）"
    return report
