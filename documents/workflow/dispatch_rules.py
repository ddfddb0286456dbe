"""行文规则 (条例 第四章) checked before a 发文 is dispatched. Each violation names its rule; only the 越级
rule may be overridden, by a leader, with a recorded reason (``FlowNote`` kind override, rule "skip_level")."""

from dataclasses import dataclass

from oa.org.models import Unit
from oa.org.tree import ancestor_ids

from ..checker import split_recipients
from ..models import AddresseeKind, Direction, DocType, Document

SKIP_LEVEL = "skip_level"


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    overridable: bool = False


def _is_ancestor(ancestor: Unit, unit: Unit) -> bool:
    return ancestor.pk in ancestor_ids(unit)


def _between(upper: Unit, lower: Unit) -> list[Unit]:
    """Units strictly between ``upper`` and its descendant ``lower`` in the tree (the levels skipped)."""
    ids = ancestor_ids(lower)
    inner = ids[ids.index(upper.pk) + 1 :]
    units = {u.pk: u for u in Unit.objects.filter(pk__in=inner)}
    return [units[i] for i in inner if i in units]


def check_dispatch(document: Document, overridden: set[str] = frozenset()) -> list[Violation]:
    issuers = document.ordered_issuers()
    main_units = document.addressee_units(AddresseeKind.MAIN)
    cc_units = document.addressee_units(AddresseeKind.CC)
    main_count = len(main_units) + len(split_recipients(document.main_recipients_text))
    found: list[Violation] = []
    lead = issuers[0] if issuers else document.owner_unit

    if document.doc_type == DocType.REQUEST and main_count != 1:
        found.append(
            Violation("request_one_main", f"请示应当一文一事，只主送一个上级机关（现有{main_count}个主送机关）。")
        )
    if document.direction == Direction.UPWARD:
        if main_count != 1 and document.doc_type != DocType.REQUEST:
            found.append(Violation("upward_one_main", f"上行文一般只主送一个上级机关（现有{main_count}个主送机关）。"))
        subordinates = [u for u in cc_units if _is_ancestor(lead, u)]
        if subordinates:
            names = "、".join(u.name for u in subordinates)
            found.append(Violation("upward_no_subordinate_cc", f"上行文不得抄送下级机关：{names}。"))
    if SKIP_LEVEL not in overridden:
        cc_ids = {u.pk for u in cc_units}
        for unit in main_units:
            if _is_ancestor(unit, lead):
                skipped = _between(unit, lead)
            elif _is_ancestor(lead, unit):
                skipped = _between(lead, unit)
            else:
                continue
            missing = [u for u in skipped if u.pk not in cc_ids]
            if missing:
                names = "、".join(u.name for u in missing)
                found.append(
                    Violation(SKIP_LEVEL, f"越级行文（主送{unit.name}）须抄送被越过的机关：{names}。", overridable=True)
                )
    levels = {u.level for u in issuers}
    if len(levels) > 1:
        found.append(Violation("joint_same_level", "联合行文只能在同级机关之间进行，发文机关层级不一致。"))
    return found
