"""Server-side SVG charts (no script, no inline style: CSP-safe; colours come from classes in
static/supervision/supervision.css). Text is escaped."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _bar_class(rate) -> str:
    if rate is None:
        return "bar bar-none"
    if rate >= 90:
        return "bar bar-good"
    if rate >= 70:
        return "bar bar-fair"
    return "bar bar-poor"


def unit_rate_chart(rows: list[dict], *, limit: int = 20) -> SafeString:
    """Horizontal bars: on-time rate per unit (the lowest first: they need attention)."""
    rows = sorted((r for r in rows if r["counted"]), key=lambda r: (r["rate"], r["lead_unit__name"]))[:limit]
    if not rows:
        return mark_safe('<p class="empty">暂无可统计的事项。</p>')
    label_w, bar_w, row_h, top = 180, 360, 26, 10
    height = top + row_h * len(rows) + 24
    parts = [
        f'<svg class="chart" role="img" aria-label="各单位按时办结率" viewBox="0 0 {label_w + bar_w + 70} {height}" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, row in enumerate(rows):
        y = top + i * row_h
        width = round(bar_w * (row["rate"] or 0) / 100, 1)
        name = escape(row["lead_unit__name"][:14])
        parts.append(f'<text class="chart-label" x="{label_w - 6}" y="{y + 16}" text-anchor="end">{name}</text>')
        parts.append(f'<rect class="bar-track" x="{label_w}" y="{y + 4}" width="{bar_w}" height="16"/>')
        parts.append(
            f'<rect class="{_bar_class(row["rate"])}" x="{label_w}" y="{y + 4}" width="{width}" height="16">'
            f"<title>{name}：{row['on_time']}/{row['counted']}</title></rect>"
        )
        parts.append(f'<text class="chart-value" x="{label_w + width + 6}" y="{y + 16}">{row["rate"]}%</text>')
    axis_y = top + row_h * len(rows) + 16
    for pct in (0, 50, 100):
        x = label_w + bar_w * pct / 100
        parts.append(f'<text class="chart-axis" x="{x}" y="{axis_y}" text-anchor="middle">{pct}%</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def monthly_rate_chart(rows: list[dict]) -> SafeString:
    """Columns: on-time rate per month of deadline; months without counted items show a dash."""
    if not rows:
        return mark_safe('<p class="empty">暂无数据。</p>')
    col_w, chart_h, left, top = 44, 160, 36, 10
    width = left + col_w * len(rows) + 10
    parts = [
        f'<svg class="chart" role="img" aria-label="按月按时办结率" viewBox="0 0 {width} {top + chart_h + 40}" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for pct in (0, 50, 100):
        y = top + chart_h - chart_h * pct / 100
        parts.append(f'<line class="chart-grid" x1="{left}" y1="{y}" x2="{width - 10}" y2="{y}"/>')
        parts.append(f'<text class="chart-axis" x="{left - 4}" y="{y + 4}" text-anchor="end">{pct}</text>')
    for i, row in enumerate(rows):
        x = left + i * col_w + 8
        label = f"{row['month']}月"
        if row["rate"] is None:
            parts.append(
                f'<text class="chart-value" x="{x + 14}" y="{top + chart_h - 4}" text-anchor="middle">–</text>'
            )
        else:
            h = round(chart_h * row["rate"] / 100, 1)
            parts.append(
                f'<rect class="{_bar_class(row["rate"])}" x="{x}" y="{top + chart_h - h}" width="28" height="{h}">'
                f"<title>{escape(row['label'])}：{row['on_time']}/{row['counted']}（{row['rate']}%）</title></rect>"
            )
        parts.append(
            f'<text class="chart-axis" x="{x + 14}" y="{top + chart_h + 16}" text-anchor="middle">{label}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
