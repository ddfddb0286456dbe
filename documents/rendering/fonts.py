"""The four 公文 typefaces: where they come from, how they are registered with reportlab, per-character fallback.

reportlab embeds (and subsets) only TrueType outlines, so the free fonts come from Debian packages with ``glyf``
outlines (Noto CJK is CFF and cannot be embedded):

    role       standard face     free stand-in                     Debian package
    fangsong   仿宋_GB2312        cwTeX 仿宋 (cwfs.ttf)              fonts-cwtex-fs
    song       方正小标宋 / 宋体   AR PL SungtiL GB (gbsn00lp.ttf)   fonts-arphic-gbsn00lp
    hei        黑体               WenQuanYi Zen Hei (wqy-zenhei.ttc, subfont 0)   fonts-wqy-zenhei
    kai        楷体_GB2312        AR PL KaitiM GB (gkai00mp.ttf)    fonts-arphic-gkai00mp

cwTeX 仿宋 is drawn for Traditional Chinese: about a third of the 3755 level-1 GB 2312 characters (所有简化字 such as
关 为 进 县 区 发 报) have no glyph in it. A character missing from a role's font is drawn with the next font of the
role's fallback chain. For 仿宋 the chain is 楷 then 宋: 楷 strokes sit much closer to 仿宋 than the heavier 宋
verticals do, so a body with fallback glyphs reads evenly (set OA_FONT_FANGSONG_FALLBACK=song to prefer 宋).
A unit that owns a licensed 仿宋_GB2312 TrueType file points OA_FONT_FANGSONG at it and no fallback happens.

Every path can be overridden by an env var (``OA_FONT_FANGSONG`` …); ``path#N`` selects subfont N of a .ttc.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import zlib
from dataclasses import dataclass

from oa.core.errors import ServiceError


class FontMissingError(ServiceError):
    """A typeface needed for rendering is not installed; the message names it and the package to install."""

    status_code = 503


@dataclass(frozen=True)
class FontRole:
    key: str
    label: str  # what the standard calls it
    env_var: str
    package: str
    family: str  # fontconfig family of the free stand-in
    paths: tuple[str, ...]  # known install locations (path#subfont)


ROLES: dict[str, FontRole] = {
    r.key: r
    for r in (
        FontRole(
            "fangsong",
            "仿宋（正文，3号仿宋）",
            "OA_FONT_FANGSONG",
            "fonts-cwtex-fs",
            "cwTeXFangSong",
            ("/usr/share/fonts/truetype/cwtex/cwfs.ttf",),
        ),
        FontRole(
            "song",
            "宋体 / 小标宋（标题、发文机关标志、页码）",
            "OA_FONT_SONG",
            "fonts-arphic-gbsn00lp",
            "AR PL SungtiL GB",
            ("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",),
        ),
        FontRole(
            "hei",
            "黑体（一级标题、紧急程度）",
            "OA_FONT_HEI",
            "fonts-wqy-zenhei",
            "WenQuanYi Zen Hei",
            ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc#0",),
        ),
        FontRole(
            "kai",
            "楷体（二级标题、签发人姓名）",
            "OA_FONT_KAI",
            "fonts-arphic-gkai00mp",
            "AR PL KaitiM GB",
            ("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf",),
        ),
    )
}


def fallback_chain(role: str) -> tuple[str, ...]:
    """Fonts tried in order for a character of ``role`` (the role's own font first)."""
    if role == "fangsong":
        prefer = os.environ.get("OA_FONT_FANGSONG_FALLBACK", "kai").strip().lower()
        middle = ("song", "kai") if prefer == "song" else ("kai", "song")
        return ("fangsong", *middle, "hei")
    if role == "hei":
        return ("hei", "song")
    return (role, "song", "hei") if role != "song" else ("song", "hei")


@dataclass(frozen=True)
class LoadedFont:
    role: str
    name: str  # reportlab font name
    path: str
    subfont: int
    cmap: frozenset[int]
    ascent: float  # per 1 unit of font size (em)
    descent: float  # negative, per em
    widths: dict[int, float]  # advance per em by code point, filled lazily


def _split(spec: str) -> tuple[str, int]:
    if "#" in spec:
        path, idx = spec.rsplit("#", 1)
        return path, int(idx or 0)
    return spec, 0


def _fc_match(family: str) -> str | None:
    if not shutil.which("fc-match"):
        return None
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}|%{index}|%{family}", family],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    parts = out.split("|", 2)
    if len(parts) != 3 or family.lower() not in parts[2].lower():
        return None  # fontconfig substituted some other family: not what we asked for
    return f"{parts[0]}#{parts[1] or 0}"


def missing_message(role: FontRole, detail: str = "") -> str:
    return (
        f"缺少字体：{role.label}，需要 {role.family}。"
        f"{detail}请安装 Debian 软件包 {role.package}（apt-get install {role.package}，或运行 scripts/sysdeps.sh），"
        f"或用环境变量 {role.env_var} 指定一个 TrueType 字体文件。"
    )


def locate(role_key: str) -> tuple[str, int]:
    """Path and subfont index of a role's font, or FontMissingError."""
    role = ROLES[role_key]
    override = os.environ.get(role.env_var, "").strip()
    if override:
        path, idx = _split(override)
        if not os.path.isfile(path):
            raise FontMissingError(missing_message(role, f"环境变量 {role.env_var} 指向的文件 {path} 不存在。"))
        return path, idx
    for spec in role.paths:
        path, idx = _split(spec)
        if os.path.isfile(path):
            return path, idx
    found = _fc_match(role.family)
    if found:
        path, idx = _split(found)
        if os.path.isfile(path):
            return path, idx
    raise FontMissingError(missing_message(role))


_lock = threading.Lock()
_loaded: dict[tuple[str, str, int], LoadedFont] = {}


def load(role_key: str) -> LoadedFont:
    """Register a role's font with reportlab once per process (and per path) and return its metrics."""
    path, idx = locate(role_key)
    cache_key = (role_key, path, idx)
    font = _loaded.get(cache_key)
    if font is not None:
        return font
    with _lock:
        font = _loaded.get(cache_key)
        if font is not None:
            return font
        font = _register(role_key, path, idx)
        _loaded[cache_key] = font
        return font


def _register(role_key: str, path: str, idx: int) -> LoadedFont:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    role = ROLES[role_key]
    name = f"OA-{role_key}-{zlib.crc32(f'{path}#{idx}'.encode()):08x}"
    try:
        tt = TTFont(name, path, subfontIndex=idx)
    except (TTFError, OSError, ValueError) as exc:
        # Most often a CFF (OpenType/PostScript-outline) font, which reportlab cannot embed.
        raise FontMissingError(
            missing_message(role, f"字体文件 {path} 无法嵌入（{exc}；需要 TrueType 轮廓，CFF 字体不可用）。")
        ) from exc
    pdfmetrics.registerFont(tt)
    face = tt.face
    cmap = frozenset(face.charToGlyph.keys())
    return LoadedFont(
        role=role_key,
        name=name,
        path=path,
        subfont=idx,
        cmap=cmap,
        ascent=face.ascent / 1000.0,
        descent=face.descent / 1000.0,
        widths={},
    )


class FontSet:
    """The fonts of one rendering, with per-character fallback resolution."""

    def __init__(self) -> None:
        self.fonts = {key: load(key) for key in ROLES}
        self._chains = {key: tuple(self.fonts[k] for k in fallback_chain(key)) for key in ROLES}

    def font_for(self, role: str, ch: str) -> LoadedFont:
        cp = ord(ch)
        chain = self._chains[role]
        for font in chain:
            if cp in font.cmap:
                return font
        return chain[0]

    def advance(self, font: LoadedFont, ch: str) -> float:
        """Advance width of ``ch`` in ems."""
        cp = ord(ch)
        width = font.widths.get(cp)
        if width is None:
            from reportlab.pdfbase import pdfmetrics

            width = pdfmetrics.stringWidth(ch, font.name, 1000) / 1000.0
            font.widths[cp] = width
        return width


def coverage_report(text: str) -> dict[str, str]:
    """Characters of ``text`` each role's own font lacks (handy when choosing a font for a unit)."""
    fonts = FontSet()
    return {
        key: "".join(sorted({ch for ch in text if ord(ch) > 0x20 and ord(ch) not in font.cmap}))
        for key, font in fonts.fonts.items()
    }
