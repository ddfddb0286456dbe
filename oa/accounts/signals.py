"""Audit of sign-in events, whatever path they come through (our login page, the Django admin, the API).

Receivers are connected in AccountsConfig.ready, after axes' own receivers (axes is listed earlier in
INSTALLED_APPS), so by the time ``audit_login_failed`` runs axes has counted the failure and flagged the
request when it locked the account.  There is deliberately no setting that turns any of this off.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from oa.accounts import lockout
from oa.accounts.backends import REFUSAL_ATTR, SUPERUSER_REFUSAL
from oa.audit.models import Result
from oa.audit.services import record, record_outside
from oa.core.context import client_address_from_meta

# Set on the request before calling logout() to record why the session ended.
LOGOUT_REASON_ATTR = "oa_logout_reason"
LOGOUT_SUMMARIES = {
    "logout": "退出登录",
    "idle_logout": "长时间无操作，自动退出登录",
    "session_expired": "会话超过最长时限，自动退出登录",
}


def _address(request) -> str:
    return client_address_from_meta(getattr(request, "META", {}) or {}) if request is not None else ""


def audit_login(sender, request, user, **kwargs):
    record(user, "login", user, summary="登录成功", client_address=_address(request))


def audit_logout(sender, request, user, **kwargs):
    if user is None or not getattr(user, "is_authenticated", False):
        return
    action = getattr(request, LOGOUT_REASON_ATTR, "logout")
    record(user, action, user, summary=LOGOUT_SUMMARIES.get(action, "退出登录"), client_address=_address(request))


def _failure_reason(request, person) -> tuple[str, str]:
    """(result, summary) for a failed attempt."""
    if getattr(request, REFUSAL_ATTR, None) == SUPERUSER_REFUSAL:
        return Result.DENIED, "登录被拒绝：超级用户账号不允许登录（三员分立）"
    if getattr(request, "axes_locked_out", False) and getattr(request, "axes_failures_since_start", None) is None:
        return Result.DENIED, "登录被拒绝：账号已锁定"
    if person is not None and not person.is_active:
        return Result.FAILURE, "登录失败：账号已停用"
    if person is None:
        return Result.FAILURE, "登录失败：账号不存在"
    return Result.FAILURE, "登录失败：密码错误"


def audit_login_failed(sender, credentials, request=None, **kwargs):
    model = get_user_model()
    username = str((credentials or {}).get(model.USERNAME_FIELD) or "")[:150]
    person = model._default_manager.filter(**{model.USERNAME_FIELD: username}).first() if username else None
    result, summary = _failure_reason(request, person)
    address = _address(request)
    # The actor is only the name typed in: nobody proved to be that person.  record_outside: a refusal
    # must survive even if some caller wrapped the attempt in a transaction that rolls back.
    record_outside(
        username or "（未填写用户名）",
        "login_failed",
        person if person is not None else username or None,
        result=result,
        summary=summary,
        client_address=address,
    )
    # axes counted this failure and reached the limit just now (a refused attempt on an account that
    # was already locked leaves axes_failures_since_start unset).
    failures = getattr(request, "axes_failures_since_start", None)
    if getattr(request, "axes_locked_out", False) and failures is not None:
        minutes = int(lockout.cool_off().total_seconds() // 60)
        record_outside(
            username,
            "account_locked",
            person if person is not None else username,
            result=Result.SUCCESS,
            after={"failures": failures},
            summary=f"连续 {failures} 次登录失败，账号锁定 {minutes} 分钟",
            client_address=address,
        )


def audit_refused_address(request, username: str) -> None:
    """A login refused before authentication because its address is spraying passwords."""
    record_outside(
        username or "（未填写用户名）",
        "login_failed",
        username or None,
        result=Result.DENIED,
        summary="登录被拒绝：该地址登录失败次数过多",
        client_address=_address(request),
    )


def start_session_clock(sender, request, user, **kwargs):
    """Idle and absolute session limits count from the login (see oa.accounts.middleware)."""
    from oa.accounts.middleware import LAST_ACTIVITY_KEY, LOGIN_AT_KEY, _now

    session = getattr(request, "session", None)
    if session is not None:
        now = _now()
        session[LOGIN_AT_KEY] = now
        session[LAST_ACTIVITY_KEY] = now


def connect() -> None:
    user_logged_in.connect(audit_login, dispatch_uid="oa.accounts.audit_login")
    user_logged_in.connect(start_session_clock, dispatch_uid="oa.accounts.start_session_clock")
    user_logged_out.connect(audit_logout, dispatch_uid="oa.accounts.audit_logout")
    user_login_failed.connect(audit_login_failed, dispatch_uid="oa.accounts.audit_login_failed")
