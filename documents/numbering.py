"""发文字号 allocation: 机关代字〔年份〕序号号, consecutive per 机关代字 per year, no gaps, no reuse.

One ``NumberCounter`` row per (机关代字, year). Taking a number locks that row (``select_for_update``; on
SQLite every transaction is ``BEGIN IMMEDIATE``, which serialises writers the same way) and stores the
number on the document *in the same transaction*: if storing fails the counter rolls back with it, so a
number is never lost (gap) nor handed out twice (reuse). The unique constraint on the document's
(code, year, seq) is the last line of defence.
"""

from django.db import transaction
from django.utils import timezone

from oa.core.errors import ServiceError

from .models import Document, NumberCounter, number_code_of


def format_number(code: str, year: int, seq: int) -> str:
    return f"{code}〔{year}〕{seq}号"


def next_seq(code: str, year: int) -> int:
    """Take the next 序号 for (code, year). Must run inside the caller's transaction, which then stores it."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_seq() must run inside transaction.atomic() together with storing the number")
    locked = NumberCounter.objects.select_for_update()
    counter = locked.filter(code=code, year=year).first()
    if counter is None:
        # The year's first number: ON CONFLICT DO NOTHING lets concurrent first numbers race harmlessly
        # (the loser waits for the winner's row, then locks it below).
        NumberCounter.objects.bulk_create([NumberCounter(code=code, year=year, last=0)], ignore_conflicts=True)
        counter = locked.get(code=code, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def allocate(code: str, year: int) -> str:
    """A number not tied to a document (benchmarks, imports of paper registers): its own transaction."""
    with transaction.atomic():
        return format_number(code, year, next_seq(code, year))


def assign_to(document: Document, *, year: int | None = None) -> str:
    """Give ``document`` the next number of its lead issuer's 机关代字. Runs in (or opens) a transaction;
    permission and audit are the caller's (``documents.services.numbering.assign_number``)."""
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.number_seq is not None:
            raise ServiceError(f"该公文已有发文字号 {locked.doc_number}，不能重复编号。", field="doc_number")
        issuers = locked.ordered_issuers()
        if not issuers:
            raise ServiceError("请先选择发文机关，再编发文字号。", field="issuers")
        code = number_code_of(issuers[0], locked.doc_type)
        if not code:
            raise ServiceError(f"{issuers[0].name}尚未设置机关代字，请单位管理员在发文模板中设置。", field="doc_number")
        year = year or timezone.localdate().year
        seq = next_seq(code, year)
        number = format_number(code, year, seq)
        Document.objects.filter(pk=locked.pk).update(
            doc_number=number, number_code=code, number_year=year, number_seq=seq
        )
    document.doc_number, document.number_code, document.number_year, document.number_seq = number, code, year, seq
    return number
