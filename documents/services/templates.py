"""Per-unit 发文模板: the 发文机关标志 text, its suffix, the 机关代字 and the default 印发机关."""

import re

from django.db import transaction

from oa import permissions as perms
from oa.audit.services import record
from oa.core.errors import ServiceError
from oa.org.models import Unit

from ..models import UnitTemplate
from ..textclean import check_text

FIELDS = {
    "issuer_mark": ("发文机关标志", 60),
    "issuer_mark_suffix": ("标志后缀", 10),
    "code_override": ("机关代字", 20),
    "letter_code": ("函的机关代字", 20),
    "default_printer": ("默认印发机关", 100),
}
# A 机关代字 is the part before 〔年份〕: brackets, digits or 号 in it would break every number made from it.
_BAD_CODE = re.compile(r"[〔〕\[\]［］()（）【】0-9０-９号\s]")


def update_unit_template(actor, unit: Unit, changes: dict) -> UnitTemplate:
    perms.require(actor, "documents.manage_template", unit, "只有该单位的单位管理员可以修改发文模板。")
    cleaned = {}
    for name, (label, limit) in FIELDS.items():
        if name in changes:
            value = check_text(str(changes[name] or ""), label).strip()
            if len(value) > limit:
                raise ServiceError(f"{label}过长（最多 {limit} 字）。", field=name)
            cleaned[name] = value
    for name in ("code_override", "letter_code"):
        if _BAD_CODE.search(cleaned.get(name, "")):
            raise ServiceError("机关代字不能含有括号、数字、“号”或空格，如：阳府办。", field=name)
    with transaction.atomic():
        template, _ = UnitTemplate.objects.select_for_update().get_or_create(unit=unit)
        before = {name: getattr(template, name) for name in FIELDS}
        for name, value in cleaned.items():
            setattr(template, name, value)
        template.save()
        after = {name: getattr(template, name) for name in FIELDS}
        record(
            actor, "documents.update_template", unit, before=before, after=after, summary=f"修改{unit.name}的发文模板"
        )
    return template
