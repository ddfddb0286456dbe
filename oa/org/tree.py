"""Shape of the unit tree: which parent a unit may have, double leadership, and the materialised path.

Path format (other apps rely on it): a root has ``path == f"/{pk}/"``, a child
``path == parent.path + f"{pk}/"``; ``depth`` is the number of ancestors.  ``path__startswith`` selects a
subtree without recursion.

The ``check_*`` functions raise ``ServiceError`` with a Chinese message; they read but never write, so forms
can call them to validate before the service does the work.
"""

from collections import defaultdict

from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Length, Substr

from oa.core.errors import ServiceError
from oa.org.models import Level, Unit, UnitGuidance, UnitKind

MAX_PATH_LENGTH = Unit._meta.get_field("path").max_length


def level_label(level: int) -> str:
    try:
        return Level(level).label
    except ValueError:
        return str(level)


def ancestor_ids(unit: Unit) -> list[int]:
    """Primary keys of the ancestors, root first (read from the path, no query)."""
    return [int(part) for part in unit.path.strip("/").split("/")[:-1] if part]


def ancestors(unit: Unit):
    """Ancestors as a queryset, root first."""
    return Unit.objects.filter(pk__in=ancestor_ids(unit)).order_by("depth")


def descendants(unit: Unit, *, include_self: bool = False):
    qs = Unit.objects.filter(path__startswith=unit.path)
    return qs if include_self else qs.exclude(pk=unit.pk)


def is_descendant_or_self(candidate: Unit, unit: Unit) -> bool:
    return bool(unit.path) and candidate.path.startswith(unit.path)


def child_path(parent: Unit | None, pk: int) -> str:
    return f"{parent.path if parent else '/'}{pk}/"


# --- parent rules ---------------------------------------------------------------------------------------


def check_kind_level(kind: str, level: int) -> None:
    if level not in Level.values:
        raise ServiceError("层级无效：只能是省、市、县(区)、镇(街)、村(居)之一。", field="level")
    if kind not in UnitKind.values:
        raise ServiceError("单位类型无效。", field="kind")
    if kind == UnitKind.VILLAGE_COMMITTEE and level != Level.VILLAGE:
        raise ServiceError(f"村(居)委会只能设在村(居)级，不能设在{level_label(level)}级。", field="kind")


def check_parent(level: int, kind: str, parent: Unit | None, *, unit: Unit | None = None) -> None:
    """May a unit of ``level``/``kind`` (``unit`` when it already exists) sit under ``parent``?

    The parent is either at the same level (a government and its departments) or exactly one level up
    (市 → 县(区) → 镇(街) → 村(居)); roots are province-level units."""
    check_kind_level(kind, level)
    if parent is None:
        if level != Level.PROVINCE:
            raise ServiceError(
                f"只有省级单位可以没有上级单位；{level_label(level)}级单位必须指定上级单位。", field="parent"
            )
        return
    if unit is not None and unit.pk is not None:
        if parent.pk == unit.pk:
            raise ServiceError("单位不能隶属于自己。", field="parent")
        if is_descendant_or_self(parent, unit):
            raise ServiceError(
                f"不能把“{unit.name}”移到它自己的下级单位“{parent.name}”之下：这会形成循环。", field="parent"
            )
    if not parent.is_active:
        raise ServiceError(f"上级单位“{parent.name}”已停用，不能在其下设置单位。", field="parent")
    if level < parent.level:
        raise ServiceError(
            f"层级倒置：{level_label(level)}级单位不能隶属于{level_label(parent.level)}级单位“{parent.name}”。",
            field="parent",
        )
    if level > parent.level + 1:
        raise ServiceError(
            f"层级跳跃：{level_label(level)}级单位不能直接隶属于{level_label(parent.level)}级单位“{parent.name}”，"
            f"上级单位必须是同级或高一级的单位。",
            field="parent",
        )


def check_level_change(unit: Unit, new_level: int) -> None:
    """Changing a unit's level must keep its parent and its direct children valid."""
    if new_level == unit.level:
        return
    check_parent(new_level, unit.kind, unit.parent, unit=unit)
    bad = unit.children.exclude(level__in=[new_level, new_level + 1]).first()
    if bad is not None:
        raise ServiceError(
            f"不能把“{unit.name}”改为{level_label(new_level)}级：下级单位“{bad.name}”"
            f"（{level_label(bad.level)}级）将不再是同级或低一级。",
            field="level",
        )


def check_move(unit: Unit, new_parent: Unit | None) -> None:
    check_parent(unit.level, unit.kind, new_parent, unit=unit)
    new_prefix = child_path(new_parent, unit.pk)
    longest = descendants(unit, include_self=True).aggregate(m=Max(Length("path")))["m"] or len(unit.path)
    if longest - len(unit.path) + len(new_prefix) > MAX_PATH_LENGTH:
        raise ServiceError("单位树层次过深，无法移动到该位置。", field="parent")


# --- double leadership ----------------------------------------------------------------------------------


def check_guidance(unit: Unit, superior: Unit) -> None:
    """双重领导: the superior is at a higher or the same level, not the unit itself, not already its tree
    parent, not in its own subtree, and the guidance links do not form a cycle."""
    if superior.pk == unit.pk:
        raise ServiceError("单位不能作为自己的双重领导上级。", field="superior")
    if not superior.is_active:
        raise ServiceError(f"“{superior.name}”已停用，不能作为双重领导上级。", field="superior")
    if superior.level > unit.level:
        raise ServiceError(
            f"双重领导的上级必须是同级或更高层级的单位：“{superior.name}”是{level_label(superior.level)}级，"
            f"“{unit.name}”是{level_label(unit.level)}级。",
            field="superior",
        )
    if superior.pk == unit.parent_id:
        raise ServiceError(f"“{superior.name}”已是“{unit.name}”的隶属上级，无需再设为双重领导。", field="superior")
    if is_descendant_or_self(superior, unit):
        raise ServiceError(f"“{superior.name}”是“{unit.name}”的下级单位，不能作为其双重领导上级。", field="superior")
    if UnitGuidance.objects.filter(unit=unit, superior=superior).exists():
        raise ServiceError(f"“{unit.name}”已接受“{superior.name}”的双重领导。", field="superior")
    if _guidance_reaches(superior.pk, unit.pk):
        raise ServiceError(
            f"“{unit.name}”已是“{superior.name}”的（间接）双重领导上级，再反向设置会形成循环。", field="superior"
        )


def _guidance_reaches(start_id: int, target_id: int) -> bool:
    """Does following guidance links upwards from ``start_id`` reach ``target_id``?"""
    seen, frontier = {start_id}, [start_id]
    while frontier:
        nxt = list(
            UnitGuidance.objects.filter(unit_id__in=frontier)
            .exclude(superior_id__in=seen)
            .values_list("superior_id", flat=True)
        )
        if target_id in nxt:
            return True
        seen.update(nxt)
        frontier = nxt
    return False


# --- path maintenance -----------------------------------------------------------------------------------


def assign_path(unit: Unit) -> None:
    """Set path and depth of a saved unit from its parent (the parent's path must be right)."""
    parent = unit.parent
    unit.path = child_path(parent, unit.pk)
    unit.depth = parent.depth + 1 if parent else 0


def rewrite_subtree(old_path: str, new_path: str, depth_delta: int) -> int:
    """Move every path under ``old_path`` (the unit itself included) to ``new_path``, in one UPDATE.
    Call inside the moving transaction."""
    return Unit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_delta,
    )


def rebuild_paths() -> int:
    """Recompute every path and depth from the parent links (for bulk loaders that skip the services).
    Returns the number of units changed."""
    rows = list(Unit.objects.values_list("pk", "parent_id", "path", "depth"))
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id, _, _ in rows:
        children[parent_id].append(pk)
    current = {pk: (path, depth) for pk, _, path, depth in rows}
    wanted: dict[int, tuple[str, int]] = {}
    stack = [(pk, "/", 0) for pk in children[None]]
    while stack:
        pk, prefix, depth = stack.pop()
        path = f"{prefix}{pk}/"
        wanted[pk] = (path, depth)
        stack.extend((child, path, depth + 1) for child in children[pk])
    if len(wanted) != len(rows):
        raise ServiceError("单位树中存在循环或断开的上级关系，无法重建路径。")
    changed = [Unit(pk=pk, path=p, depth=d) for pk, (p, d) in wanted.items() if current[pk] != (p, d)]
    Unit.objects.bulk_update(changed, ["path", "depth"], batch_size=1000)
    return len(changed)
