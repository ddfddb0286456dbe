"""档号 / metadata 更正: an archived item and its frozen files never change; the 档案员 records a correction
instead — which field, the value it had, the value it should have, why, who and when — as an append-only
``ArchiveCorrection``. The item then *reads* with its corrections applied (``current_values``), the detail
page and the export show the full record, and every correction is in the audit trail.

``correct(actor, item, *, field, new_value, reason) -> ArchiveCorrection``
``current_values(item) -> dict``          field → value as corrected (strings; dates as YYYY-MM-DD)
``records(item) -> list[dict]``           the corrections as exported (corrections.json)
``chain_problems(item) -> list[str]``      what ``verify_archive`` reports when a record was changed or removed
``with_current_code(queryset)``           annotates ``current_code`` (the 档号 as corrected) for lists
"""

import re
from datetime import date

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from documents.models import DocType
from oa import permissions as perms
from oa.audit.services import record
from oa.core.errors import ServiceError

from . import chain
from .models import ArchiveCorrection, ArchiveItem, CorrectableField

DENIED = "只有本单位档案员可以更正档案。"
CODE_RE = re.compile(r"^(?P<fonds>[A-Z0-9]{1,20})-WS·\d{4}-(Y|D30|D10)-[A-Z0-9]{1,10}-\d{4}$")
MAX_LENGTH = {"title": 300, "doc_number": 60, "issuer_name": 200}


def _base_value(item: ArchiveItem, field: str) -> str:
    value = getattr(item, field)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def current_values(item: ArchiveItem) -> dict:
    values = {field: _base_value(item, field) for field in CorrectableField.values}
    # .all() rather than order_by(): a reindex prefetches every item's corrections in one query.
    for correction in sorted(item.corrections.all(), key=lambda c: c.seq):
        values[correction.field] = correction.new_value
    return values


def with_current_code(queryset):
    latest = ArchiveCorrection.objects.filter(item=OuterRef("pk"), field=CorrectableField.ARCHIVE_CODE).order_by("-seq")
    return queryset.annotate(current_code=Subquery(latest.values("new_value")[:1]))


def _values(item_id: int, seq: int, field: str, old, new, reason, by_id, by_name, at) -> list:
    return [item_id, seq, field, old, new, reason, by_id, by_name, at]


def _values_of(c: ArchiveCorrection) -> list:
    return _values(
        c.item_id,
        c.seq,
        c.field,
        c.old_value,
        c.new_value,
        c.reason,
        c.corrected_by_id,
        c.corrected_by_name,
        c.corrected_at,
    )


def chain_problems(item: ArchiveItem) -> list[str]:
    return chain.problems(item.corrections.order_by("seq"), "更正记录", _values_of)


def _clean(item: ArchiveItem, field: str, new_value, reason) -> tuple[str, str]:
    if field not in CorrectableField.values:
        raise ServiceError("请选择要更正的项目：档号、题名、文号、文种、责任者或成文日期。", field="field")
    value = str(new_value or "").strip()
    reason = str(reason or "").strip()
    if not reason:
        raise ServiceError("请填写更正原因：说明为什么要更正、依据是什么。", field="reason")
    if len(reason) > 500:
        raise ServiceError("更正原因不能超过500字。", field="reason")
    if not value:
        raise ServiceError("请填写更正后的值。", field="new_value")
    if field == CorrectableField.ARCHIVE_CODE:
        value = value.upper()
        match = CODE_RE.match(value)
        if not match:
            raise ServiceError(
                "档号格式应为 全宗号-WS·年度-保管期限代码-机构代码-件号，如 Z109-WS·2021-Y-BGS-0001。",
                field="new_value",
            )
        if match["fonds"] != item.fonds_code:
            raise ServiceError(f"更正后的档号须仍属本全宗（全宗号 {item.fonds_code}）。", field="new_value")
    elif field == CorrectableField.DOC_TYPE:
        if value not in DocType.values:
            raise ServiceError("文种须为《党政机关公文处理工作条例》规定的15种之一。", field="new_value")
    elif field == CorrectableField.WRITTEN_DATE:
        try:
            value = date.fromisoformat(value).isoformat()
        except ValueError:
            raise ServiceError("成文日期请按 2025-05-06 的格式填写。", field="new_value") from None
    elif len(value) > MAX_LENGTH[field]:
        raise ServiceError(f"更正后的值不能超过{MAX_LENGTH[field]}字。", field="new_value")
    return value, reason


def _check_code_free(item: ArchiveItem, code: str) -> None:
    taken = ArchiveItem.objects.filter(archive_code=code).exclude(pk=item.pk).exists() or (
        ArchiveCorrection.objects.filter(field=CorrectableField.ARCHIVE_CODE, new_value=code)
        .exclude(item=item)
        .exists()
    )
    if taken:
        raise ServiceError(f"档号 {code} 已被其他档案使用。", field="new_value")


def correct(actor, item: ArchiveItem, *, field: str, new_value, reason) -> ArchiveCorrection:
    """Record a 更正 of ``item`` (its files and row stay as archived). Only the unit's 档案员; audited."""
    perms.require(actor, "archive.correct_item", item, DENIED)
    value, reason = _clean(item, field, new_value, reason)
    with transaction.atomic():
        # The item row lock serialises corrections of one item (SELECT … FOR UPDATE; the triggers refuse only
        # UPDATE/DELETE), so the chain never forks.
        item = ArchiveItem.objects.select_for_update().get(pk=item.pk)
        old = current_values(item)[field]
        if value == old:
            raise ServiceError("更正后的值与当前值相同，无需更正。", field="new_value")
        if field == CorrectableField.ARCHIVE_CODE:
            _check_code_free(item, value)
        last = item.corrections.order_by("-seq").first()
        seq, prev = chain.next_link(last)
        now = timezone.now()
        name = actor.get_full_name() or actor.get_username()
        correction = ArchiveCorrection.objects.create(
            item=item,
            seq=seq,
            field=field,
            old_value=old,
            new_value=value,
            reason=reason,
            corrected_by=actor,
            corrected_by_name=name[:80],
            corrected_at=now,
            prev_hash=prev,
            hash=chain.link_hash(prev, _values(item.pk, seq, field, old, value, reason, actor.pk, name[:80], now)),
        )
        label = CorrectableField(field).label
        record(
            actor,
            "archive.correct",
            item,
            before={field: old},
            after={field: value, "reason": reason, "seq": seq},
            summary=f"更正档案 {item.archive_code} 的{label}：“{old}”更正为“{value}”，原因：{reason}",
        )
    return correction


def records(item: ArchiveItem) -> list[dict]:
    return [
        {
            "seq": c.seq,
            "field": c.field,
            "field_label": c.get_field_display(),
            "old_value": c.old_value,
            "new_value": c.new_value,
            "reason": c.reason,
            "corrected_by": c.corrected_by_name,
            "corrected_at": timezone.localtime(c.corrected_at).isoformat(timespec="seconds"),
            "hash": c.hash,
        }
        for c in item.corrections.order_by("seq")
    ]
