"""公文 rendering speed: GB/T 9704 PDF for a 1-page and a 20-page document, and DOCX export, each against a
baseline measured in the same run.

    python bench/render.py [--quick]

PDF baseline: reportlab drawing the same text with the same (already registered) fonts as plain
``canvas.drawString`` lines of 28 characters, 22 lines a page — no layout, no grid, no fallback, no rules. DOCX
baseline: python-docx writing the same blocks as plain paragraphs with no styles. The ratios are what the layout
costs on top of the bare libraries. The first (cold) render, which loads the fonts and the word list for title
splitting, is reported on its own. Ends with one line ``RESULT key=value …``.
"""

import argparse
import io
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from documents.rendering import Block, render_docx, render_pdf  # noqa: E402
from documents.rendering.fonts import FontSet  # noqa: E402
from documents.rendering.samples import PARAGRAPHS, sample_spec  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def one_page_spec():
    return sample_spec(
        body=(Block("paragraph", PARAGRAPHS[0][:60]),),
        attachments=(),
        cc="",
        printer="",
        print_date_text="",
    )


def spec_with_pages(target: int):
    """The shortest sample document of at least ``target`` pages (about three paragraphs a page)."""
    n = max(1, target * 3 - 6)
    while True:
        body = [Block("heading1", "一、压实安全生产责任")]
        body += [Block("paragraph", PARAGRAPHS[i % len(PARAGRAPHS)]) for i in range(n)]
        spec = replace(sample_spec(), body=tuple(body))
        if render_pdf(spec).page_count >= target:
            return spec
        n += 1


def plain_lines(spec) -> list[str]:
    text = spec.title + spec.main_recipients + "".join(b.text for b in spec.body)
    return [text[i : i + 28] for i in range(0, len(text), 28)]


def baseline_pdf(lines: list[str], fonts: FontSet) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=fonts.fonts["fangsong"].name)
    name = fonts.fonts["fangsong"].name
    for i in range(0, len(lines), 22):
        c.setFont(name, 16)
        for j, line in enumerate(lines[i : i + 22]):
            c.drawString(28 * mm, (297 - 37 - 4.5 - j * 225 / 22) * mm, line)
        c.showPage()
    c.save()
    return buf.getvalue()


def baseline_docx(spec) -> bytes:
    import docx

    d = docx.Document()
    for text in (spec.title, spec.main_recipients, *(b.text for b in spec.body)):
        d.add_paragraph(text)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    repeat = 3 if args.quick else 10

    small = one_page_spec()
    t0 = time.perf_counter()
    first = render_pdf(small)
    cold = time.perf_counter() - t0
    fonts = FontSet()
    big = spec_with_pages(20)

    results = {}
    for label, spec in (("1p", small), ("20p", big)):
        pdf_s, result = timed(lambda spec=spec: render_pdf(spec), repeat)
        lines = plain_lines(spec)
        base_s, _ = timed(lambda lines=lines: baseline_pdf(lines, fonts), repeat)
        docx_s, docx_bytes = timed(lambda spec=spec: render_docx(spec), repeat)
        docx_base_s, _ = timed(lambda spec=spec: baseline_docx(spec), repeat)
        results[label] = (result.page_count, pdf_s, base_s, docx_s, docx_base_s, len(result.pdf), len(docx_bytes))
        print(
            f"{label:>3}: {result.page_count:2d} pages  PDF {pdf_s * 1000:7.1f} ms (baseline drawString "
            f"{base_s * 1000:6.1f} ms, {pdf_s / base_s:4.1f}×, {len(result.pdf) // 1024} KiB)  "
            f"DOCX {docx_s * 1000:6.1f} ms (baseline {docx_base_s * 1000:5.1f} ms, {docx_s / docx_base_s:4.1f}×)"
        )
    wm_s, _ = timed(lambda: render_pdf(replace(big, watermark="预览 张三 2024-05-01 10:30")), repeat)
    print(f"cold first render (fonts, word list): {cold * 1000:.0f} ms; 20 pages with watermark {wm_s * 1000:.1f} ms")
    assert first.page_count == 1, first.page_count
    p1, p20 = results["1p"], results["20p"]
    print(
        f"RESULT repeat={repeat} cold_ms={cold * 1000:.0f} "
        f"pdf_1p_ms={p1[1] * 1000:.1f} pdf_1p_baseline_ms={p1[2] * 1000:.1f} pdf_1p_ratio={p1[1] / p1[2]:.2f} "
        f"pdf_20p_pages={p20[0]} pdf_20p_ms={p20[1] * 1000:.1f} pdf_20p_baseline_ms={p20[2] * 1000:.1f} "
        f"pdf_20p_ratio={p20[1] / p20[2]:.2f} pdf_20p_watermark_ms={wm_s * 1000:.1f} "
        f"docx_1p_ms={p1[3] * 1000:.1f} docx_1p_ratio={p1[3] / p1[4]:.2f} "
        f"docx_20p_ms={p20[3] * 1000:.1f} docx_20p_ratio={p20[3] / p20[4]:.2f}"
    )


if __name__ == "__main__":
    main()
