"""Splitting a long 标题 over lines: whole words, balanced lengths (梯形/菱形), no line starting with 的 or a
closing mark and none ending with 关于 or an opening mark."""

from __future__ import annotations

import logging
import math
import threading
from functools import lru_cache

from .textflow import NO_LINE_END, NO_LINE_START, is_full_width

_BAD_START = NO_LINE_START | set("的和与及等")
_BAD_END_WORDS = ("关于", "对", "和", "与", "及")
_jieba_lock = threading.Lock()


def _units(text: str) -> float:
    return sum(1.0 if is_full_width(ch) else 0.5 for ch in text)


@lru_cache(maxsize=256)
def _word_boundaries(text: str) -> tuple[int, ...]:
    with _jieba_lock:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        words = list(jieba.cut(text, HMM=False))
    out, pos = [], 0
    for w in words[:-1]:
        pos += len(w)
        out.append(pos)
    return tuple(out)


def _ok(text: str, pos: int) -> bool:
    if text[pos] in _BAD_START or text[pos - 1] in NO_LINE_END:
        return False
    return not text[:pos].endswith(_BAD_END_WORDS)


def split_title(title: str, per_line: int) -> list[str]:
    if _units(title) <= per_line:
        return [title]
    n = math.ceil(_units(title) / per_line)
    cuts = [b for b in _word_boundaries(title) if _ok(title, b)]
    parts: list[str] = []
    rest = title
    offset = 0
    for k in range(n, 1, -1):
        target = _units(rest) / k
        candidates = [c - offset for c in cuts if 0 < c - offset < len(rest) and _units(rest[: c - offset]) <= per_line]
        candidates = [c for c in candidates if _units(rest[c:]) <= per_line * (k - 1)]
        if not candidates:  # no word boundary fits: cut at the measure
            cut, acc = 0, 0.0
            while cut < len(rest) and acc + _units(rest[cut]) <= per_line:
                acc += _units(rest[cut])
                cut += 1
        else:
            # Nearest to an even split; on a tie the longer first line (倒梯形 reads best for titles).
            cut = min(candidates, key=lambda c: (abs(_units(rest[:c]) - target), -c))
        parts.append(rest[:cut])
        rest = rest[cut:]
        offset += cut
    parts.append(rest)
    return [p for p in parts if p]
