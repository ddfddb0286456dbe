"""Highlighted snippets computed from the stored text (the embedded backend; Elasticsearch highlights itself)."""

import re

from django.utils.html import escape

from . import text

SNIPPET_CHARS = 120


def _pattern(terms: list[str]):
    parts = [re.escape(t) for t in terms if t]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def mark(value: str, terms: list[str]) -> str:
    """``value`` HTML-escaped with every occurrence of the terms wrapped in <mark>."""
    pattern = _pattern(terms)
    if pattern is None:
        return escape(value)
    out, last = [], 0
    for m in pattern.finditer(value):
        out.append(escape(value[last : m.start()]))
        out.append(f"<mark>{escape(m.group())}</mark>")
        last = m.end()
    out.append(escape(value[last:]))
    return "".join(out)


def snippet(body: str, terms: list[str], size: int = SNIPPET_CHARS) -> str:
    """The window of ``body`` with the most matches (the opening when none), marked."""
    body = re.sub(r"\s+", " ", body or "").strip()
    terms = terms + [w for t in terms for w in text.segment_query(t) if len(w) > 1]
    pattern = _pattern(sorted(set(terms), key=len, reverse=True))
    if not body:
        return ""
    if pattern is None:
        return escape(body[:size]) + ("…" if len(body) > size else "")
    starts = [m.start() for m in pattern.finditer(body)]
    if not starts:
        return escape(body[:size]) + ("…" if len(body) > size else "")
    best, best_count = starts[0], 0
    for s in starts:
        count = sum(1 for t in starts if s <= t < s + size)
        if count > best_count:
            best, best_count = s, count
    begin = max(0, best - size // 4)
    end = min(len(body), begin + size)
    return (
        ("…" if begin else "")
        + mark(body[begin:end], sorted(set(terms), key=len, reverse=True))
        + ("…" if end < len(body) else "")
    )


def _matches(value: str, terms: list[str]) -> bool:
    terms = terms + [w for t in terms for w in text.segment_query(t) if len(w) > 1]
    pattern = _pattern(sorted(set(terms), key=len, reverse=True))
    return bool(pattern and pattern.search(re.sub(r"\s+", " ", value or "")))


def best_snippet(body: str, attachment_text: str, terms: list[str], fallback: str = "") -> tuple[str, str]:
    """(snippet html, where it is from): the body when it matches, else the first attachment whose text
    matches ("附件《name》"), else the opening of the body (or of ``fallback``, e.g. the attachment names)."""
    from .attachments import sections

    if terms and not _matches(body, terms):
        for name, section in sections(attachment_text):
            if _matches(section, terms):
                return snippet(section, terms), f"附件《{name}》"
    return snippet(body or fallback, terms), ""


def origin_of(fragment_html: str, attachment_text: str) -> str:
    """Which attachment an engine-highlighted fragment of the joined attachment text came from."""
    import html

    from .attachments import sections

    plain = re.sub(r"\s+", " ", html.unescape(re.sub(r"</?mark>", "", fragment_html or ""))).strip(" …")
    probe = plain[:24]
    for name, section in sections(attachment_text):
        if probe and probe in re.sub(r"\s+", " ", section):
            return f"附件《{name}》"
    found = sections(attachment_text)
    return f"附件《{found[0][0]}》" if found else "附件"
