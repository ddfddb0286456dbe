"""From the model to the renderer's plain data (``documents.rendering.spec.RenderSpec``) and back to bytes.

The renderer (``documents.rendering``) knows nothing of Django; this module is the only bridge. It imports
the renderer lazily so drafting keeps working on a machine where the fonts are not installed yet.
"""

from django.core.cache import cache
from django.utils import timezone

from oa.core.errors import ServiceError

from .body import block_text
from .checker import date_text
from .models import AddresseeKind, Document, Format, issuer_mark_of, split_names, template_of


def recipients_text(document: Document, kind: str) -> str:
    units = [u.name for u in document.addressee_units(kind)]
    extra = document.main_recipients_text if kind == AddresseeKind.MAIN else document.cc_text
    return "，".join([*units, *([extra] if extra else [])])


def signature_lines(document: Document, issuers) -> tuple[str, ...]:
    lines = tuple(line.strip() for line in (document.signature or "").splitlines() if line.strip())
    return lines or tuple(u.name for u in issuers)


def mark_suffix(document: Document, issuers) -> str:
    if document.format == Format.LETTER:
        return ""
    if not issuers:
        return "文件"
    return template_of(issuers[0]).issuer_mark_suffix


def to_render_spec(document: Document, watermark: str = ""):
    from .checker import note_items
    from .rendering.spec import Block, RenderSpec

    issuers = document.ordered_issuers()
    body = tuple(
        Block(kind="table", rows=tuple(tuple(str(c) for c in row) for row in b.get("rows", [])))
        if b.get("kind") == "table"
        else Block(kind=b.get("kind", "paragraph"), text=block_text(b))
        for b in document.body or []
    )
    return RenderSpec(
        format=str(document.format),
        copy_number=document.copy_number,
        urgency=document.urgency,
        issuer_marks=tuple(issuer_mark_of(u) for u in issuers),
        issuer_mark_suffix=mark_suffix(document, issuers),
        doc_number=document.doc_number,
        upward=document.direction == "up",
        signers=tuple(split_names(document.signers)),
        title=document.title,
        main_recipients=recipients_text(document, AddresseeKind.MAIN),
        body=body,
        attachments=tuple(note_items(document.attachment_note)),
        signatures=signature_lines(document, issuers),
        date_text=date_text(document.written_date),
        note=document.note.strip().removeprefix("（").removesuffix("）"),
        cc=recipients_text(document, AddresseeKind.CC),
        printer=document.printer,
        print_date_text=date_text(document.print_date),
        watermark=watermark,
    )


def preview_watermark(viewer) -> str:
    now = timezone.localtime()
    return f"{viewer.get_full_name()} {now:%Y-%m-%d %H:%M}"


def render_pdf(document: Document, watermark: str = ""):
    """The renderer's ``RenderResult`` (pdf bytes, page count, seal slots)."""
    from .rendering import render_pdf as _render_pdf

    return _render_pdf(to_render_spec(document, watermark=watermark))


def render_docx(document: Document) -> bytes:
    from .rendering import render_docx as _render_docx

    return _render_docx(to_render_spec(document))


def renderer_available() -> bool:
    try:
        from .rendering import render_pdf  # noqa: F401
    except ImportError:
        return False
    return True


def page_png(pdf: bytes, page_number: int, *, scale: float = 1.5) -> bytes:
    """One page of a PDF as PNG (tablet preview: an image reads the same on every browser)."""
    import io

    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        if not 1 <= page_number <= len(document):
            raise IndexError(page_number)
        page = document[page_number - 1]
        image = page.render(scale=scale).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        return out.getvalue()
    finally:
        document.close()


LAYOUT_CACHE_SECONDS = 120


def state_key(document: Document) -> str:
    """Changes with every save: each one makes a version (numbering included)."""
    latest = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return f"{document.pk}:{latest}:{document.updated_at.timestamp()}"


def layout_result(document: Document):
    """The unwatermarked rendering of the document as it is now (cached briefly: the editor, the check API
    and the preview ask for it in quick succession)."""
    key = f"documents:layout:{state_key(document)}"
    result = cache.get(key)
    if result is None:
        result = render_pdf(document)
        cache.set(key, result, LAYOUT_CACHE_SECONDS)
    return result


def check_with_layout(document: Document):
    """``check_document`` plus the checks that need the laid-out PDF (seal position), when it can be made."""
    from .checker import WARNING, Finding, check_document

    if not renderer_available():
        return check_document(document)
    try:
        result = layout_result(document)
    except ServiceError as exc:  # e.g. a font is missing: say so instead of failing the whole check
        return [
            *check_document(document),
            Finding("layout.unavailable", WARNING, "seal", f"无法排版，未检查印章位置：{exc.message}"),
        ]
    return check_document(document, render_result=result)
