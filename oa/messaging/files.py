"""Attachments: size and type limits, decided by the file's content (its first bytes and, for Office
Open XML / OFD, the parts inside the zip), never by the name or the browser's Content-Type alone."""

import zipfile
from dataclasses import dataclass

from django.conf import settings

from oa.core.errors import ServiceError
from oa.env import env_int

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"


def max_bytes() -> int:
    return int(getattr(settings, "MESSAGING_MAX_FILE_BYTES", env_int("OA_MESSAGING_MAX_FILE_MB", 50) * 1024 * 1024))


@dataclass(frozen=True)
class FileKind:
    label: str
    mime: str
    family: str  # how the content is checked


KINDS = {
    "pdf": FileKind("PDF", "application/pdf", "pdf"),
    "ofd": FileKind("OFD", "application/ofd", "ofd"),
    "docx": FileKind("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xlsx": FileKind("Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pptx": FileKind("PPT", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
    "doc": FileKind("Word", "application/msword", "ole2"),
    "xls": FileKind("Excel", "application/vnd.ms-excel", "ole2"),
    "ppt": FileKind("PPT", "application/vnd.ms-powerpoint", "ole2"),
    "wps": FileKind("WPS", "application/vnd.ms-works", "ole2"),
    "et": FileKind("WPS", "application/vnd.ms-excel", "ole2"),
    "png": FileKind("图片", "image/png", "png"),
    "jpg": FileKind("图片", "image/jpeg", "jpeg"),
    "jpeg": FileKind("图片", "image/jpeg", "jpeg"),
    "gif": FileKind("图片", "image/gif", "gif"),
    "txt": FileKind("文本", "text/plain; charset=utf-8", "text"),
    "csv": FileKind("文本", "text/csv; charset=utf-8", "text"),
    "zip": FileKind("ZIP", "application/zip", "zip"),
}
IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif"})
ALLOWED_TEXT = "PDF、OFD、Word、Excel、PPT、WPS、图片（PNG/JPG/GIF）、TXT/CSV、ZIP"


@dataclass(frozen=True)
class CheckedFile:
    name: str
    size: int
    mime: str
    extension: str


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} 字节"


def _clean_name(name: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].replace("\x00", "").strip()
    return name[:200] or "未命名文件"


def check_upload(upload) -> CheckedFile:
    """Validate an uploaded file (Django ``UploadedFile``). Raises ``ServiceError`` with the reason."""
    if upload is None:
        raise ServiceError("请选择要发送的文件。", field="file")
    name = _clean_name(getattr(upload, "name", ""))
    size = int(getattr(upload, "size", 0) or 0)
    if size == 0:
        raise ServiceError("文件为空，请重新选择。", field="file")
    limit = max_bytes()
    if size > limit:
        raise ServiceError(
            f"文件过大（{human_size(size)}），单个文件不能超过 {human_size(limit)}。", field="file"
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = KINDS.get(extension)
    if kind is None:
        shown = f"“.{extension}”" if extension else "无扩展名的"
        raise ServiceError(f"不支持发送{shown}文件。可发送的类型：{ALLOWED_TEXT}。", field="file")
    upload.seek(0)
    head = upload.read(8192)
    if not _content_matches(kind.family, head, upload):
        raise ServiceError(
            f"文件内容与扩展名“.{extension}”不符，可能已损坏或被改名，请检查后重新选择。", field="file"
        )
    upload.seek(0)
    return CheckedFile(name=name, size=size, mime=kind.mime, extension=extension)


def _content_matches(family: str, head: bytes, upload) -> bool:
    if family == "pdf":
        return head[:1024].lstrip().startswith(b"%PDF-")
    if family == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if family == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if family == "gif":
        return head[:6] in (b"GIF87a", b"GIF89a")
    if family == "ole2":
        return head.startswith(OLE2)
    if family == "text":
        return _looks_like_text(head)
    if head.startswith(ZIP):
        return _zip_matches(family, upload)
    return False


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            # The 8 KB cut may split a multi-byte character: ignore an incomplete tail.
            head.decode(encoding) if len(head) < 8192 else head[:-4].decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


_ZIP_MARKERS = {
    "docx": ("[Content_Types].xml", "word/"),
    "xlsx": ("[Content_Types].xml", "xl/"),
    "pptx": ("[Content_Types].xml", "ppt/"),
    "ofd": ("OFD.xml",),
}


def _zip_matches(family: str, upload) -> bool:
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    if family == "zip":
        return True
    markers = _ZIP_MARKERS.get(family, ())
    return all(any(n == m or (m.endswith("/") and n.startswith(m)) for n in names) for m in markers)
