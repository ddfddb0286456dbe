"""The recipients' 回执 as evidence in a sent document's archive: the sender holds proof of who received which
exact bytes and when.

At 归档 a 发文 holds, for every recipient delivery, its signed 签收回执 (and 办结回执 where one came back) as
files, plus a delivery summary (``分发回执`` in the metadata). A 回执 that comes back *after* 归档 is appended
as a 补充证据 record (``ArchiveSupplement``: append-only, hash-chained per item like the 更正记录) — the item
itself never changes.

``sent_receipt_parts(document) -> list[Part]``       the 回执 files at 归档
``delivery_summary(document) -> list[dict]``         per recipient: unit, 主送/抄送, final state, reason, time …
``append_late_receipts(item) -> list[ArchiveSupplement]``   idempotent; audited (called after every 回执 commit)
``append_for_document(document_id)``                  the same for every archived item of a document
``check_receipt(data) -> ReceiptCheck``               signature against the receiving unit's seal certificate
``supplement_problems(item) -> (problems, statuses)`` what ``verify_archive`` reports
``receipt_rows(item, verification) -> list[dict]``    the 回执 of an item as the detail page and API list them
``supplement_records(item) -> list[dict]``            the 补充证据 as exported
"""

import base64
import hashlib
import json
import logging
import re
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from oa.audit.services import record

from . import chain, contents
from .models import ArchiveFile, ArchiveItem, ArchiveSupplement, FileKind

log = logging.getLogger(__name__)

RECEIPT_KINDS = (FileKind.RECEIPT, FileKind.DONE_RECEIPT)
SUPPLEMENT_FOLDER = "补充证据"
SUMMARY_KEY = "分发回执"
KIND_WORD = {FileKind.RECEIPT: "签收", FileKind.DONE_RECEIPT: "办结"}
MESSAGE_PREFIX = {"oa-exchange-receipt": FileKind.RECEIPT, "oa-exchange-done-receipt": FileKind.DONE_RECEIPT}


def _unit_safe(name: str) -> str:
    return re.sub(r"[\\/:*?\"<>|\x00-\x1f\s]+", "_", name).strip("_") or "单位"


def receipt_name(kind: str, delivery) -> str:
    """One name per (kind, delivery): the same at 归档 and when appended later, which keeps appends idempotent."""
    return f"{KIND_WORD[kind]}回执-{_unit_safe(delivery.recipient.name)}-{delivery.pk}.json"


def _deliveries(document_id: int):
    from documents.exchange.models import Delivery

    return (
        Delivery.objects.filter(document_id=document_id)
        .select_related("recipient", "sender_unit")
        .order_by("kind", "recipient__path", "pk")
    )


def _receipts_of(delivery) -> list[tuple[str, bytes, str, object]]:
    """[(kind, file bytes, person, time)] of the 回执 this delivery has now."""
    from documents.exchange.models import DoneReceipt, Receipt

    found = []
    receipt = Receipt.objects.filter(delivery=delivery).select_related("certificate").first()
    if receipt is not None:
        data = contents._receipt_json("签收", delivery, receipt, receipt.clerk_name, receipt.signed_at)
        found.append((FileKind.RECEIPT, data, receipt.clerk_name, receipt.signed_at))
    done = DoneReceipt.objects.filter(delivery=delivery).select_related("certificate").first()
    if done is not None:
        data = contents._receipt_json("办结", delivery, done, done.finisher_name, done.finished_at)
        found.append((FileKind.DONE_RECEIPT, data, done.finisher_name, done.finished_at))
    return found


def sent_receipt_parts(document) -> list[contents.Part]:
    parts = []
    for delivery in _deliveries(document.pk):
        for kind, data, _person, _at in _receipts_of(delivery):
            parts.append(contents.Part(kind, receipt_name(kind, delivery), data))
    return parts


def delivery_summary(document) -> list[dict]:
    from documents.exchange.models import State

    rows = []
    for delivery in _deliveries(document.pk):
        receipts = {kind: (person, at) for kind, _data, person, at in _receipts_of(delivery)}
        reason = delivery.return_reason
        if delivery.state == State.REJECTED:
            reason = delivery.flag_reason or reason
        signed = receipts.get(FileKind.RECEIPT)
        done = receipts.get(FileKind.DONE_RECEIPT)
        rows.append(
            {
                "收文单位": delivery.recipient.name,
                "主送/抄送": delivery.get_kind_display(),
                "状态": delivery.get_state_display(),
                "原因": reason if delivery.state in (State.RETURNED, State.RECALLED, State.REJECTED) else "",
                "时间": contents._iso(delivery.finished_at or delivery.delivered_at),
                "交换包摘要": delivery.package_sha256,
                "签收人": signed[0] if signed else "",
                "签收时间": contents._iso(signed[1]) if signed else "",
                "签收回执": receipt_name(FileKind.RECEIPT, delivery) if signed else "",
                "办结人": done[0] if done else "",
                "办结时间": contents._iso(done[1]) if done else "",
                "办结回执": receipt_name(FileKind.DONE_RECEIPT, delivery) if done else "",
            }
        )
    return rows


# --- 回执 that come back after 归档 ------------------------------------------------------------------------


def _values(item_id, seq, kind, delivery_ref, recipient, person, event_at, name, sha256, size, recorded_at) -> list:
    return [item_id, seq, kind, delivery_ref, recipient, person, event_at, name, sha256, size, recorded_at]


def _values_of(s: ArchiveSupplement) -> list:
    return _values(
        s.item_id,
        s.seq,
        s.kind,
        s.delivery_ref,
        s.recipient_name,
        s.person_name,
        s.event_at,
        s.name,
        s.sha256,
        s.size,
        s.recorded_at,
    )


def _storage():
    return ArchiveSupplement._meta.get_field("file").storage


def _missing_receipts(item: ArchiveItem) -> list:
    have = set(item.files.values_list("name", flat=True)) | set(item.supplements.values_list("name", flat=True))
    missing = []
    for delivery in _deliveries(item.document_id):
        for kind, data, person, at in _receipts_of(delivery):
            name = receipt_name(kind, delivery)
            if name not in have:
                missing.append((delivery, kind, name, data, person, at))
    return missing


def append_late_receipts(item: ArchiveItem) -> list[ArchiveSupplement]:
    """Append every 回执 of a sent item's deliveries that the archive does not hold yet. Idempotent."""
    if not item.document_id or not _missing_receipts(item):
        return []
    storage, written, added = _storage(), [], []
    try:
        with transaction.atomic():
            # The item row lock serialises appends (and 更正) of one item, so the chain never forks and a
            # 回执 is appended once however many hooks race.
            item = ArchiveItem.objects.select_for_update().get(pk=item.pk)
            last = item.supplements.order_by("-seq").first()
            for delivery, kind, name, data, person, at in _missing_receipts(item):
                seq, prev = chain.next_link(last)
                sha256, now = hashlib.sha256(data).hexdigest(), timezone.now()
                folder = f"archive/{item.fonds_code}/{item.year}/supplements/{item.pk}"
                stored = storage.save(f"{folder}/{seq:03d}-{kind}.json", ContentFile(data))
                written.append(stored)
                values = _values(
                    item.pk,
                    seq,
                    kind,
                    delivery.pk,
                    delivery.recipient.name,
                    person[:80],
                    at,
                    name,
                    sha256,
                    len(data),
                    now,
                )
                last = ArchiveSupplement.objects.create(
                    item=item,
                    seq=seq,
                    kind=kind,
                    delivery_ref=delivery.pk,
                    recipient_name=delivery.recipient.name[:200],
                    person_name=person[:80],
                    event_at=at,
                    name=name,
                    file=stored,
                    sha256=sha256,
                    size=len(data),
                    recorded_at=now,
                    prev_hash=prev,
                    hash=chain.link_hash(prev, values),
                )
                added.append(last)
                record(
                    "系统",
                    "archive.supplement",
                    item,
                    after={"seq": seq, "name": name, "sha256": sha256, "delivery": delivery.pk},
                    summary=(
                        f"档案 {item.archive_code} 追加补充证据：{delivery.recipient.name}的{KIND_WORD[kind]}回执"
                        f"（{person}，归档后收到）"
                    ),
                )
    except BaseException:
        for name in written:
            try:
                storage.delete(name)
            except OSError:
                log.warning("archive: could not remove %s after a rollback", name, exc_info=True)
        raise
    return added


def append_for_document(document_id: int) -> int:
    """After a 回执 commits: append it to every archived item of the document. Never raises (the next
    export or ``sweep`` appends what a failure left out)."""
    count = 0
    for item in ArchiveItem.objects.filter(document_id=document_id):
        try:
            count += len(append_late_receipts(item))
        except Exception:
            log.warning("archive: late 回执 of item %s could not be appended", item.pk, exc_info=True)
    return count


def sweep(since=None) -> int:
    """Append every late 回执 still missing from an archived sent item (the periodic task looks only at 回执 of
    the last days: an after-commit hook is lost within seconds, and the archive grows for decades)."""
    from documents.exchange.models import DoneReceipt, Receipt

    signed, done = Receipt.objects.all(), DoneReceipt.objects.all()
    if since is not None:
        signed, done = signed.filter(signed_at__gte=since), done.filter(finished_at__gte=since)
    document_ids = ArchiveItem.objects.filter(
        Q(document_id__in=signed.values("delivery__document_id"))
        | Q(document_id__in=done.values("delivery__document_id")),
        document__isnull=False,
    ).values_list("document_id", flat=True)
    return sum(append_for_document(pk) for pk in set(document_ids))


def on_receipt_saved(sender, instance, created, **kwargs):
    if not created:
        return
    document_id = instance.delivery.document_id
    if ArchiveItem.objects.filter(document_id=document_id).exists():
        transaction.on_commit(lambda: append_for_document(document_id))


# --- checking -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptCheck:
    status: str  # "valid" / "unsigned" / "invalid"
    detail: str

    @property
    def label(self) -> str:
        return {"valid": "签名有效", "unsigned": "未签名"}.get(self.status, "签名无效")


def check_receipt(data: bytes) -> ReceiptCheck:
    """Does the 回执 file prove itself? Its signature must verify over its message with the certificate it
    carries; that certificate must be a seal certificate of the receiving unit named in the message; the
    message must name the package hash the file states."""
    from documents.exchange import receipts
    from signing.models import Certificate

    try:
        entry = json.loads(data)
        message = entry["message"]
        prefix, delivery_id, _document, package_sha256, recipient_id, _rest = message.split("|", 5)
    except (ValueError, KeyError, TypeError):
        return ReceiptCheck("invalid", "回执内容无法解析")
    if prefix not in MESSAGE_PREFIX:
        return ReceiptCheck("invalid", "回执签名内容格式不符")
    if package_sha256 != entry.get("package_sha256"):
        return ReceiptCheck("invalid", "签名内容中的交换包摘要与回执不一致")
    if not entry.get("signature"):
        return ReceiptCheck("unsigned", "签收单位没有可用的印章密钥，回执未签名")
    try:
        der = base64.b64decode(entry["certificate_der"] or "")
        signature = base64.b64decode(entry["signature"])
    except (ValueError, KeyError, TypeError):
        return ReceiptCheck("invalid", "回执中的证书或签名无法读取")
    certificate = Certificate.objects.filter(fingerprint=entry.get("fingerprint", "")).first()
    if certificate is None or bytes(certificate.der) != der:
        return ReceiptCheck("invalid", "回执中的证书不是本系统登记的印章证书")
    if not recipient_id.isdigit() or not certificate.seals.filter(unit_id=int(recipient_id)).exists():
        return ReceiptCheck("invalid", "回执证书不是收文单位的印章证书")
    proof = type("Proof", (), {"certificate": certificate, "signature": signature, "message": message})()
    try:
        valid = receipts.verify(proof)
    except Exception:  # a malformed certificate or signature is simply not a valid proof
        valid = False
    if not valid:
        return ReceiptCheck("invalid", "回执签名验证不通过")
    return ReceiptCheck("valid", f"收文单位印章证书签名有效（交换包摘要 {package_sha256[:12]}…）")


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def supplement_problems(item: ArchiveItem) -> tuple[list[str], dict, dict]:
    """(problems, name → "ok"/"changed"/"missing", name → ReceiptCheck) of the item's 补充证据."""
    records = list(item.supplements.order_by("seq"))
    problems = chain.problems(records, "补充证据", _values_of)
    statuses, checks = {}, {}
    for supplement in records:
        label = f"{SUPPLEMENT_FOLDER}/{supplement.name}"
        try:
            data = _read(supplement.file)
        except (OSError, ValueError):
            statuses[label] = "missing"
            problems.append(f"{label}：文件缺失")
            continue
        if hashlib.sha256(data).hexdigest() != supplement.sha256 or len(data) != supplement.size:
            statuses[label] = "changed"
            problems.append(f"{label}：摘要不符，文件已被改动")
            continue
        statuses[label] = "ok"
        checks[label] = check_receipt(data)
        if checks[label].status == "invalid":
            problems.append(f"{label}：{checks[label].detail}")
    return problems, statuses, checks


def file_checks(item: ArchiveItem, statuses: dict) -> tuple[list[str], dict]:
    """Signature checks of the 回执 files archived with the item (only those whose bytes are intact)."""
    problems, checks = [], {}
    for item_file in item.files.filter(kind__in=RECEIPT_KINDS).order_by("id"):
        if statuses.get(item_file.name) != "ok":
            continue
        checks[item_file.name] = check_receipt(_read(item_file.file))
        if checks[item_file.name].status == "invalid":
            problems.append(f"{item_file.name}：{checks[item_file.name].detail}")
    return problems, checks


# --- listing -------------------------------------------------------------------------------------------------


def _entry(field) -> dict:
    try:
        return json.loads(_read(field))
    except (OSError, ValueError):
        return {}


def receipt_rows(item: ArchiveItem, verification) -> list[dict]:
    """Every 回执 of the item — archived with it (``ref`` f<id>) or appended later (s<id>) — with its check."""
    rows = []
    for item_file in item.files.filter(kind__in=RECEIPT_KINDS).order_by("id"):
        rows.append(_row(f"f{item_file.pk}", item_file, item_file.name, False, verification))
    for supplement in item.supplements.order_by("seq"):
        rows.append(_row(f"s{supplement.pk}", supplement, f"{SUPPLEMENT_FOLDER}/{supplement.name}", True, verification))
    return rows


def _row(ref, stored, label, late, verification) -> dict:
    entry = _entry(stored.file)
    status = verification.files.get(label, "")
    check = verification.receipts.get(label)
    if status == "ok" and check is not None:
        result, result_label = check.status, check.label
    else:
        result = "changed" if status else "unknown"
        result_label = {"changed": "文件已被改动", "missing": "文件缺失"}.get(status, "未校验")
    return {
        "ref": ref,
        "name": stored.name,
        "kind": stored.kind,
        "kind_label": f"{KIND_WORD.get(stored.kind, '')}回执",
        "unit": entry.get("recipient", getattr(stored, "recipient_name", "")),
        "person": entry.get("person", getattr(stored, "person_name", "")),
        "at": _local(entry.get("at", "")),
        "sha256": stored.sha256,
        "size": stored.size,
        "late": late,
        "result": result,
        "result_label": result_label,
        "detail": check.detail if check is not None and status == "ok" else "",
    }


def _local(value: str) -> str:
    from datetime import datetime

    try:
        return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M:%S")
    except (ValueError, TypeError):
        return value or ""


def supplement_records(item: ArchiveItem) -> list[dict]:
    return [
        {
            "seq": s.seq,
            "name": f"{SUPPLEMENT_FOLDER}/{s.name}",
            "kind": s.kind,
            "recipient": s.recipient_name,
            "person": s.person_name,
            "event_at": timezone.localtime(s.event_at).isoformat(timespec="seconds"),
            "recorded_at": timezone.localtime(s.recorded_at).isoformat(timespec="seconds"),
            "sha256": s.sha256,
            "size": s.size,
            "hash": s.hash,
        }
        for s in item.supplements.order_by("seq")
    ]


def stored_file(item: ArchiveItem, ref: str):
    """(name, bytes) of one of the item's files or 补充证据 by ``ref`` (f<id> / s<id>), or None."""
    match = re.fullmatch(r"([fs])(\d+)", ref or "")
    if match is None:
        return None
    model = ArchiveFile if match[1] == "f" else ArchiveSupplement
    stored = model.objects.filter(item=item, pk=int(match[2])).first()
    if stored is None:
        return None
    return stored.name, _read(stored.file)
