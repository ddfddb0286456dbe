"""Preview: the rendered PDF with the viewer's name and time as a watermark, and page images for tablets;
the seal position check on the real layout; DOCX export."""

import io

import pytest
import time_machine
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, personas):
    client.force_login(personas.yj_staff)
    return client


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def watermarks(monkeypatch):
    """The watermark texts the renderer was asked to draw (it draws them as outlines, not extractable text)."""
    import documents.rendering as rendering

    seen = []
    real = rendering.render_pdf

    def spy(spec):
        seen.append(spec.watermark)
        return real(spec)

    monkeypatch.setattr(rendering, "render_pdf", spy)
    return seen


@time_machine.travel("2025-05-06 10:30 +0800", tick=False)
def test_preview_pdf_carries_the_viewers_watermark(staff, make_draft, personas, watermarks):
    from documents.render import page_png, render_pdf

    doc = make_draft()
    response = staff.get(reverse("documents:preview_pdf", args=[doc.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    pdf = response.content
    assert watermarks == ["王科员 2025-05-06 10:30"]
    # the document's own text is intact and the watermark is really on the page
    assert "做好2025年防汛工作的通知" in _text(pdf).replace("\n", "")
    assert page_png(pdf, 1, scale=0.5) != page_png(render_pdf(doc).pdf, 1, scale=0.5)


def test_each_viewer_gets_their_own_watermark(client, make_draft, personas, watermarks):
    doc = make_draft()
    client.force_login(personas.yj_clerk)
    client.get(reverse("documents:preview_pdf", args=[doc.pk]))
    client.force_login(personas.yj_vice)
    client.get(reverse("documents:preview_pdf", args=[doc.pk]))
    assert [w.split()[0] for w in watermarks] == ["周收发", "郑副市长"]


def test_preview_page_shows_page_images(staff, make_draft):
    doc = make_draft()
    page = staff.get(reverse("documents:preview", args=[doc.pk])).content.decode()
    assert reverse("documents:preview_page", args=[doc.pk, 1]) in page
    image = staff.get(reverse("documents:preview_page", args=[doc.pk, 1]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    assert staff.get(reverse("documents:preview_page", args=[doc.pk, 99])).status_code == 404


def test_editor_shows_the_saved_layout(staff, make_draft):
    doc = make_draft()
    page = staff.get(reverse("documents:edit", args=[doc.pk])).content.decode()
    assert reverse("documents:preview_page", args=[doc.pk, 1]) in page


def test_docx_export(staff, make_draft):
    import docx

    doc = make_draft()
    response = staff.get(reverse("documents:export_docx", args=[doc.pk]))
    assert response.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
    assert "一、总体要求" in text


def test_the_real_layout_passes_the_seal_check(make_draft):
    from documents.checker import check_seal_position
    from documents.render import render_pdf

    result = render_pdf(make_draft())
    assert result.seal_slots and check_seal_position(result) == []


def test_check_api_includes_the_layout_checks(staff, make_draft, monkeypatch):
    from documents import render
    from documents.rendering.spec import RenderResult, SealSlot

    doc = make_draft()
    real = render.render_pdf(doc)
    lowered = RenderResult(
        pdf=real.pdf,
        page_count=real.page_count,
        seal_slots=tuple(SealSlot(s.page, s.x_mm, s.y_mm + 40, s.diameter_mm, s.issuer) for s in real.seal_slots),
    )
    monkeypatch.setattr(render, "render_pdf", lambda document, watermark="": lowered)
    findings = staff.get(f"/api/documents/{doc.pk}/check/").json()
    assert [f["code"] for f in findings] == ["seal.not_on_signature"]


def test_missing_font_is_a_clear_503(staff, make_draft, monkeypatch):
    import documents.rendering as rendering
    from documents.rendering import FontMissingError

    def missing(spec):
        raise FontMissingError("缺少字体：仿宋（正文，3号仿宋），请安装 fonts-cwtex-fs。")

    monkeypatch.setattr(rendering, "render_pdf", missing)
    doc = make_draft()
    response = staff.get(reverse("documents:preview_pdf", args=[doc.pk]))
    assert response.status_code == 503 and "fonts-cwtex-fs" in response.content.decode()
    page = staff.get(reverse("documents:preview", args=[doc.pk]))
    assert page.status_code == 503 and "fonts-cwtex-fs" in page.content.decode()
