"""上行文 / 平行文 / 下行文, from where the 主送 units sit relative to the lead issuer."""

from oa.org.models import Unit

from .models import DEFAULT_DIRECTION, Direction


def _relation(issuer: Unit, recipient: Unit, guidance_ids: set[int]) -> str:
    if recipient.pk == issuer.pk:
        return Direction.PARALLEL
    if recipient.pk in guidance_ids or (recipient.path and issuer.path.startswith(recipient.path)):
        return Direction.UPWARD  # an ancestor in the tree, or a 业务上级 (双重领导)
    if issuer.path and recipient.path.startswith(issuer.path):
        return Direction.DOWNWARD
    if recipient.level < issuer.level:
        return Direction.UPWARD
    if recipient.level > issuer.level:
        return Direction.DOWNWARD
    return Direction.PARALLEL


def derive_direction(doc_type: str, issuers: list[Unit], main_units: list[Unit]) -> str:
    """Any superior among the 主送 makes it 上行文; all subordinates make it 下行文; otherwise 平行文.
    With no 主送 unit from the tree (free text only) the 文种 decides (请示/报告 up, 函 parallel, …)."""
    if not issuers or not main_units:
        return DEFAULT_DIRECTION.get(doc_type, Direction.DOWNWARD)
    lead = issuers[0]
    guidance_ids = set(lead.superiors.values_list("pk", flat=True))
    relations = {_relation(lead, unit, guidance_ids) for unit in main_units}
    if Direction.UPWARD in relations:
        return Direction.UPWARD
    if relations == {Direction.DOWNWARD}:
        return Direction.DOWNWARD
    return Direction.PARALLEL
