"""登记(编号): giving a document its 发文字号 (the counter logic is in ``documents.numbering``)."""

from django.db import transaction

from oa import permissions as perms
from oa.audit.services import record

from .. import numbering
from ..models import Document
from .drafting import new_version


def assign_number(actor, document: Document, *, year: int | None = None) -> str:
    """Give ``document`` the next 发文字号 of its lead issuer's 机关代字 (this year unless ``year``).
    The number, the counter, the version and the audit event commit together or not at all."""
    perms.require(actor, "documents.assign_number", document, "只有本单位的收发员可以编发文字号。")
    with transaction.atomic():
        number = numbering.assign_to(document, year=year)
        version = new_version(document, actor, f"编号：{number}")
        record(
            actor,
            "documents.assign_number",
            document,
            after={"doc_number": number},
            summary=f"编发文字号 {number}（第{version.number}版）",
        )
    return number
