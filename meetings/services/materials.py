"""会议材料: uploaded by the organiser, shown only to attendees, each copy watermarked with the viewer's name
and the time; the organiser may withdraw them after the meeting."""

import io
import mimetypes
import os

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from oa.audit.services import record
from oa.core.errors import ServiceError
from oa.permissions import require

from ..models import Material, Meeting
from ..push import meeting_changed_on_commit
from .common import locked, text

ALLOWED = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
MAX_BYTES = 30 * 1024 * 1024


def upload_material(actor, meeting: Meeting, upload, title: str = "", agenda_item=None) -> Material:
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以上传材料。")
    name = os.path.basename(getattr(upload, "name", "") or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED:
        raise ServiceError("材料只支持 PDF、PNG、JPG 文件。", field="file")
    if upload.size > MAX_BYTES:
        raise ServiceError("材料不能超过 30MB。", field="file")
    data = upload.read()
    _check_readable(data, ext)
    title = text(title or os.path.splitext(name)[0], "材料名称", "title", 200)
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ServiceError("议题不属于本次会议。", field="agenda_item")
    with transaction.atomic():
        material = Material(
            meeting=meeting, agenda_item=agenda_item, title=title, content_type=ALLOWED[ext], uploaded_by=actor
        )
        material.file.save(f"m{meeting.pk}{ext}", ContentFile(data), save=False)
        material.save()
        record(
            actor, "meetings.upload_material", meeting, after={"material": material.pk}, summary=f"上传材料：{title}"
        )
        meeting_changed_on_commit(meeting.pk)
    return material


def _check_readable(data: bytes, ext: str) -> None:
    try:
        if ext == ".pdf":
            from pypdf import PdfReader

            if not PdfReader(io.BytesIO(data)).pages:
                raise ValueError
        else:
            from PIL import Image

            Image.open(io.BytesIO(data)).verify()
    except Exception:
        raise ServiceError("文件已损坏或格式与扩展名不符。", field="file") from None


def withdraw_materials(actor, meeting: Meeting) -> Meeting:
    require(actor, "meetings.manage_meeting", meeting, "只有会议组织人可以收回材料。")
    if timezone.now() < meeting.end:
        raise ServiceError("会议结束后才能收回材料。")
    with transaction.atomic():
        current = locked(meeting)
        current.materials_withdrawn = True
        current.save(update_fields=["materials_withdrawn"])
        record(
            actor, "meetings.withdraw_materials", current, after={"materials_withdrawn": True}, summary="收回会议材料"
        )
        meeting_changed_on_commit(current.pk)
    return current


def watermarked_copy(actor, material: Material) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the material for ``actor``, watermarked with their name."""
    require(actor, "meetings.view_materials", material.meeting, "会议材料仅供参会人员查阅。")
    mark = f"{actor.get_full_name()} {timezone.localtime():%Y-%m-%d %H:%M}"
    with material.file.open("rb") as handle:
        data = handle.read()
    if material.content_type == "application/pdf":
        content = _watermark_pdf(data, mark)
    else:
        content = _watermark_image(data, mark, material.content_type)
    record(
        actor,
        "meetings.view_material",
        material.meeting,
        after={"material": material.pk},
        summary=f"查阅材料：{material.title}",
    )
    ext = mimetypes.guess_extension(material.content_type) or ""
    return content, material.content_type, f"{material.title}{'.jpg' if ext == '.jpe' else ext}"


def _cjk_font_name() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _watermark_pdf(data: bytes, mark: str) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from reportlab.pdfgen import canvas

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    font = _cjk_font_name()
    for page in writer.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        overlay_buffer = io.BytesIO()
        c = canvas.Canvas(overlay_buffer, pagesize=(width, height))
        c.setFont(font, 22)
        c.setFillColorRGB(0.6, 0.6, 0.6, alpha=0.3)
        for row in range(4):
            c.saveState()
            c.translate(width / 2, height * (row + 0.5) / 4)
            c.rotate(30)
            c.drawCentredString(0, 0, mark)
            c.restoreState()
        c.save()
        page.merge_page(PdfReader(io.BytesIO(overlay_buffer.getvalue())).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _image_font(size: int):
    from PIL import ImageFont

    for path in (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "/usr/share/fonts/truetype/arphic/uming.ttc",
    ):
        if os.path.exists(path):
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _watermark_image(data: bytes, mark: str, content_type: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.open(io.BytesIO(data)).convert("RGBA")
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    font = _image_font(max(14, image.width // 25))
    step_y = max(60, image.height // 5)
    for y in range(step_y // 2, image.height, step_y):
        draw.text((image.width // 10, y), mark, fill=(120, 120, 120, 90), font=font)
    merged = Image.alpha_composite(image, layer)
    out = io.BytesIO()
    if content_type == "image/png":
        merged.save(out, "PNG")
    else:
        merged.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()
