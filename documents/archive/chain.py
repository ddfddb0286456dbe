"""The hash chain shared by the append-only records attached to an archived item (更正记录, 补充证据):
``hash = sha256(prev_hash + canonical JSON of the record's values)``, per item, starting at ``GENESIS``.
``verify_archive`` walks it so that a record changed or removed behind the database triggers is noticed."""

import hashlib
import json
from datetime import UTC, datetime

GENESIS = "0" * 64


def stamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def link_hash(prev_hash: str, values: list) -> str:
    """The hash of one record; datetimes in ``values`` are written as UTC stamps."""
    body = json.dumps(
        [stamp(v) if isinstance(v, datetime) else v for v in values], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def problems(records, noun: str, values_of) -> list[str]:
    """What is wrong with a chain: ``records`` in ``seq`` order (each with seq, prev_hash, hash),
    ``values_of(record)`` the values its hash covers. Reports the first gap or altered record."""
    prev = GENESIS
    for expected_seq, entry in enumerate(records, start=1):
        if entry.seq != expected_seq:
            return [f"{noun}第 {expected_seq} 条缺失"]
        if entry.prev_hash != prev or entry.hash != link_hash(entry.prev_hash, values_of(entry)):
            return [f"{noun}第 {entry.seq} 条已被改动"]
        prev = entry.hash
    return []


def next_link(last) -> tuple[int, str]:
    """(seq, prev_hash) for the record after ``last`` (None: the first)."""
    return (last.seq + 1, last.hash) if last is not None else (1, GENESIS)
