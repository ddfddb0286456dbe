"""Chinese text for the index: jieba segmentation with our government dictionary, and character bigrams.

Every indexed text goes into two fields: the segmented one (jieba ``cut_for_search``: 数字政府 is indexed as
数字政府, 数字 and 政府) and a bigram one (数字 字政 政府). A query word is looked up in both — the
bigrams find words the dictionary does not know (new place names, project names) that jieba cuts
differently in the document and in the query.
"""

import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

DICTIONARY = Path(__file__).resolve().parent / "data" / "gov_terms.txt"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(f"[{_CJK}]+|[0-9a-z]+(?:[._-][0-9a-z]+)*")
_lock = threading.Lock()
_tokenizer = None


def tokenizer():
    """The jieba tokenizer with our dictionary loaded (once per process; jieba's own init is not thread-safe)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                tk.load_userdict(str(DICTIONARY))
                _tokenizer = tk
    return _tokenizer


def normalise(text: str) -> str:
    """Full-width to half-width (ＡＢＣ１２ → abc12), lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def words(text: str) -> list[str]:
    """Runs of CJK and of latin/digits, punctuation dropped."""
    return _WORD.findall(normalise(text))


def segment_for_index(text: str) -> list[str]:
    """jieba ``cut_for_search`` tokens (compound words and their parts), punctuation dropped."""
    tk = tokenizer()
    out: list[str] = []
    for run in words(text):
        if _CJK_RUN.fullmatch(run):
            out.extend(t for t in tk.cut_for_search(run, HMM=True) if t.strip())
        else:
            out.append(run)
    return out


@lru_cache(maxsize=4096)
def segment_query(text: str) -> tuple[str, ...]:
    """Query words as jieba cuts them (the most probable cut, no sub-words)."""
    tk = tokenizer()
    out: list[str] = []
    for run in words(text):
        if _CJK_RUN.fullmatch(run):
            out.extend(t for t in tk.cut(run, HMM=False) if t.strip())
        else:
            out.append(run)
    return tuple(out)


def bigrams(text: str) -> list[str]:
    """Overlapping character pairs of each CJK run (a lone character stays itself); latin/digit runs whole."""
    out: list[str] = []
    for run in words(text):
        if _CJK_RUN.fullmatch(run):
            if len(run) == 1:
                out.append(run)
            else:
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            out.append(run)
    return out


def index_text(text: str) -> tuple[str, str]:
    """(segmented, bigrams) as space-separated strings, ready for a whitespace tokenizer."""
    return " ".join(segment_for_index(text)), " ".join(bigrams(text))


def is_cjk(text: str) -> bool:
    return bool(_CJK_RUN.fullmatch(text))
