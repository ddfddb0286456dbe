"""The query language of the search box, parsed into a small tree both backends translate.

    数字政府 粤政易          both words (AND; also written AND, &)
    防汛 OR 防风             either (also |, 或)
    "一网通办 改革"          the exact phrase (also “…”)
    营商环境 -深圳            exclude a word (or -"a phrase")
    (防汛 OR 三防) 通知       grouping
    阳府办[2021]7号           a 发文字号 in any form: matches that number exactly (and texts citing it)

Leaves are ``Term`` (a word: its segmented form OR its bigrams), ``Phrase`` and ``DocNo``.
"""

import re
from dataclasses import dataclass

from oa.core.errors import ServiceError

from . import docnumber, text

MAX_LENGTH = 200
MAX_LEAVES = 32


@dataclass(frozen=True)
class Term:
    text: str


@dataclass(frozen=True)
class Phrase:
    text: str


@dataclass(frozen=True)
class DocNo:
    number: str  # canonical 阳府办〔2021〕7号


@dataclass(frozen=True)
class Not:
    child: object


@dataclass(frozen=True)
class And:
    children: tuple


@dataclass(frozen=True)
class Or:
    children: tuple


_TOKEN = re.compile(
    r'\s*(?:(?P<neg>-)?(?:["“”](?P<phrase>[^"“”]*)["“”]?)|(?P<open>[(（])|(?P<close>[)）])|(?P<word>[^\s()（）"“”]+))'
)
_OR_WORDS = {"OR", "|", "或"}
_AND_WORDS = {"AND", "&", "且"}


def _tokens(q: str):
    pos = 0
    while pos < len(q):
        m = _TOKEN.match(q, pos)
        if not m or m.end() == pos:
            break
        pos = m.end()
        if m["open"]:
            yield ("open", None)
        elif m["close"]:
            yield ("close", None)
        elif m["phrase"] is not None:
            yield ("neg_phrase" if m["neg"] else "phrase", m["phrase"])
        elif m["word"]:
            word = m["word"]
            if word in _OR_WORDS:
                yield ("or", None)
            elif word in _AND_WORDS:
                yield ("and", None)
            elif word.startswith("-") and len(word) > 1:
                yield ("neg_word", word[1:])
            elif word == "-":
                continue
            else:
                yield ("word", word)


def _leaf(kind: str, value: str):
    """A leaf node, or None when nothing searchable is left (punctuation only)."""
    if kind == "word":
        number = docnumber.canonical(value)
        if number:
            return DocNo(number)
        return Term(value) if text.words(value) else None
    value = value.strip()
    return Phrase(value) if text.words(value) else None


class _Parser:
    def __init__(self, tokens):
        self.tokens = list(tokens)
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def parse_and(self, closing: bool = False):
        clauses = []
        while True:
            kind, _ = self.peek()
            if kind is None or (kind == "close" and closing):
                break
            if kind in ("and", "close"):
                self.take()
                continue
            node = self.parse_or()
            if node is not None:
                clauses.append(node)
        return clauses

    def parse_or(self):
        options = [self.parse_unary()]
        while self.peek()[0] == "or":
            self.take()
            options.append(self.parse_unary())
        options = [o for o in options if o is not None]
        if not options:
            return None
        return options[0] if len(options) == 1 else Or(tuple(options))

    def parse_unary(self):
        kind, value = self.take()
        if kind == "open":
            inner = self.parse_and(closing=True)
            if self.peek()[0] == "close":
                self.take()
            if not inner:
                return None
            return inner[0] if len(inner) == 1 else And(tuple(inner))
        if kind in ("word", "phrase"):
            return _leaf(kind, value)
        if kind in ("neg_word", "neg_phrase"):
            leaf = _leaf("word" if kind == "neg_word" else "phrase", value)
            return Not(leaf) if leaf is not None else None
        return None


def parse(q: str):
    """The query tree of ``q``, or None for an empty query (filters only). Refuses a query that only
    excludes, since "everything except" is not a search."""
    q = (q or "").strip()
    if not q:
        return None
    if len(q) > MAX_LENGTH:
        raise ServiceError(f"检索词过长（最多 {MAX_LENGTH} 个字）。", field="q")
    clauses = _Parser(_tokens(q)).parse_and()
    if not clauses:
        return None
    if all(isinstance(c, Not) for c in clauses):
        raise ServiceError("请至少输入一个要查找的词，不能只有排除词。", field="q")
    if sum(1 for _ in leaves(And(tuple(clauses)))) > MAX_LEAVES:
        raise ServiceError(f"检索词太多（最多 {MAX_LEAVES} 个）。", field="q")
    return clauses[0] if len(clauses) == 1 else And(tuple(clauses))


def leaves(node, negated: bool = False):
    """(leaf, negated) pairs of the tree, in order."""
    if node is None:
        return
    if isinstance(node, (And, Or)):
        for child in node.children:
            yield from leaves(child, negated)
    elif isinstance(node, Not):
        yield from leaves(node.child, not negated)
    else:
        yield node, negated


def highlight_terms(node) -> list[str]:
    """Words to mark in snippets: the positive leaves, longest first."""
    found: list[str] = []
    for leaf, negated in leaves(node):
        if negated:
            continue
        value = leaf.number if isinstance(leaf, DocNo) else leaf.text
        found.extend(text.words(value) if isinstance(leaf, Term) else [value])
    return sorted(set(found), key=len, reverse=True)
