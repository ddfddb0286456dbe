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


def _fields(obj, *names: str) -> dict:
    return {name: getattr(obj, name) for name in names}


def unit_snapshot(unit) -> dict:
    return _fields(
        unit, "name", "short_name", "code", "kind", "level", "region", "fonds_number", "parent_id", "path",
        "sort_order", "is_active",
    )


def department_snapshot(department) -> dict:
    return _fields(department, "unit_id", "name", "parent_id", "sort_order", "is_active")


def person_snapshot(person) -> dict:
    return _fields(
        person, "username", "name", "unit_id", "department_id", "title", "phone", "sort_order", "is_active"
    )


def role_snapshot(assignment) -> dict:
    return _fields(assignment, "person_id", "unit_id", "role", "leader_kind")


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
