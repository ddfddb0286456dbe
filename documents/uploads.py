"""Uploaded files are judged by their content, never by their name.

``inspect_upload(file, allowed)`` reads the file and returns what it really is (``pdf``, ``docx``, ``ofd``,
``png``, ``jpeg``, ``gif``, ``tiff``) or raises ``ServiceError`` with a message the uploader understands:
too large, not what the name claims, a zip bomb, a broken image.
"""

import hashlib
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings

from oa.core.errors import ServiceError
from oa.env import env_int

ATTACHMENT_KINDS = ("pdf", "docx", "ofd", "png", "jpeg", "gif", "tiff")
KIND_LABELS = {
    "pdf": "PDF",
    "docx": "Word (DOCX)",
    "ofd": "OFD",
    "png": "PNG 图片",
    "jpeg": "JPEG 图片",
    "gif": "GIF 图片",
    "tiff": "TIFF 图片",
}
EXTENSIONS = {
    "pdf": ".pdf",
    "docx": ".docx",
    "ofd": ".ofd",
    "png": ".png",
    "jpeg": ".jpg",
    "gif": ".gif",
    "tiff": ".tif",
}

# Zip containers (DOCX, OFD): limits on what they expand to, so a small upload cannot fill memory or disk.
ZIP_MAX_ENTRIES = 5000
ZIP_MAX_TOTAL_BYTES = 512 * 1024 * 1024
ZIP_MAX_RATIO = 200  # uncompressed / compressed, per entry and for the whole archive (XML rarely exceeds 30)
ZIP_RATIO_FLOOR = 1024 * 1024  # entries below 1 MB uncompressed may compress as well as they like
IMAGE_MAX_PIXELS = 100_000_000


@dataclass(frozen=True)
class InspectedFile:
    kind: str
    size: int
    sha256: str
    name: str  # a clean display name (no path, no control characters)


def max_upload_bytes() -> int:
    megabytes = getattr(settings, "UPLOAD_MAX_MB", None) or env_int("OA_UPLOAD_MAX_MB", 50)
    return int(megabytes) * 1024 * 1024


def inspect_upload(upload, allowed=ATTACHMENT_KINDS) -> InspectedFile:
    name = clean_filename(getattr(upload, "name", "") or "附件")
    size = upload.size if getattr(upload, "size", None) is not None else _measure(upload)
    limit = max_upload_bytes()
    if size > limit:
        raise ServiceError(f"文件“{name}”过大（{size / 1048576:.1f} MB），上限为 {limit // 1048576} MB。", field="file")
    if size == 0:
        raise ServiceError(f"文件“{name}”是空文件。", field="file")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    kind = _sniff(head)
    if kind is None or (kind == "zip" and not allowed_zip(allowed)):
        raise ServiceError(
            f"文件“{name}”不是允许的类型（仅限 {allowed_labels(allowed)}），请检查文件内容。", field="file"
        )
    if kind == "zip":
        kind = _inspect_zip(upload, name, size)
    elif kind == "pdf":
        _inspect_pdf(upload, name)
    else:
        kind = _inspect_image(upload, name)
    if kind not in allowed:
        raise ServiceError(
            f"文件“{name}”实际是 {KIND_LABELS.get(kind, kind)}，此处只接受 {allowed_labels(allowed)}。", field="file"
        )
    claimed = os.path.splitext(name)[1].lower()
    if claimed and claimed not in _extensions_of(kind):
        # The content decides; the name is corrected so the file opens with the right program.
        name = os.path.splitext(name)[0] + EXTENSIONS[kind]
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in _chunks(upload):
        digest.update(chunk)
    upload.seek(0)
    return InspectedFile(kind=kind, size=size, sha256=digest.hexdigest(), name=name)


def allowed_zip(allowed) -> bool:
    return "docx" in allowed or "ofd" in allowed


def allowed_labels(allowed) -> str:
    return "、".join(KIND_LABELS[k] for k in allowed)


def clean_filename(name: str) -> str:
    name = os.path.basename(str(name).replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .") or "附件"
    stem, ext = os.path.splitext(name)
    return stem[:150] + ext[:10]


def _extensions_of(kind: str) -> set[str]:
    return {"jpeg": {".jpg", ".jpeg"}, "tiff": {".tif", ".tiff"}}.get(kind, {EXTENSIONS[kind]})


def _chunks(upload):
    if hasattr(upload, "chunks"):
        yield from upload.chunks()
        return
    while chunk := upload.read(1 << 20):
        yield chunk


def _measure(upload) -> int:
    upload.seek(0, os.SEEK_END)
    size = upload.tell()
    upload.seek(0)
    return size


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    return None


def check_zip_limits(archive: zipfile.ZipFile, name: str, compressed_size: int) -> None:
    """Refuse archives that would expand beyond reason (zip bombs), judged from the central directory;
    ``zipfile`` never reads past an entry's declared size, so the declared sizes bound the real work."""
    entries = archive.infolist()
    if len(entries) > ZIP_MAX_ENTRIES:
        raise ServiceError(f"文件“{name}”内部文件过多，疑似恶意压缩文件，已拒绝。", field="file")
    total = 0
    for info in entries:
        total += info.file_size
        if info.file_size > ZIP_RATIO_FLOOR and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise ServiceError(f"文件“{name}”的压缩比异常，疑似恶意压缩文件（压缩炸弹），已拒绝。", field="file")
    if total > ZIP_MAX_TOTAL_BYTES or (total > ZIP_RATIO_FLOOR and total > ZIP_MAX_RATIO * max(compressed_size, 1)):
        raise ServiceError(f"文件“{name}”解压后过大，疑似恶意压缩文件（压缩炸弹），已拒绝。", field="file")


def _inspect_zip(upload, name: str, size: int) -> str:
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ServiceError(f"文件“{name}”已损坏，无法打开。", field="file") from None
    with archive:
        check_zip_limits(archive, name, size)
        names = set(archive.namelist())
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            _read_member(archive, "word/document.xml", name)
            return "docx"
        if "OFD.xml" in names:
            _read_member(archive, "OFD.xml", name)
            return "ofd"
    raise ServiceError(f"文件“{name}”不是有效的 DOCX 或 OFD 文件（缺少 word/document.xml 或 OFD.xml）。", field="file")


def _read_member(archive: zipfile.ZipFile, member: str, name: str) -> None:
    """Decompress one member fully: a corrupt entry (bad CRC, truncated data) fails here, not later."""
    try:
        with archive.open(member) as stream:
            head = stream.read(64)
            while stream.read(1 << 20):
                pass
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, NotImplementedError):
        raise ServiceError(f"文件“{name}”已损坏（{member} 无法解压）。", field="file") from None
    if not head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
        raise ServiceError(f"文件“{name}”已损坏（{member} 不是 XML）。", field="file")


def _inspect_pdf(upload, name: str) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    upload.seek(max(0, _measure(upload) - 2048))
    tail = upload.read()
    upload.seek(0)
    if b"%%EOF" not in tail:
        raise ServiceError(f"文件“{name}”不是完整的 PDF 文件（缺少文件结尾）。", field="file")
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            raise ServiceError(f"文件“{name}”是加密的 PDF，请上传未加密的文件。", field="file")
        if len(reader.pages) == 0:
            raise ServiceError(f"文件“{name}”没有任何页面。", field="file")
    except ServiceError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        raise ServiceError(f"文件“{name}”不是有效的 PDF 文件。", field="file") from None
    finally:
        upload.seek(0)


def _inspect_image(upload, name: str) -> str:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(upload) as image:
            width, height = image.size
            fmt = (image.format or "").lower()
            if width * height > IMAGE_MAX_PIXELS:
                raise ServiceError(f"图片“{name}”像素过多（{width}×{height}），已拒绝。", field="file")
            image.verify()
    except ServiceError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ServiceError(f"图片“{name}”已损坏或格式不正确。", field="file") from None
    finally:
        upload.seek(0)
    kind = {"jpeg": "jpeg", "png": "png", "gif": "gif", "tiff": "tiff"}.get(fmt)
    if kind is None:
        raise ServiceError(f"图片“{name}”的格式不受支持。", field="file")
    return kind
