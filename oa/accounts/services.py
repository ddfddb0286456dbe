"""Sign-in use cases: password change and age, unlocking locked accounts.

(Creating, disabling and re-enabling accounts are organisation use cases: ``oa.org.services``.)

Every function takes the acting person, checks permission with ``may`` (rules' rule set, so the
superuser flag grants nothing), changes state in one transaction and writes the audit event.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.db import transaction
from django.utils import timezone

from oa.accounts import lockout
from oa.audit.models import Result
from oa.audit.services import record, record_outside
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.permissions import can


def may(user, perm: str, obj=None) -> bool:
    """``oa.permissions.can``: rules-defined permissions are answered by their rule alone, so the
    ``is_superuser`` flag grants none of the 三员 powers."""
    return bool(getattr(user, "is_authenticated", False)) and can(user, perm, obj)


def _refuse(actor, perm: str, message: str, obj=None):
    record_outside(actor, perm, obj, result=Result.DENIED, summary=message)
    raise PermissionDeniedError(message)


# --- password -----------------------------------------------------------------------------------------


def password_age_limit() -> timedelta | None:
    days = int(getattr(settings, "PASSWORD_MAX_AGE_DAYS", 0) or 0)
    return timedelta(days=days) if days > 0 else None


def password_expires_at(user):
    """When the password must be changed; None when passwords do not expire. An account whose password
    date is unknown counts from the day it was created."""
    limit = password_age_limit()
    if limit is None or not getattr(user, "is_authenticated", False):
        return None
    changed = user.password_changed_at or user.date_joined
    return changed + limit


def password_expired(user) -> bool:
    expires = password_expires_at(user)
    return expires is not None and expires <= timezone.now()


def change_own_password(actor, old_password: str, new_password: str) -> None:
    """The signed-in person changes their own password (policy enforced by AUTH_PASSWORD_VALIDATORS)."""
    if not actor.check_password(old_password):
        record_outside(actor, "password_change_failed", actor, result=Result.FAILURE, summary="原密码不正确")
        raise ServiceError("原密码不正确。", field="old_password")
    if old_password == new_password:
        raise ServiceError("新密码不能与原密码相同。", field="new_password1")
    password_validation.validate_password(new_password, actor)
    with transaction.atomic():
        actor.set_password(new_password)
        actor.password_changed_at = timezone.now()
        actor.save(update_fields=["password", "password_changed_at"])
        record(actor, "password_changed", actor, summary="修改本人密码")


# --- lockout ------------------------------------------------------------------------------------------


def unlock_account(actor, username: str) -> lockout.LockStatus:
    """The 安全管理员 lifts a lock before its 30 minutes are over."""
    if not may(actor, "accounts.unlock_account"):
        _refuse(actor, "accounts.unlock_account", "只有安全管理员可以解锁账号。")
    username = (username or "").strip()
    status = lockout.lock_status(username)
    if not status.locked:
        raise ServiceError(f"账号“{username}”当前未被锁定。")
    person = get_user_model()._default_manager.filter(username=username).first()
    with transaction.atomic():
        lockout.clear_failures(username)
        record(
            actor,
            "account_unlocked",
            person if person is not None else username,
            before={"failures": status.failures, "unlock_at": status.unlock_at.isoformat()},
            after={"failures": 0},
            summary=f"安全管理员解锁账号 {username}",
        )
    return status
