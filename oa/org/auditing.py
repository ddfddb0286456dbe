"""Audit helpers shared by the organisation services: snapshots for before/after and the system actor."""

from django.core.exceptions import ValidationError

from oa.audit.services import record
from oa.core.errors import ServiceError

SYSTEM_ACTOR = "系统"


def audit(actor, action: str, obj, *, before=None, after=None, summary: str = ""):
    """``actor=None`` is the system itself (seed data, migrations)."""
    return record(
        actor if actor is not None else SYSTEM_ACTOR, action, obj, before=before, after=after, summary=summary
    )


def unit_snapshot(unit) -> dict:
    return {
        "name": unit.name,
        "short_name": unit.short_name,
        "code": unit.code,
        "kind": unit.kind,
        "level": unit.level,
        "region": unit.region,
        "fonds_number": unit.fonds_number,
        "parent_id": unit.parent_id,
        "path": unit.path,
        "sort_order": unit.sort_order,
        "is_active": unit.is_active,
    }


def department_snapshot(department) -> dict:
    return {
        "unit_id": department.unit_id,
        "name": department.name,
        "parent_id": department.parent_id,
        "sort_order": department.sort_order,
        "is_active": department.is_active,
    }


def person_snapshot(person) -> dict:
    return {
        "username": person.username,
        "name": person.name,
        "unit_id": person.unit_id,
        "department_id": person.department_id,
        "title": person.title,
        "phone": person.phone,
        "sort_order": person.sort_order,
        "is_active": person.is_active,
    }


def role_snapshot(assignment) -> dict:
    return {
        "person_id": assignment.person_id,
        "unit_id": assignment.unit_id,
        "role": assignment.role,
        "leader_kind": assignment.leader_kind,
    }


def delegation_snapshot(delegation) -> dict:
    return {
        "principal_id": delegation.principal_id,
        "deputy_id": delegation.deputy_id,
        "unit_id": delegation.unit_id,
        "role": delegation.role,
        "start_date": delegation.start_date.isoformat(),
        "end_date": delegation.end_date.isoformat(),
        "reason": delegation.reason,
        "revoked": delegation.revoked_at is not None,
    }


def full_clean(obj, *, exclude=None) -> None:
    """Run the model's field validation and turn Django's ValidationError into a ServiceError."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            field, errors = next(iter(exc.message_dict.items()))
            label = field
            if field != "__all__":
                try:
                    label = str(obj._meta.get_field(field).verbose_name)
                except Exception:  # noqa: BLE001 - a non-field key; show it as is
                    pass
                raise ServiceError(f"{label}：{'；'.join(errors)}", field=field) from exc
            raise ServiceError("；".join(errors)) from exc
        raise ServiceError("；".join(exc.messages)) from exc
