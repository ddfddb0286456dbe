"""Invisible characters in 公文 text are refused, not silently dropped: a stray control character usually
means a bad paste, and the person saving should know which field and which character it was."""

import re

from oa.core.errors import ServiceError

# C0 controls except tab/newline/carriage return, DEL, C1 controls, and the bidirectional overrides that
# can make a text display differently from what it says.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
_NEWLINES = re.compile(r"[\r\n\u2028\u2029]")


def find_control(text: str, *, multiline: bool) -> str | None:
    match = _FORBIDDEN.search(text)
    if match:
        return match.group()
    if not multiline:
        match = _NEWLINES.search(text)
        if match:
            return match.group()
    return None


def check_text(text: str, label: str, *, multiline: bool = False) -> str:
    """Return ``text`` with line ends normalised; raise ``ServiceError`` naming the field and the character
    (U+0007) when it holds a control character (or a line break in a one-line field)."""
    text = text.replace("\r\n", "\n")
    bad = find_control(text, multiline=multiline)
    if bad is not None:
        if bad in "\r\n\u2028\u2029":
            raise ServiceError(f"{label}不能换行，请删除其中的换行符。")
        raise ServiceError(f"{label}含有不可见的控制字符（U+{ord(bad):04X}），请删除后再保存。")
    return text
