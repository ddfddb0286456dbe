"""归档 use cases.

``candidates(user)``                 finished documents of the archivist's units not yet archived
``archive(actor, *, document=None, incoming=None, retention, org_code=None) -> ArchiveItem``
``archive_many(actor, *, documents=(), incomings=(), retention, org_code=None) -> (items, errors)``
``items_for(user, *, year=None, retention=None)``   the archive the person may read
``get_item(user, pk) -> ArchiveItem``              404 (NotFoundError) for anything they may not read
``export(actor, item) -> bytes``                   zip: every file + manifest.json + metadata.json + 说明.txt
``verify(item) -> Verification``                   re-hash the stored files against the frozen manifest
``refuse_change(actor, item, what)``               every edit/delete request: audited, then refused
(档号 / metadata 更正 are append-only records: ``documents.archive.corrections``)
``suggest_retention(doc_type) -> str``             the default 保管期限 offered for a 文种 (configurable)

The 件号 is taken from a locked counter row per (全宗号, 年度, 保管期限, 机构代码) inside the transaction that
stores the item, as 发文字号 are (``documents.numbering``): consecutive, never reused, no gaps.
"""

import hashlib
import io
import json
import logging
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from documents.models import DocType, Document, IncomingDocument, Status
from oa import permissions as perms
from oa.audit.models import Result
from oa.audit.services import record, record_outside
from oa.core.errors import NotFoundError, ServiceError
from oa.org.models import Role, Unit

from . import contents, corrections, evidence
from .models import (
    ArchiveFile,
    ArchiveImmutableError,
    ArchiveItem,
    FileKind,
    PieceCounter,
    Retention,
    format_archive_code,
)

log = logging.getLogger(__name__)

INCOMING_FINISHED = "done"  # the 收文 flow's 办结 state (documents.workflow.incoming._finish)
DEFAULT_ORG_CODE = "BGS"  # 办公室
ORG_CODE_RE = re.compile(r"^[A-Z0-9]{1,10}$")
METADATA_NAME = "metadata.json"
PACKAGE_FORMAT = "oa-archive-package"

# Suggested 保管期限 per 文种; the archivist chooses. Override with settings.ARCHIVE_RETENTION_BY_DOC_TYPE
# (a dict 文种 → "Y"/"D30"/"D10") and settings.ARCHIVE_DEFAULT_RETENTION.
DEFAULT_RETENTION_BY_DOC_TYPE = {
    DocType.RESOLUTION: Retention.PERMANENT,
    DocType.DECISION: Retention.PERMANENT,
    DocType.ORDER: Retention.PERMANENT,
    DocType.COMMUNIQUE: Retention.PERMANENT,
    DocType.MOTION: Retention.PERMANENT,
    DocType.REQUEST: Retention.PERMANENT,
    DocType.REPLY: Retention.PERMANENT,
    DocType.ANNOUNCEMENT: Retention.D30,
    DocType.PUBLIC_NOTICE: Retention.D30,
    DocType.OPINION: Retention.D30,
    DocType.NOTICE: Retention.D30,
    DocType.CIRCULAR: Retention.D30,
    DocType.REPORT: Retention.D30,
    DocType.MINUTES: Retention.D30,
    DocType.LETTER: Retention.D10,
}

VIEW_DENIED = "档案仅供本单位档案员和单位领导查看。"
ARCHIVE_DENIED = "只有本单位档案员可以归档。"


# --- who ------------------------------------------------------------------------------------------------


def _role_unit_ids(user, roles) -> set[int]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return {unit for role, unit in perms.roles_of(user) | perms.acting_roles_of(user) if role in roles}


def archivist_unit_ids(user) -> set[int]:
    """Units whose documents the person archives (档案员, directly or as today's deputy)."""
    return _role_unit_ids(user, {Role.ARCHIVIST})


def viewable_unit_ids(user) -> set[int]:
    """Units whose archive the person reads: their 档案员 and leaders (签发人)."""
    return _role_unit_ids(user, {Role.ARCHIVIST, Role.SIGNER})


def suggest_retention(doc_type: str) -> str:
    table = getattr(settings, "ARCHIVE_RETENTION_BY_DOC_TYPE", None) or DEFAULT_RETENTION_BY_DOC_TYPE
    fallback = getattr(settings, "ARCHIVE_DEFAULT_RETENTION", Retention.D30)
    return str(table.get(doc_type, fallback))


# --- candidates -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A finished document waiting to be archived in ``unit``'s 全宗."""

    kind: str  # "document" (发文) or "incoming" (收文)
    pk: int
    unit: Unit
    title: str
    doc_number: str
    doc_type: str
    issuer_name: str
    finished: date | None
    suggested_retention: str

    @property
    def kind_label(self) -> str:
        return "发文" if self.kind == "document" else "收文"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"


def candidate_documents(unit):
    """Sent documents of ``unit`` (lead or co-issuer) whose 发文 flow is finished (已分发), not yet archived."""
    return (
        Document.objects.filter(Q(owner_unit=unit) | Q(issuer_links__unit=unit), status=Status.DISTRIBUTED)
        .exclude(archive_items__unit=unit)
        .select_related("owner_unit", "flow")
        .distinct()
        .order_by("-pk")
    )


def candidate_incoming(unit):
    """Received documents of ``unit`` whose 收文 flow reached 办结, not yet archived."""
    return (
        IncomingDocument.objects.filter(unit=unit, status=INCOMING_FINISHED)
        .exclude(archive_items__unit=unit)
        .select_related("flow")
        .order_by("-pk")
    )


def _finished_on(obj) -> date | None:
    flow = getattr(obj, "flow", None)
    return timezone.localdate(flow.finished_at) if flow is not None and flow.finished_at else None


def candidates(user) -> list[Candidate]:
    result = []
    for unit in Unit.objects.filter(pk__in=archivist_unit_ids(user)).order_by("path"):
        for d in candidate_documents(unit):
            result.append(
                Candidate(
                    "document",
                    d.pk,
                    unit,
                    d.title,
                    d.doc_number,
                    d.doc_type,
                    d.owner_unit.name,
                    _finished_on(d),
                    suggest_retention(d.doc_type),
                )  # fmt: skip
            )
        for i in candidate_incoming(unit):
            result.append(
                Candidate(
                    "incoming",
                    i.pk,
                    unit,
                    i.title,
                    i.source_number,
                    i.doc_type,
                    i.sender_name,
                    _finished_on(i),
                    suggest_retention(i.doc_type),
                )  # fmt: skip
            )
    return result


# --- archiving --------------------------------------------------------------------------------------------


def next_piece(fonds_code: str, year: int, retention: str, org_code: str) -> int:
    """Take the next 件号. Must run inside the transaction that stores the item (see module doc)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_piece() must run inside transaction.atomic() together with storing the item")
    key = {"fonds_code": fonds_code, "year": year, "retention": retention, "org_code": org_code}
    locked = PieceCounter.objects.select_for_update()
    counter = locked.filter(**key).first()
    if counter is None:
        PieceCounter.objects.bulk_create([PieceCounter(**key, last=0)], ignore_conflicts=True)
        counter = locked.get(**key)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _clean_retention(retention) -> str:
    value = str(retention or "").strip()
    if value not in Retention.values:
        raise ServiceError("请选择保管期限：永久、30年或10年。", field="retention")
    return value


def _clean_org_code(org_code) -> str:
    value = str(org_code or DEFAULT_ORG_CODE).strip().upper()
    if not ORG_CODE_RE.match(value):
        raise ServiceError("机构（问题）代码须为1至10位大写字母或数字，如 BGS。", field="org_code")
    return value


def _fonds_unit(actor, document, incoming) -> Unit:
    """The unit in whose 全宗 the item goes: the receiving unit of a 收文; for a 发文 the actor's archive unit
    among its issuers (the lead issuer first). Refusals are recorded by ``perms.require``."""
    if incoming is not None:
        unit = incoming.unit
    else:
        eligible = [
            document.owner_unit_id,
            *document.issuer_links.order_by("position").values_list("unit_id", flat=True),
        ]
        mine = archivist_unit_ids(actor)
        unit = Unit.objects.get(pk=next((u for u in eligible if u in mine), document.owner_unit_id))
    perms.require(actor, "archive.archive_document", unit, ARCHIVE_DENIED)
    return unit


def _existing(unit, document, incoming) -> ArchiveItem | None:
    source = {"document": document} if document is not None else {"incoming": incoming}
    return ArchiveItem.objects.filter(unit=unit, **source).first()


def _check_finished(document, incoming) -> None:
    if document is not None and document.status != Status.DISTRIBUTED:
        raise ServiceError("该发文尚未办结：分发完成后才能归档。")
    if incoming is not None and incoming.status != INCOMING_FINISHED:
        raise ServiceError("该收文尚未办结：办结后才能归档。")


def _year_of(document, incoming) -> int:
    """年度: a 发文's 成文日期 (else its 发文字号 year); a 收文's 登记 year (else the year it arrived)."""
    if document is not None:
        if document.written_date:
            return document.written_date.year
        return document.number_year or timezone.localdate().year
    if incoming.reg_year:
        return incoming.reg_year
    return timezone.localdate(incoming.received_at).year


def _descriptive(document, incoming) -> dict:
    if document is not None:
        return {
            "title": document.title,
            "doc_number": document.doc_number,
            "doc_type": document.doc_type,
            "issuer_name": "、".join(u.name for u in document.ordered_issuers()) or document.owner_unit.name,
            "written_date": document.written_date,
        }
    source = incoming.source_document
    return {
        "title": incoming.title,
        "doc_number": incoming.source_number,
        "doc_type": incoming.doc_type,
        "issuer_name": incoming.sender_name,
        "written_date": source.written_date if source is not None else None,
    }


def _storage():
    return ArchiveFile._meta.get_field("file").storage


def _path_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text) or "_"


def _extension(name: str) -> str:
    ext = re.sub(r"[^a-z0-9]", "", name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    return ext[:8] or "bin"


def _ensure_done_receipt(incoming) -> None:
    """A 办结回执 that is due (asked for at dispatch, the 收文 finished) but not issued yet — its after-commit
    hook still queued or lost — is issued now (idempotent), so the archived item holds it."""
    from documents.exchange import done_receipts
    from documents.exchange.models import Delivery
    from documents.workflow.models import Flow

    flow_id = (
        Delivery.objects.filter(
            incoming_flow_id__in=Flow.objects.filter(incoming=incoming).values("pk"),
            want_done_receipt=True,
            done_receipt__isnull=True,
        )
        .values_list("incoming_flow_id", flat=True)
        .first()
    )
    if flow_id is None:
        return
    try:
        done_receipts.issue_for_flow(flow_id)
    except Exception:  # the sweeper issues it later; archiving does not wait for it
        log.warning("archive: the 办结回执 of flow %s could not be issued", flow_id, exc_info=True)


def archive(actor, *, document=None, incoming=None, retention, org_code=None) -> ArchiveItem:
    """归档 one finished document (exactly one of ``document`` / ``incoming``) into the actor's unit's 全宗."""
    if (document is None) == (incoming is None):
        raise ServiceError("请选择一件发文或收文归档。")
    if document is not None:
        document = Document.objects.select_related("owner_unit", "drafter").get(pk=document.pk)
    else:
        incoming = IncomingDocument.objects.select_related("unit", "source_document").get(pk=incoming.pk)
    unit = _fonds_unit(actor, document, incoming)
    retention = _clean_retention(retention)
    org_code = _clean_org_code(org_code)
    _check_finished(document, incoming)
    if (done := _existing(unit, document, incoming)) is not None:
        raise ServiceError(f"该公文已归档，档号 {done.archive_code}。")
    if not unit.fonds_number:
        raise ServiceError(f"{unit.name}尚未设置全宗号，请单位管理员先设置。")
    # Files are read and rendered before the transaction: the write lock is held only for the numbering.
    if document is not None:
        parts, metadata = contents.sent_parts(document), contents.sent_metadata(document)
        # The recipients' 回执 as evidence; those still to come are appended later (``evidence``).
        parts += evidence.sent_receipt_parts(document)
        metadata[evidence.SUMMARY_KEY] = evidence.delivery_summary(document)
    else:
        _ensure_done_receipt(incoming)
        imported = contents.imported_package(incoming) if incoming.source_document_id is None else None
        parts = contents.received_parts(incoming, imported)
        metadata = contents.received_metadata(incoming, imported)
    storage, written = _storage(), []
    try:
        with transaction.atomic():
            if document is not None:
                Document.objects.select_for_update().filter(pk=document.pk).first()
            else:
                IncomingDocument.objects.select_for_update().filter(pk=incoming.pk).first()
            if (done := _existing(unit, document, incoming)) is not None:
                raise ServiceError(f"该公文已归档，档号 {done.archive_code}。")
            year = _year_of(document, incoming)
            piece = next_piece(unit.fonds_number, year, retention, org_code)
            code = format_archive_code(unit.fonds_number, year, retention, org_code, piece)
            now = timezone.now()
            metadata = {
                "档号": code,
                "全宗号": unit.fonds_number,
                "立档单位": unit.name,
                "门类": "文书",
                "年度": year,
                "保管期限": Retention(retention).label,
                "机构（问题）代码": org_code,
                "件号": piece,
                "归档人": actor.get_full_name(),
                "归档时间": contents._iso(now),
                **metadata,
            }
            meta_bytes = json.dumps(metadata, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
            all_parts = [*parts, contents.Part(FileKind.METADATA, METADATA_NAME, meta_bytes)]
            manifest = {p.name: {"kind": p.kind, "sha256": p.sha256, "size": len(p.data)} for p in all_parts}
            if len(manifest) != len(all_parts):
                raise ServiceError("归档文件名重复，请检查附件名称。")
            item = ArchiveItem.objects.create(
                unit=unit,
                document=document,
                incoming=incoming,
                fonds_code=unit.fonds_number,
                year=year,
                retention=retention,
                org_code=org_code,
                piece_number=piece,
                archive_code=code,
                metadata=metadata,
                manifest=manifest,
                archived_by=actor,
                archived_at=now,
                **_descriptive(document, incoming),
            )
            folder = f"archive/{_path_safe(unit.fonds_number)}/{year}/{retention}-{_path_safe(org_code)}-{piece:04d}"
            for index, part in enumerate(all_parts, start=1):
                stored = storage.save(
                    f"{folder}/{index:02d}-{part.kind}.{_extension(part.name)}", ContentFile(part.data)
                )
                written.append(stored)
                ArchiveFile.objects.create(
                    item=item, kind=part.kind, name=part.name, file=stored, sha256=part.sha256, size=len(part.data)
                )
            record(
                actor,
                "archive.archive",
                item,
                after={"archive_code": code, "retention": retention, "files": len(all_parts)},
                summary=f"归档《{item.title}》，档号 {code}",
            )
    except BaseException:
        for name in written:  # the rows rolled back: leave no file behind either
            try:
                storage.delete(name)
            except OSError:
                log.warning("archive: could not remove %s after a rollback", name, exc_info=True)
        raise
    return item


def archive_many(actor, *, documents=(), incomings=(), retention, org_code=None):
    """批量归档 with one 保管期限: each item on its own (one refusal does not stop the others).
    Returns (items, errors) — errors as Chinese messages naming the document."""
    items, errors = [], []
    for kwargs in [{"document": d} for d in documents] + [{"incoming": i} for i in incomings]:
        source = kwargs.get("document") or kwargs.get("incoming")
        try:
            items.append(archive(actor, retention=retention, org_code=org_code, **kwargs))
        except ServiceError as exc:
            errors.append(f"《{source.title}》：{exc.message}")
    return items, errors


# --- reading -----------------------------------------------------------------------------------------------


def items_for(user, *, year=None, retention=None):
    query = ArchiveItem.objects.filter(unit_id__in=viewable_unit_ids(user)).select_related("unit")
    if year:
        query = query.filter(year=year)
    if retention:
        query = query.filter(retention=retention)
    return corrections.with_current_code(query).order_by("-year", "retention", "org_code", "-piece_number")


def get_item(user, pk) -> ArchiveItem:
    item = None
    if str(pk).isdigit():
        item = ArchiveItem.objects.select_related("unit", "archived_by").filter(pk=pk).first()
    if item is None or not perms.can(user, "archive.view_archive", item):
        raise NotFoundError("该档案不存在或无权查看。")
    return item


def file_bytes(item_file: ArchiveFile) -> bytes:
    with item_file.file.open("rb") as handle:
        return handle.read()


def evidence_file(actor, item: ArchiveItem, ref: str) -> tuple[str, bytes]:
    """(name, bytes) of one archived file or 补充证据 (``ref`` f<id> / s<id>) of an item the actor reads
    (``get_item`` checked it). Audited: who took a copy of which evidence."""
    perms.require(actor, "archive.export_item", item, "只有本单位档案员和单位领导可以下载档案文件。")
    try:
        found = evidence.stored_file(item, ref)
    except (OSError, ValueError):
        raise ServiceError("该文件缺失，无法下载，请联系系统管理员。") from None
    if found is None:
        raise NotFoundError("该文件不存在。")
    name, data = found
    with transaction.atomic():
        record(
            actor,
            "archive.download",
            item,
            after={"file": name, "sha256": hashlib.sha256(data).hexdigest()},
            summary=f"下载档案 {item.archive_code} 的文件“{name}”",
        )
    return name, data


# --- export and verification ----------------------------------------------------------------------------

README = """归档文件导出包说明

档号：{code}
题名：{title}
立档单位：{unit}（全宗号 {fonds}）
年度：{year}　保管期限：{retention}　件号：{piece}
归档人：{by}　归档时间：{at}

本包内容：
- 正式文件、附件、发文稿纸或收文处理笺等归档文件，文件名与 manifest.json 中一致；
- metadata.json：公文的全部格式要素、办理过程及归档信息；
- manifest.json：每个文件的 SHA-256 摘要和字节数（归档时计算并固化）；
- corrections.json：档号、元数据的更正记录（原值、更正值、原因、更正人、时间），归档文件本身从不改动。
  有更正时，manifest.json 的 current 一项给出更正后的档号和元数据。
- 发文的各收文单位回执（签收回执、办结回执）：由收文单位印章证书对交换包摘要签名，归档时已有的在归档文件
  清单中；归档后才收到的放在“补充证据”文件夹，列于 manifest.json 的 supplements 一项（含 SHA-256 和
  哈希链）；manifest.json 的 receipts 一项汇总全部回执及其摘要。

校验方法：对每个文件重新计算 SHA-256，与 manifest.json 中的摘要逐一比对，全部一致即说明文件自归档后
未被改动。例如在命令行执行 sha256sum 文件名。
本说明文件（说明.txt）和 corrections.json 不在归档文件清单之内（corrections.json 的摘要另列于
manifest.json 的 corrections 一项）。
"""


CORRECTIONS_NAME = "corrections.json"


def _receipt_manifest(item: ArchiveItem, supplements: list[dict]) -> list[dict]:
    archived = [
        {"name": name, "kind": entry["kind"], "sha256": entry["sha256"], "size": entry["size"], "late": False}
        for name, entry in sorted(item.manifest.items())
        if entry.get("kind") in evidence.RECEIPT_KINDS
    ]
    late = [{k: s[k] for k in ("name", "kind", "sha256", "size")} | {"late": True} for s in supplements]
    return archived + late


def _package_manifest(item: ArchiveItem, corrections_bytes: bytes, corrected: int, supplements: list[dict]) -> dict:
    return {
        "format": PACKAGE_FORMAT,
        "version": 1,
        "archive_code": item.archive_code,
        "current": corrections.current_values(item),
        "corrections": {
            "name": CORRECTIONS_NAME,
            "count": corrected,
            "sha256": hashlib.sha256(corrections_bytes).hexdigest(),
        },
        "fonds_code": item.fonds_code,
        "year": item.year,
        "retention": item.retention,
        "org_code": item.org_code,
        "piece_number": item.piece_number,
        "files": [{"name": name, **entry} for name, entry in sorted(item.manifest.items())],
        "supplements": supplements,
        "receipts": _receipt_manifest(item, supplements),
    }


def export(actor, item: ArchiveItem) -> bytes:
    """The item as a zip: every archived file + manifest.json + metadata.json + 说明.txt. Audited."""
    perms.require(actor, "archive.export_item", item, "只有本单位档案员和单位领导可以导出档案。")
    try:  # a 回执 whose after-commit hook was lost is appended now, so the export holds every one
        evidence.append_late_receipts(item)
    except Exception:
        log.warning("archive: late 回执 of item %s could not be appended before export", item.pk, exc_info=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        names = set()
        for item_file in item.files.order_by("id"):
            try:
                data = file_bytes(item_file)
            except (OSError, ValueError):
                raise ServiceError(f"归档文件“{item_file.name}”缺失，无法导出，请联系系统管理员。") from None
            package.writestr(item_file.name, data)
            names.add(item_file.name)
        if METADATA_NAME not in names:
            package.writestr(METADATA_NAME, json.dumps(item.metadata, ensure_ascii=False, indent=2, sort_keys=True))
        corrected = corrections.records(item)
        corrections_bytes = json.dumps(corrected, ensure_ascii=False, indent=2).encode("utf-8")
        package.writestr(CORRECTIONS_NAME, corrections_bytes)
        supplements = evidence.supplement_records(item)
        for supplement in item.supplements.order_by("seq"):
            try:
                data = file_bytes(supplement)
            except (OSError, ValueError):
                raise ServiceError(f"补充证据“{supplement.name}”缺失，无法导出，请联系系统管理员。") from None
            package.writestr(f"{evidence.SUPPLEMENT_FOLDER}/{supplement.name}", data)
        manifest = _package_manifest(item, corrections_bytes, len(corrected), supplements)
        package.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
        package.writestr(
            "说明.txt",
            README.format(
                code=_code_line(item),
                title=item.title,
                unit=item.unit.name,
                fonds=item.fonds_code,
                year=item.year,
                retention=item.get_retention_display(),
                piece=item.piece_number,
                by=item.archived_by.get_full_name(),
                at=contents._iso(item.archived_at),
            ),
        )
    with transaction.atomic():
        record(actor, "archive.export", item, summary=f"导出档案 {item.archive_code}")
    return out.getvalue()


def _code_line(item: ArchiveItem) -> str:
    current = corrections.current_values(item)["archive_code"]
    return item.archive_code if current == item.archive_code else f"{current}（归档时为 {item.archive_code}，已更正）"


@dataclass
class Verification:
    ok: bool
    checked: int
    problems: list[str] = field(default_factory=list)
    files: dict = field(default_factory=dict)  # name -> "ok" / "changed" / "missing" / "unlisted"
    receipts: dict = field(default_factory=dict)  # 回执 name -> evidence.ReceiptCheck (signature)

    @property
    def summary(self) -> str:
        if self.ok:
            return f"校验通过：{self.checked} 个文件与归档时的摘要一致。"
        return "校验未通过：" + "；".join(self.problems)


def verify(item: ArchiveItem) -> Verification:
    """Re-hash every stored file against the manifest frozen at 归档; check every 回执's signature against the
    receiving unit's seal certificate; walk the 更正记录 and 补充证据 chains (re-hashing the 补充证据 files)."""
    result = Verification(ok=True, checked=0)
    manifest = item.manifest or {}
    seen = set()
    for item_file in item.files.order_by("id"):
        seen.add(item_file.name)
        expected = manifest.get(item_file.name)
        if expected is None:
            result.files[item_file.name] = "unlisted"
            result.problems.append(f"{item_file.name}：不在归档清单中")
            continue
        try:
            data = file_bytes(item_file)
        except (OSError, ValueError):
            result.files[item_file.name] = "missing"
            result.problems.append(f"{item_file.name}：文件缺失")
            continue
        result.checked += 1
        digest = hashlib.sha256(data).hexdigest()
        if digest != expected.get("sha256") or digest != item_file.sha256 or len(data) != expected.get("size"):
            result.files[item_file.name] = "changed"
            result.problems.append(f"{item_file.name}：摘要不符，文件已被改动")
        else:
            result.files[item_file.name] = "ok"
    for name in sorted(set(manifest) - seen):
        result.files[name] = "missing"
        result.problems.append(f"{name}：清单中的文件没有记录")
    signature_problems, result.receipts = evidence.file_checks(item, result.files)
    result.problems += signature_problems
    result.problems += corrections.chain_problems(item)
    late_problems, late_files, late_checks = evidence.supplement_problems(item)
    result.problems += late_problems
    result.files.update(late_files)
    result.receipts.update(late_checks)
    result.checked += sum(1 for status in late_files.values() if status != "missing")
    result.ok = not result.problems
    return result


# --- immutability -------------------------------------------------------------------------------------------


def refuse_change(actor, item: ArchiveItem, what: str = "修改"):
    """Any request to change or delete an archived item: recorded in the audit trail, then refused (409)."""
    message = (
        f"档案 {item.archive_code} 已归档，不能{what}。已归档的档案任何人都不能修改或删除；"
        "档号或元数据有误的，由档案员登记更正记录。"
    )
    record_outside(actor, "archive.change_refused", item, result=Result.DENIED, summary=message)
    raise ArchiveImmutableError(message)
