"""拟稿: creating and editing drafts, their attachments and versions.

Every function takes the acting person, checks permission through ``oa.permissions`` before opening its
transaction, validates everything (files are read before the transaction starts), then changes the
document, takes a version snapshot and writes the audit event in one ``transaction.atomic()``. A refusal
leaves nothing behind: no row, no version, no stored file.
"""

import os
import re
import uuid
from datetime import date

from django.db import transaction
from django.db.models import Max

from oa import permissions as perms
from oa.audit.services import record
from oa.core.errors import ServiceError
from oa.org.models import Unit

from ..body import normalise
from ..direction import derive_direction
from ..docx_import import read_docx_body
from ..models import (
    CLASSIFIED,
    AddresseeKind,
    Attachment,
    DocType,
    Document,
    DocumentAddressee,
    DocumentIssuer,
    DocumentVersion,
    Publicity,
    Secrecy,
    Status,
    Urgency,
    template_of,
)
from ..selectors import issuer_candidates
from ..textclean import check_text
from ..uploads import EXTENSIONS, inspect_upload
from ..versions import DISPLAY_FIELDS, snapshot

CLASSIFIED_MESSAGE = (
    "本系统为非涉密网络，不得起草、传输或存储涉密公文（{level}）。涉密公文请在涉密网络（涉密办公系统）中办理。"
)
# 密级 written into the text itself ("机密★1年") is just as classified as the field.
_SECRECY_MARK = re.compile(r"(绝密|机密|秘密)\s*★")
MAX_ATTACHMENTS = 100

# name: (label, max length, may span lines)
TEXT_FIELDS = {
    "signers": ("签发人", 100, False),
    "title": ("标题", 300, False),
    "main_recipients_text": ("主送机关", 500, False),
    "cc_text": ("抄送机关", 500, False),
    "attachment_note": ("附件说明", 4000, True),
    "signature": ("署名", 300, True),
    "note": ("附注", 300, False),
    "printer": ("印发机关", 100, False),
}
CHOICE_FIELDS = {
    "doc_type": ("文种", DocType, "文种必须是《党政机关公文处理工作条例》规定的15种之一。"),
    "urgency": ("紧急程度", Urgency, "紧急程度只能是“特急”“加急”或不标注。"),
    "publicity": ("公开属性", Publicity, "公开属性只能是主动公开、依申请公开或不予公开。"),
}
DATE_FIELDS = {"written_date": "成文日期", "print_date": "印发日期"}
UNIT_FIELDS = {"issuers": "发文机关", "main_units": "主送机关", "cc_units": "抄送机关"}
EDITABLE = {"secrecy", "copy_number", "body", *TEXT_FIELDS, *CHOICE_FIELDS, *DATE_FIELDS, *UNIT_FIELDS}


def refuse_if_classified(value: str) -> None:
    if value in CLASSIFIED:
        raise ServiceError(CLASSIFIED_MESSAGE.format(level=value), field="secrecy")
    if value not in Secrecy.values:
        raise ServiceError(f"密级“{value}”不正确。本系统只处理非涉密公文。", field="secrecy")


# --- validation ------------------------------------------------------------------------------------------


def clean_changes(changes: dict, owner_unit: Unit, *, creating: bool) -> dict:
    """Validated values for the keys present in ``changes`` (unknown keys are ignored)."""
    cleaned: dict = {}
    if "secrecy" in changes:
        refuse_if_classified(changes["secrecy"] or "")
        cleaned["secrecy"] = changes["secrecy"] or ""
    for name, (label, limit, multiline) in TEXT_FIELDS.items():
        if name in changes:
            value = check_text(str(changes[name] or ""), label, multiline=multiline).strip()
            if len(value) > limit:
                raise ServiceError(f"{label}过长（最多 {limit} 字）。", field=name)
            cleaned[name] = value
    if creating or "title" in changes:
        if not cleaned.get("title"):
            raise ServiceError("请填写标题。", field="title")
    for name, (_label, choices, message) in CHOICE_FIELDS.items():
        if name in changes:
            value = changes[name] or ""
            if value not in choices.values:
                raise ServiceError(message, field=name)
            cleaned[name] = value
    if "copy_number" in changes:
        value = str(changes["copy_number"] or "").strip()
        if value and (not value.isascii() or not value.isdigit() or len(value) > 6):
            raise ServiceError("份号应为不超过6位的数字。", field="copy_number")
        cleaned["copy_number"] = value.zfill(6) if value else ""
    for name, label in DATE_FIELDS.items():
        if name in changes:
            value = changes[name]
            if value in ("", None):
                cleaned[name] = None
            elif isinstance(value, date):
                cleaned[name] = value
            else:
                try:
                    cleaned[name] = date.fromisoformat(str(value))
                except ValueError:
                    raise ServiceError(f"{label}不是有效的日期。", field=name) from None
    if "body" in changes:
        cleaned["body"] = normalise(changes["body"])
    for name, label in UNIT_FIELDS.items():
        if name in changes:
            cleaned[name] = _units(changes[name] or [], label, name)
    _check_units(cleaned, owner_unit)
    for name in ("title", "note", "attachment_note"):
        _refuse_secrecy_mark(cleaned.get(name, ""))
    for block in cleaned.get("body", []):
        _refuse_secrecy_mark(block.get("text", ""))
    return cleaned


def _refuse_secrecy_mark(text: str) -> None:
    match = _SECRECY_MARK.search(text or "")
    if match:
        raise ServiceError(CLASSIFIED_MESSAGE.format(level=match.group(1)), field="secrecy")


def _units(values, label: str, field: str) -> list[Unit]:
    ids = []
    for value in values:
        pk = value.pk if isinstance(value, Unit) else value
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise ServiceError(f"{label}中有无效的单位编号。", field=field) from None
        if pk not in ids:
            ids.append(pk)
    found = Unit.objects.in_bulk(ids)
    if len(found) != len(ids) or not all(u.is_active for u in found.values()):
        raise ServiceError(f"{label}中有不存在或已停用的单位。", field=field)
    return [found[pk] for pk in ids]


def _check_units(cleaned: dict, owner_unit: Unit) -> None:
    if "issuers" in cleaned:
        if not cleaned["issuers"]:
            raise ServiceError("请至少选择一个发文机关。", field="issuers")
        allowed = set(issuer_candidates(owner_unit).values_list("pk", flat=True))
        outside = [u.name for u in cleaned["issuers"] if u.pk not in allowed]
        if outside:
            raise ServiceError(
                f"发文机关只能是本单位或与本单位同级的机关（联合行文只限同级机关）：{'、'.join(outside)}。",
                field="issuers",
            )
    main, cc = cleaned.get("main_units"), cleaned.get("cc_units")
    if main is not None and cc is not None:
        both = {u.pk for u in main} & {u.pk for u in cc}
        if both:
            names = "、".join(u.name for u in main if u.pk in both)
            raise ServiceError(f"同一机关不能既是主送又是抄送：{names}。", field="cc_units")


def _inspect_files(files) -> list:
    inspected = []
    for upload in files or ():
        inspected.append((upload, inspect_upload(upload)))
    return inspected


# --- writing ---------------------------------------------------------------------------------------------


def _apply(document: Document, cleaned: dict) -> None:
    for name, value in cleaned.items():
        if name not in UNIT_FIELDS:
            setattr(document, name, value)


def _set_relations(document: Document, cleaned: dict) -> None:
    if "issuers" in cleaned:
        document.issuer_links.all().delete()
        DocumentIssuer.objects.bulk_create(
            DocumentIssuer(document=document, unit=unit, position=i) for i, unit in enumerate(cleaned["issuers"])
        )
    for name, kind in (("main_units", AddresseeKind.MAIN), ("cc_units", AddresseeKind.CC)):
        if name in cleaned:
            document.addressees.filter(kind=kind).delete()
            DocumentAddressee.objects.bulk_create(
                DocumentAddressee(document=document, unit=unit, kind=kind, position=i)
                for i, unit in enumerate(cleaned[name])
            )
    direction = derive_direction(
        document.doc_type, document.ordered_issuers(), document.addressee_units(AddresseeKind.MAIN)
    )
    if direction != document.direction:
        document.direction = direction
        Document.objects.filter(pk=document.pk).update(direction=direction)


def _store_files(document: Document, actor, inspected, saved: list[str]) -> None:
    if not inspected:
        return
    existing = document.attachments.filter(removed=False).count()
    if existing + len(inspected) > MAX_ATTACHMENTS:
        raise ServiceError(f"一件公文最多 {MAX_ATTACHMENTS} 个附件。", field="file")
    position = (document.attachments.aggregate(m=Max("position"))["m"] or 0) + 1
    for upload, info in inspected:
        attachment = Attachment(
            document=document,
            name=info.name,
            kind=info.kind,
            size=info.size,
            sha256=info.sha256,
            position=position,
            uploaded_by=actor,
        )
        upload.seek(0)
        # The stored name is ours (random), never the uploader's: no path tricks, no clashes.
        attachment.file.save(f"{uuid.uuid4().hex}{EXTENSIONS[info.kind]}", upload, save=False)
        saved.append(attachment.file.name)
        attachment.save()
        position += 1


def _delete_files(document_storage_names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in document_storage_names:
        try:
            default_storage.delete(name)
        except OSError:
            pass


def new_version(document: Document, actor, note: str = "") -> DocumentVersion:
    """Snapshot the document as it is now; the caller holds the document's row lock."""
    number = (document.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    return DocumentVersion.objects.create(
        document=document, number=number, author=actor, snapshot=snapshot(document), note=note[:200]
    )


def changed_labels(before: dict, after: dict) -> list[str]:
    return [label for _, label, text_of in DISPLAY_FIELDS if text_of(before) != text_of(after)]


def _audit_view(snap: dict, keys) -> dict:
    view = {}
    for key in keys:
        value = snap.get(key)
        if key == "body":
            value = f"{len(value or [])} 段"
        elif isinstance(value, list):
            value = [item.get("name") for item in value]
        view[key] = value
    return view


def _changed_keys(before: dict, after: dict) -> list[str]:
    return [key for key in after if before.get(key) != after.get(key)]


def create_draft(actor, changes: dict, *, files=(), docx=None) -> Document:
    """A new draft in the actor's unit (the lead issuer defaults to that unit). Version 1 is its snapshot."""
    perms.require(actor, "documents.add_document", None, "您没有拟稿权限：账号需要属于某个单位。")
    unit = actor.unit
    cleaned = clean_changes(changes, unit, creating=True)
    cleaned.setdefault("issuers", [unit])
    inspected = _inspect_files(files)
    if docx is not None:
        cleaned["body"] = read_docx_body(docx)
    if not cleaned.get("printer"):
        cleaned["printer"] = template_of(cleaned["issuers"][0]).default_printer
    saved: list[str] = []
    try:
        with transaction.atomic():
            document = Document(owner_unit=unit, drafter=actor, status=Status.DRAFTING)
            _apply(document, cleaned)
            document.save()
            _set_relations(document, cleaned)
            _store_files(document, actor, inspected, saved)
            version = new_version(document, actor, "创建草稿")
            record(
                actor,
                "documents.create_draft",
                document,
                after=_audit_view(version.snapshot, ("doc_type", "title", "issuers", "body", "attachments")),
                summary=f"拟稿：{document.title}",
            )
    except BaseException:
        _delete_files(saved)
        raise
    return document


def update_draft(actor, document: Document, changes: dict, *, files=(), docx=None, base_version: int | None = None):
    """Apply ``changes`` (any subset of the editable fields), add ``files`` as attachments, replace the body
    with ``docx``'s when given. Returns (document, new version or None when nothing changed).

    ``base_version`` is the version the editor was opened on: if someone saved since, the save is refused
    instead of silently overwriting their work."""
    perms.require(actor, "documents.change_document", document, "该公文当前不能修改。")
    cleaned = clean_changes(changes, document.owner_unit, creating=False)
    inspected = _inspect_files(files)
    if docx is not None:
        cleaned["body"] = read_docx_body(docx)
    saved: list[str] = []
    try:
        with transaction.atomic():
            locked = _lock_draft(document)
            _check_base_version(locked, base_version)
            before = snapshot(locked)
            _apply(locked, cleaned)
            locked.save()
            _set_relations(locked, cleaned)
            _store_files(locked, actor, inspected, saved)
            after = snapshot(locked)
            if after == before:
                transaction.set_rollback(True)
                return document, None
            labels = changed_labels(before, after)
            version = new_version(locked, actor, "修改：" + "、".join(labels))
            keys = _changed_keys(before, after)
            record(
                actor,
                "documents.update_draft",
                locked,
                before=_audit_view(before, keys),
                after=_audit_view(after, keys),
                summary=f"修改公文（第{version.number}版）：{'、'.join(labels)}",
            )
    except BaseException:
        _delete_files(saved)
        raise
    document.refresh_from_db()
    return document, version


def _lock_draft(document: Document) -> Document:
    locked = Document.objects.select_for_update().select_related("owner_unit").get(pk=document.pk)
    if locked.status != Status.DRAFTING:
        raise ServiceError("该公文已不在拟稿阶段，不能修改。")
    return locked


def _check_base_version(locked: Document, base_version: int | None) -> None:
    if base_version is None:
        return
    latest = locked.versions.select_related("author").order_by("-number").first()
    if latest is not None and latest.number != base_version:
        raise ServiceError(
            f"该公文已由{latest.author}保存为第{latest.number}版，您的修改基于第{base_version}版。"
            "请刷新页面，在最新版本上修改。",
            field="base_version",
        )


def add_attachments(actor, document: Document, files) -> DocumentVersion:
    perms.require(actor, "documents.change_document", document, "该公文当前不能修改。")
    if not files:
        raise ServiceError("请选择要上传的附件。", field="file")
    _, version = update_draft(actor, document, {}, files=files)
    return version


def remove_attachment(actor, document: Document, attachment_id) -> DocumentVersion:
    perms.require(actor, "documents.change_document", document, "该公文当前不能修改。")
    with transaction.atomic():
        locked = _lock_draft(document)
        try:
            attachment = locked.attachments.get(pk=int(attachment_id), removed=False)
        except (Attachment.DoesNotExist, TypeError, ValueError):
            raise ServiceError("没有找到该附件。") from None
        attachment.removed = True
        attachment.save(update_fields=["removed"])
        version = new_version(locked, actor, f"删除附件：{attachment.name}")
        record(
            actor,
            "documents.remove_attachment",
            locked,
            before={"attachment": attachment.name},
            summary=f"删除附件“{attachment.name}”（第{version.number}版）",
        )
    document.refresh_from_db()
    return version


def restore_version(actor, document: Document, number) -> DocumentVersion:
    """Make an older version current again. Nothing is lost: the restore is itself a new version.
    The 发文字号 is not rolled back (a number once given is never reused)."""
    perms.require(actor, "documents.change_document", document, "该公文当前不能修改。")
    with transaction.atomic():
        locked = _lock_draft(document)
        try:
            old = locked.versions.get(number=int(number))
        except (DocumentVersion.DoesNotExist, TypeError, ValueError):
            raise ServiceError("没有找到该版本。") from None
        before = snapshot(locked)
        _apply_snapshot(locked, old.snapshot)
        after = snapshot(locked)
        version = new_version(locked, actor, f"恢复为第{old.number}版")
        keys = _changed_keys(before, after)
        record(
            actor,
            "documents.restore_version",
            locked,
            before=_audit_view(before, keys),
            after=_audit_view(after, keys),
            summary=f"将公文恢复为第{old.number}版（新版本：第{version.number}版）",
        )
    document.refresh_from_db()
    return version


def _apply_snapshot(document: Document, snap: dict) -> None:
    for name in (*TEXT_FIELDS, *CHOICE_FIELDS, "copy_number"):
        if name in snap:
            setattr(document, name, snap[name])
    for name in DATE_FIELDS:
        setattr(document, name, date.fromisoformat(snap[name]) if snap.get(name) else None)
    document.body = snap.get("body", [])
    document.save()

    def existing(items):
        ids = [item["id"] for item in items or []]
        found = Unit.objects.in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]

    relations = {
        "issuers": existing(snap.get("issuers")) or document.ordered_issuers(),
        "main_units": existing(snap.get("main_units")),
        "cc_units": existing(snap.get("cc_units")),
    }
    _set_relations(document, relations)
    keep = {item["id"] for item in snap.get("attachments", [])}
    for attachment in document.attachments.all():
        removed = attachment.pk not in keep
        if attachment.removed != removed:
            attachment.removed = removed
            attachment.save(update_fields=["removed"])


def attachment_filename(attachment: Attachment) -> str:
    """The download name: the display name with the extension of what the file really is."""
    stem = os.path.splitext(attachment.name)[0] or "附件"
    return stem + EXTENSIONS.get(attachment.kind, "")
