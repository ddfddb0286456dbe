"""Organisation use cases: units, double leadership, departments and people (roles and delegation live in
``oa.org.roles`` and are re-exported here).

Every function takes the acting person first (``None`` = the system itself: seed data, migrations; permission
checks are skipped and the audit trail names "系统"), checks permission through ``oa.permissions``, changes
state inside one transaction and records an audit event.  Refusals raise ``ServiceError`` /
``PermissionDeniedError`` with a Chinese message.  ``check_*`` functions validate without writing, so admin
forms can show the same messages before saving.
"""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils import timezone

from oa import permissions as perms
from oa.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from oa.org import tree
from oa.org.auditing import audit, department_snapshot, full_clean, person_snapshot, unit_snapshot
from oa.org.models import THREE_ADMINS, Department, Person, Role, Unit, UnitGuidance
from oa.org.roles import (  # noqa: F401 - part of this module's public API
    acting_principals,
    assign_role,
    check_assign_role,
    check_create_delegation,
    create_delegation,
    effective_holders,
    revoke_delegation,
    revoke_role,
    sync_staff_flag,
)

UNIT_EDITABLE_FIELDS = ("name", "short_name", "code", "kind", "level", "region", "fonds_number", "sort_order")
PERSON_EDITABLE_FIELDS = ("name", "title", "phone", "sort_order", "unit", "department")


def _lock_units(ids) -> dict[int, Unit]:
    """Lock unit rows in primary-key order (a fixed order, so two movers cannot deadlock)."""
    ids = sorted({i for i in ids if i is not None})
    return {u.pk: u for u in Unit.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _lock_branch(*units: Unit | None) -> dict[int, Unit]:
    """Lock the given units and all their ancestors, re-reading until the set is stable: a concurrent move
    of any ancestor must lock one of these rows too, so tree changes on one branch are serialised."""
    wanted = {u.pk for u in units if u is not None}
    while True:
        ids = set(wanted)
        for unit in units:
            if unit is not None:
                ids.update(tree.ancestor_ids(unit))
        locked = _lock_units(ids)
        fresh = [locked.get(u.pk) if u is not None else None for u in units]
        if any(u is not None and f is None for u, f in zip(units, fresh, strict=True)):
            raise NotFoundError("单位不存在或已被删除。")
        needed = set(wanted)
        for unit in fresh:
            if unit is not None:
                needed.update(tree.ancestor_ids(unit))
        if needed <= set(locked):
            return locked
        units = tuple(fresh)


def _require_text(value: str, label: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(f"请填写{label}。", field=field)
    return value


# --- units ----------------------------------------------------------------------------------------------


def check_create_unit(actor, *, name, short_name, kind, level, fonds_number, parent=None, code="") -> None:
    if parent is None:
        perms.require(actor, "org.create_root_unit", None, "只有系统管理员可以创建省级根单位。")
    else:
        perms.require(actor, "org.manage_unit", parent, f"您无权在“{parent.name}”下设置单位。")
    _require_text(name, "单位名称", "name")
    _require_text(short_name, "单位简称", "short_name")
    _require_text(fonds_number, "全宗号", "fonds_number")
    tree.check_parent(level, kind, parent)
    if Unit.objects.filter(fonds_number=fonds_number.strip()).exists():
        raise ServiceError(f"全宗号“{fonds_number}”已被其他单位使用。", field="fonds_number")


def create_unit(
    actor, *, name, short_name, kind, level, fonds_number, parent=None, code="", region="", sort_order=0
) -> Unit:
    check_create_unit(
        actor, name=name, short_name=short_name, kind=kind, level=level, fonds_number=fonds_number, parent=parent
    )
    with transaction.atomic():
        if parent is not None:
            parent = _lock_branch(parent)[parent.pk]
            tree.check_parent(level, kind, parent)
        unit = Unit(
            name=name.strip(),
            short_name=short_name.strip(),
            code=(code or "").strip(),
            kind=kind,
            level=level,
            region=(region or "").strip(),
            fonds_number=fonds_number.strip(),
            parent=parent,
            sort_order=sort_order,
        )
        full_clean(unit, exclude=["parent", "path", "depth"])
        unit.save()
        tree.assign_path(unit)
        unit.save(update_fields=["path", "depth"])
        audit(actor, "org.unit.create", unit, after=unit_snapshot(unit), summary=f"新建单位“{unit.name}”")
    return unit


def check_update_unit(actor, unit: Unit, changes: dict) -> None:
    perms.require(actor, "org.manage_unit", unit, f"您无权修改“{unit.name}”。")
    unknown = set(changes) - set(UNIT_EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(f"不能通过此操作修改：{'、'.join(sorted(unknown))}。")
    for field, label in (("name", "单位名称"), ("short_name", "单位简称"), ("fonds_number", "全宗号")):
        if field in changes:
            _require_text(changes[field], label, field)
    kind = changes.get("kind", unit.kind)
    level = changes.get("level", unit.level)
    tree.check_kind_level(kind, level)
    if level != unit.level:
        tree.check_level_change(unit, level)
    fonds = changes.get("fonds_number")
    if fonds is not None and Unit.objects.filter(fonds_number=fonds.strip()).exclude(pk=unit.pk).exists():
        raise ServiceError(f"全宗号“{fonds}”已被其他单位使用。", field="fonds_number")


def update_unit(actor, unit: Unit, **changes) -> Unit:
    """Change a unit's own fields (not its place in the tree: see ``move_unit``)."""
    check_update_unit(actor, unit, changes)
    with transaction.atomic():
        unit = _lock_branch(unit)[unit.pk]
        check_update_unit(None, unit, changes)
        before = unit_snapshot(unit)
        for field, value in changes.items():
            setattr(unit, field, value.strip() if isinstance(value, str) else value)
        full_clean(unit, exclude=["parent", "path", "depth"])
        unit.save()
        after = unit_snapshot(unit)
        if before != after:
            audit(actor, "org.unit.update", unit, before=before, after=after, summary=f"修改单位“{unit.name}”")
    return unit


def check_move_unit(actor, unit: Unit, new_parent: Unit | None) -> None:
    perms.require(actor, "org.manage_unit", unit, f"您无权调整“{unit.name}”的隶属关系。")
    if new_parent is None:
        perms.require(actor, "org.create_root_unit", None, "只有系统管理员可以把单位设为根单位。")
    else:
        perms.require(actor, "org.manage_unit", new_parent, f"您无权把单位移到“{new_parent.name}”之下。")
    tree.check_move(unit, new_parent)


def move_unit(actor, unit: Unit, new_parent: Unit | None) -> Unit:
    """Put ``unit`` (with its whole subtree) under ``new_parent``; the subtree's paths are rewritten in the
    same transaction."""
    check_move_unit(actor, unit, new_parent)
    with transaction.atomic():
        locked = _lock_branch(unit, new_parent)
        unit = locked[unit.pk]
        new_parent = locked[new_parent.pk] if new_parent is not None else None
        if unit.parent_id == (new_parent.pk if new_parent else None):
            return unit
        tree.check_move(unit, new_parent)
        before = unit_snapshot(unit)
        old_path = unit.path
        new_path = tree.child_path(new_parent, unit.pk)
        new_depth = new_parent.depth + 1 if new_parent else 0
        unit.parent = new_parent
        unit.save(update_fields=["parent", "updated_at"])
        moved = tree.rewrite_subtree(old_path, new_path, new_depth - unit.depth)
        unit.refresh_from_db()
        target = new_parent.name if new_parent else "根"
        audit(
            actor,
            "org.unit.move",
            unit,
            before=before,
            after=unit_snapshot(unit),
            summary=f"“{unit.name}”调整到“{target}”之下（含下级共 {moved} 个单位）",
        )
    return unit


def deactivate_unit(actor, unit: Unit) -> Unit:
    """停用: the unit disappears from pickers but keeps its history. Its active sub-units must go first."""
    perms.require(actor, "org.manage_unit", unit, f"您无权停用“{unit.name}”。")
    with transaction.atomic():
        unit = _lock_branch(unit)[unit.pk]
        if not unit.is_active:
            raise ServiceError(f"“{unit.name}”已经停用。")
        active_children = unit.children.filter(is_active=True).count()
        if active_children:
            raise ServiceError(f"“{unit.name}”还有 {active_children} 个启用的下级单位，请先停用或调整这些下级单位。")
        before = unit_snapshot(unit)
        unit.is_active = False
        unit.save(update_fields=["is_active", "updated_at"])
        audit(
            actor, "org.unit.deactivate", unit, before=before, after=unit_snapshot(unit), summary=f"停用“{unit.name}”"
        )
    return unit


def reactivate_unit(actor, unit: Unit) -> Unit:
    perms.require(actor, "org.manage_unit", unit, f"您无权启用“{unit.name}”。")
    with transaction.atomic():
        unit = _lock_branch(unit)[unit.pk]
        if unit.is_active:
            raise ServiceError(f"“{unit.name}”已经是启用状态。")
        if unit.parent is not None and not unit.parent.is_active:
            raise ServiceError(f"上级单位“{unit.parent.name}”已停用，请先启用上级单位。")
        before = unit_snapshot(unit)
        unit.is_active = True
        unit.save(update_fields=["is_active", "updated_at"])
        audit(
            actor, "org.unit.reactivate", unit, before=before, after=unit_snapshot(unit), summary=f"启用“{unit.name}”"
        )
    return unit


def unit_usage(unit: Unit) -> list[str]:
    """What ties a unit to the record (reasons it can only be deactivated)."""
    reasons = []
    if unit.children.exists():
        reasons.append("下级单位")
    if unit.people.exists():
        reasons.append("人员")
    if unit.departments.exists():
        reasons.append("内设机构")
    if unit.role_assignments.exists():
        reasons.append("角色分配")
    if unit.guided_units.exists():
        reasons.append("双重领导的下级单位")
    return reasons


def delete_unit(actor, unit: Unit) -> None:
    """Only a unit created by mistake can be deleted; anything holding people, departments, roles or
    documents is deactivated instead."""
    perms.require(actor, "org.manage_unit", unit, f"您无权删除“{unit.name}”。")
    with transaction.atomic():
        unit = _lock_branch(unit)[unit.pk]
        reasons = unit_usage(unit)
        if reasons:
            raise ServiceError(f"“{unit.name}”已有{'、'.join(reasons)}，单位不能删除，只能停用。")
        before = unit_snapshot(unit)
        name, pk = unit.name, unit.pk
        try:
            with transaction.atomic():
                unit.delete()
        except (ProtectedError, RestrictedError) as exc:
            raise ServiceError(f"“{name}”已有关联的业务数据（如公文），单位不能删除，只能停用。") from exc
        unit.pk = pk
        audit(actor, "org.unit.delete", unit, before=before, summary=f"删除单位“{name}”")


# --- double leadership ----------------------------------------------------------------------------------


def check_add_guidance(actor, unit: Unit, superior: Unit) -> None:
    perms.require(actor, "org.manage_unit", unit, f"您无权设置“{unit.name}”的双重领导关系。")
    tree.check_guidance(unit, superior)


def add_guidance(actor, unit: Unit, superior: Unit, note: str = "") -> UnitGuidance:
    check_add_guidance(actor, unit, superior)
    with transaction.atomic():
        locked = _lock_units([unit.pk, superior.pk])
        unit, superior = locked[unit.pk], locked[superior.pk]
        tree.check_guidance(unit, superior)
        link = UnitGuidance.objects.create(unit=unit, superior=superior, note=(note or "").strip())
        audit(
            actor,
            "org.guidance.add",
            unit,
            after={"unit_id": unit.pk, "superior_id": superior.pk, "note": link.note},
            summary=f"“{unit.name}”接受“{superior.name}”双重领导",
        )
    return link


def remove_guidance(actor, link: UnitGuidance) -> None:
    perms.require(actor, "org.manage_unit", link.unit, f"您无权修改“{link.unit.name}”的双重领导关系。")
    with transaction.atomic():
        before = {"unit_id": link.unit_id, "superior_id": link.superior_id, "note": link.note}
        unit, superior = link.unit, link.superior
        link.delete()
        audit(
            actor, "org.guidance.remove", unit, before=before, summary=f"取消“{superior.name}”对“{unit.name}”的双重领导"
        )


# --- departments ----------------------------------------------------------------------------------------


def check_department(unit: Unit, name: str, parent: Department | None, *, department: Department | None = None):
    name = _require_text(name, "内设机构名称", "name")
    if not unit.is_active:
        raise ServiceError(f"“{unit.name}”已停用，不能设置内设机构。", field="unit")
    if parent is not None:
        if parent.unit_id != unit.pk:
            raise ServiceError(f"上级内设机构“{parent.name}”不属于“{unit.name}”。", field="parent")
        if parent.parent_id is not None:
            raise ServiceError("内设机构最多两级：不能在科室下再设科室。", field="parent")
        if department is not None and parent.pk == department.pk:
            raise ServiceError("内设机构不能隶属于自己。", field="parent")
        if department is not None and department.children.exists():
            raise ServiceError(f"“{department.name}”下设有科室，不能再隶属于其他内设机构。", field="parent")
        if not parent.is_active:
            raise ServiceError(f"上级内设机构“{parent.name}”已停用。", field="parent")
    clash = Department.objects.filter(unit=unit, name=name)
    if department is not None:
        clash = clash.exclude(pk=department.pk)
    if clash.exists():
        raise ServiceError(f"“{unit.name}”已有名为“{name}”的内设机构。", field="name")


def create_department(
    actor, unit: Unit, name: str, parent: Department | None = None, sort_order: int = 0
) -> Department:
    perms.require(actor, "org.manage_unit", unit, f"您无权在“{unit.name}”设置内设机构。")
    check_department(unit, name, parent)
    with transaction.atomic():
        unit = _lock_units([unit.pk])[unit.pk]
        check_department(unit, name, parent)
        department = Department.objects.create(unit=unit, name=name.strip(), parent=parent, sort_order=sort_order)
        audit(
            actor,
            "org.department.create",
            department,
            after=department_snapshot(department),
            summary=f"“{unit.name}”新设内设机构“{department.name}”",
        )
    return department


def update_department(actor, department: Department, *, name=None, parent=..., sort_order=None) -> Department:
    perms.require(actor, "org.manage_unit", department.unit, f"您无权修改“{department.unit.name}”的内设机构。")
    new_name = department.name if name is None else name
    new_parent = department.parent if parent is ... else parent
    check_department(department.unit, new_name, new_parent, department=department)
    with transaction.atomic():
        before = department_snapshot(department)
        department.name = new_name.strip()
        department.parent = new_parent
        if sort_order is not None:
            department.sort_order = sort_order
        department.save()
        audit(
            actor,
            "org.department.update",
            department,
            before=before,
            after=department_snapshot(department),
            summary=f"修改内设机构“{department.name}”",
        )
    return department


def delete_department(actor, department: Department) -> None:
    perms.require(actor, "org.manage_unit", department.unit, f"您无权删除“{department.unit.name}”的内设机构。")
    with transaction.atomic():
        if department.people.exists() or department.children.exists():
            raise ServiceError(f"“{department.name}”下还有人员或科室，不能删除，请先调整。")
        before = department_snapshot(department)
        pk = department.pk
        department.delete()
        department.pk = pk
        audit(actor, "org.department.delete", department, before=before, summary=f"删除内设机构“{before['name']}”")


# --- people ---------------------------------------------------------------------------------------------


def _check_person_place(unit: Unit | None, department: Department | None) -> None:
    if unit is None:
        raise ServiceError("请选择人员所在单位。", field="unit")
    if not unit.is_active:
        raise ServiceError(f"“{unit.name}”已停用，不能在该单位添加人员。", field="unit")
    if department is not None and department.unit_id != unit.pk:
        raise ServiceError(f"内设机构“{department.name}”不属于“{unit.name}”。", field="department")
    if department is not None and not department.is_active:
        raise ServiceError(f"内设机构“{department.name}”已停用。", field="department")


def check_password_policy(password: str, person: Person) -> None:
    try:
        validate_password(password, person)
    except ValidationError as exc:
        raise ServiceError("密码不符合要求：" + "；".join(exc.messages), field="password") from exc


def check_create_person(actor, *, username, name, unit, department=None, password=None) -> None:
    perms.require(actor, "org.manage_people", unit, f"您无权在“{getattr(unit, 'name', '')}”添加人员。")
    username = _require_text(username, "用户名", "username")
    _require_text(name, "姓名", "name")
    try:
        Person._meta.get_field("username").run_validators(username)
    except ValidationError as exc:
        raise ServiceError("用户名只能包含字母、数字和 @/./+/-/_ 字符。", field="username") from exc
    if Person.objects.filter(username=username).exists():
        raise ServiceError(f"用户名“{username}”已被使用。", field="username")
    _check_person_place(unit, department)
    if password and actor is not None:
        check_password_policy(password, Person(username=username, name=name))


def create_person(
    actor, *, username, name, unit, department=None, title="", password=None, phone="", sort_order=0
) -> Person:
    """A new account. Without a password the account cannot sign in until one is set."""
    check_create_person(actor, username=username, name=name, unit=unit, department=department, password=password)
    with transaction.atomic():
        person = Person(
            username=username.strip(),
            name=name.strip(),
            unit=unit,
            department=department,
            title=(title or "").strip(),
            phone=(phone or "").strip(),
            sort_order=sort_order,
        )
        if password:
            person.set_password(password)
            person.password_changed_at = timezone.now()
        else:
            person.set_unusable_password()
        full_clean(person, exclude=["password", "unit", "department"])
        person.save()
        audit(
            actor,
            "org.person.create",
            person,
            after=person_snapshot(person),
            summary=f"新建人员“{person.name}”（{unit.name}）",
        )
    return person


def _require_account_manager(actor, person: Person, verb: str) -> None:
    """三员 accounts are looked after by the 安全管理员 only, so the 系统管理员 cannot lock them out."""
    if actor is None:
        return
    if actor.pk == person.pk and verb in ("停用", "重置密码"):
        raise PermissionDeniedError(f"不能{verb}自己的账号。")
    holds_three = person.role_assignments.filter(role__in=THREE_ADMINS).exists()
    if holds_three:
        perms.require(actor, "org.manage_admin_accounts", person, f"三员账号只能由安全管理员{verb}。")
        return
    perms.require(actor, "org.manage_people", person, f"您无权{verb}“{person.name}”。")


def check_update_person(actor, person: Person, changes: dict) -> None:
    unknown = set(changes) - set(PERSON_EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(f"不能通过此操作修改：{'、'.join(sorted(unknown))}。")
    _require_account_manager(actor, person, "修改")
    if "name" in changes:
        _require_text(changes["name"], "姓名", "name")
    unit = changes.get("unit", person.unit)
    department = changes.get("department", person.department if unit == person.unit else None)
    if unit != person.unit:
        perms.require(actor, "org.manage_people", unit, f"您无权把人员调入“{getattr(unit, 'name', '')}”。")
        held = person.role_assignments.exclude(role__in=THREE_ADMINS)
        if held.exists():
            names = "、".join(sorted({a.get_role_display() for a in held}))
            raise ServiceError(f"“{person.name}”在原单位担任{names}，请先撤销这些角色再调动单位。", field="unit")
    _check_person_place(unit, department)


def update_person(actor, person: Person, **changes) -> Person:
    """Change name, title, phone, order, unit or department. Moving to another unit keeps no roles."""
    check_update_person(actor, person, changes)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        before = person_snapshot(person)
        if "unit" in changes and changes["unit"] != person.unit and "department" not in changes:
            person.department = None
        for field, value in changes.items():
            setattr(person, field, value.strip() if isinstance(value, str) else value)
        full_clean(person, exclude=["password", "unit", "department"])
        person.save()
        after = person_snapshot(person)
        if before != after:
            audit(actor, "org.person.update", person, before=before, after=after, summary=f"修改人员“{person.name}”")
    return person


def set_password(actor, person: Person, password: str) -> None:
    """An administrator sets (resets) someone's password."""
    _require_account_manager(actor, person, "重置密码")
    check_password_policy(password, person)
    with transaction.atomic():
        person.set_password(password)
        person.password_changed_at = timezone.now()
        person.save(update_fields=["password", "password_changed_at"])
        audit(actor, "org.person.set_password", person, summary=f"重置“{person.name}”的密码")


def deactivate_person(actor, person: Person) -> Person:
    """停用账号 (people are never deleted: their names stay on documents and in the audit trail)."""
    _require_account_manager(actor, person, "停用")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if not person.is_active:
            raise ServiceError(f"“{person.name}”的账号已经停用。")
        if person.role_assignments.filter(role=Role.SECURITY_ADMIN).exists():
            others = Person.objects.filter(is_active=True, role_assignments__role=Role.SECURITY_ADMIN).exclude(
                pk=person.pk
            )
            if not others.exists():
                raise ServiceError("不能停用唯一的安全管理员账号，否则将无人能够授予角色。")
        before = person_snapshot(person)
        person.is_active = False
        person.save(update_fields=["is_active"])
        audit(
            actor,
            "org.person.deactivate",
            person,
            before=before,
            after=person_snapshot(person),
            summary=f"停用“{person.name}”的账号",
        )
    return person


def reactivate_person(actor, person: Person) -> Person:
    _require_account_manager(actor, person, "启用")
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.is_active:
            raise ServiceError(f"“{person.name}”的账号已经是启用状态。")
        if person.unit is not None and not person.unit.is_active:
            raise ServiceError(f"“{person.unit.name}”已停用，不能启用其人员账号。")
        before = person_snapshot(person)
        person.is_active = True
        person.save(update_fields=["is_active"])
        audit(
            actor,
            "org.person.reactivate",
            person,
            before=before,
            after=person_snapshot(person),
            summary=f"启用“{person.name}”的账号",
        )
    return person
