"""Progress-report attachments are judged by their content, not their name: PDF, OFD, Word/Excel (DOCX/XLSX),
PNG, JPEG; at most ``SUPERVISION_ATTACHMENT_MAX_MB`` (default 20) each and a few per report."""

import hashlib
import os
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings

from oa.core.errors import ServiceError
from oa.env import env_int

KIND_LABELS = {"pdf": "PDF", "ofd": "OFD", "docx": "Word", "xlsx": "Excel", "png": "PNG 图片", "jpeg": "JPEG 图片"}
EXTENSIONS = {
    "pdf": {".pdf"},
    "ofd": {".ofd"},
    "docx": {".docx"},
    "xlsx": {".xlsx"},
    "png": {".png"},
    "jpeg": {".jpg", ".jpeg"},
}
MAX_FILES_PER_REPORT = 5
ZIP_MAX_ENTRIES = 5000
ZIP_MAX_TOTAL = 256 * 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    upload: object
    name: str
    kind: str
    size: int
    sha256: str


def max_bytes() -> int:
    megabytes = getattr(settings, "SUPERVISION_ATTACHMENT_MAX_MB", None) or env_int(
        "OA_SUPERVISION_ATTACHMENT_MAX_MB", 20
    )
    return int(megabytes) * 1024 * 1024


def allowed_text() -> str:
    return "、".join(KIND_LABELS.values())


def clean_name(name: str) -> str:
    name = os.path.basename(str(name).replace("\\", "/"))
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C").strip()
    return (name or "附件")[-120:]


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _zip_kind(upload, name: str) -> str:
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if len(entries) > ZIP_MAX_ENTRIES or sum(e.file_size for e in entries) > ZIP_MAX_TOTAL:
                raise ServiceError(f"文件“{name}”解压后过大，已拒绝。", field="attachments")
            names = {e.filename for e in entries}
    except zipfile.BadZipFile as exc:
        raise ServiceError(f"文件“{name}”已损坏，无法打开。", field="attachments") from exc
    finally:
        upload.seek(0)
    if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
        return "docx"
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    raise ServiceError(f"文件“{name}”不是允许的类型（仅限 {allowed_text()}）。", field="attachments")


def check_upload(upload) -> CheckedFile:
    name = clean_name(getattr(upload, "name", "") or "附件")
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, os.SEEK_END)
        size = upload.tell()
    if size == 0:
        raise ServiceError(f"文件“{name}”是空文件。", field="attachments")
    if size > max_bytes():
        raise ServiceError(
            f"文件“{name}”过大（{size / 1048576:.1f} MB），每个附件不超过 {max_bytes() // 1048576} MB。",
            field="attachments",
        )
    upload.seek(0)
    kind = _sniff(upload.read(8))
    upload.seek(0)
    if kind == "zip":
        kind = _zip_kind(upload, name)
    if kind is None:
        raise ServiceError(
            f"文件“{name}”不是允许的类型（仅限 {allowed_text()}），请检查文件内容。", field="attachments"
        )
    extension = os.path.splitext(name)[1].lower()
    if extension not in EXTENSIONS[kind]:
        raise ServiceError(
            f"文件“{name}”的扩展名与内容不符（内容是 {KIND_LABELS[kind]}），请改正后重新上传。", field="attachments"
        )
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(upload, name, kind, size, digest.hexdigest())


def check_uploads(uploads) -> list[CheckedFile]:
    uploads = [u for u in uploads or () if u]
    if len(uploads) > MAX_FILES_PER_REPORT:
        raise ServiceError(f"每次最多上传 {MAX_FILES_PER_REPORT} 个附件。", field="attachments")
    return [check_upload(u) for u in uploads]
