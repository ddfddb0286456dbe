"""发文字号 in any form people type: 阳府办〔2021〕7号 = 阳府办[2021]7号 = 阳府办(2021)7号 = 阳府办2021-7.

``canonical`` gives the one written form (机关代字〔年份〕序号号) stored as the exact-match key of the index.
"""

import re
import unicodedata

_OPEN = "〔[（(【［{〖"
_CLOSE = "〕]）)】］}〗"
_PATTERN = re.compile(
    rf"^\s*(?P<code>[^\s\d{re.escape(_OPEN + _CLOSE)}]+?)\s*"
    rf"(?:[{re.escape(_OPEN)}]\s*(?P<y1>\d{{4}})\s*[{re.escape(_CLOSE)}]\s*(?P<s1>\d{{1,6}})\s*号?"
    rf"|(?P<y2>\d{{4}})\s*[-－—–_/.第年]\s*(?P<s2>\d{{1,6}})\s*号?"
    rf"|(?P<y3>\d{{4}})\s+(?P<s3>\d{{1,6}})\s*号?)\s*$"
)


def parse(text: str) -> tuple[str, int, int] | None:
    """(机关代字, year, 序号) or None when ``text`` is not a complete 发文字号."""
    if not text:
        return None
    # NFKC folds full-width digits and brackets; 〔〕 survive it and are in the bracket sets.
    m = _PATTERN.match(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    year = m["y1"] or m["y2"] or m["y3"]
    seq = m["s1"] or m["s2"] or m["s3"]
    code = m["code"].strip()
    if not code or int(seq) == 0:
        return None
    return code, int(year), int(seq)


def canonical(text: str) -> str:
    """The written form 阳府办〔2021〕7号, or "" when ``text`` is not a 发文字号."""
    parsed = parse(text)
    if parsed is None:
        return ""
    code, year, seq = parsed
    return f"{code}〔{year}〕{seq}号"
