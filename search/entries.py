"""Index entries: what one row of the index stands for, and its key.

    doc:<Document id>            a 公文 of its own unit: 草稿 while drafting, 发文 afterwards
    in:<IncomingDocument id>     a 收文 of the receiving unit (from the exchange, or registered from paper)
    arc:<ArchiveItem id>         a 归档文件 of a unit's 全宗 (``documents.archive``, when installed)

An archived document or 收文 is one entry, not two: while its own unit holds an ``ArchiveItem`` of it, its
``doc:``/``in:`` entry gives way to the ``arc:`` one (so the 类别 counts say where each document is now and
results never list the same document twice).

The archive app is optional: ``archive_model()`` is None until it is installed, and search works without it.
"""

from django.apps import apps

DOC, INCOMING, ARCHIVE = "doc", "in", "arc"
KINDS = (DOC, INCOMING, ARCHIVE)
# Small integers so an entry's row id in the embedded index is computable from its key (id * 4 + code).
CODES = {DOC: 0, INCOMING: 1, ARCHIVE: 2}
ARCHIVE_APP = "documents.archive"
ARCHIVE_MODEL = "archive.ArchiveItem"


def key(kind: str, pk) -> str:
    return f"{kind}:{int(pk)}"


def parse(value) -> tuple[str, int] | None:
    """(kind, id) of a key; a bare integer is a document id (the index's keys before 收文 and 档案)."""
    if isinstance(value, int):
        return DOC, value
    text = str(value).strip()
    if text.isdigit():
        return DOC, int(text)
    kind, _, pk = text.partition(":")
    if kind in CODES and pk.isdigit():
        return kind, int(pk)
    return None


def normalise(values) -> list[str]:
    """Sorted unique keys of ``values`` (keys or document ids); anything else is dropped."""
    out = set()
    for value in values or []:
        parsed = parse(value)
        if parsed:
            out.add(key(*parsed))
    return sorted(out)


def order(entry_key: str) -> tuple[int, int]:
    """Sort order of keys: documents, then 收文, then archive items, each by id."""
    kind, pk = parse(entry_key)
    return CODES[kind], pk


def rowid(entry_key: str) -> int:
    kind, pk = parse(entry_key)
    return pk * 4 + CODES[kind]


def archive_installed() -> bool:
    return apps.is_installed(ARCHIVE_APP)


def archive_model():
    """``ArchiveItem`` or None while the archive app is not installed."""
    if not archive_installed():
        return None
    try:
        return apps.get_model(ARCHIVE_MODEL)
    except LookupError:
        return None
