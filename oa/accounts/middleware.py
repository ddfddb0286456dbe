"""Session limits (idle logout, absolute lifetime) and forced password change.

Background requests
-------------------
Pages that poll or refresh by themselves (the todo counter, live lists) must send the header
``X-OA-Background: 1`` on those requests.  They are served normally while the session is alive, but
they do not count as activity, so a tablet left open on the todo page is still signed out after
IDLE_TIMEOUT_SECONDS.  When the session has ended they get ``401`` with a JSON body
``{"detail": "...", "login_url": "..."}`` instead of a redirect; the page should then reload itself
(``location.reload()``), which lands on the login page.  WebSocket traffic never passes through this
middleware and so never keeps a session alive either; consumers call ``session_end_reason`` to find out
whether the session behind a socket is over.

Activity is written to the session at most once a minute (``TOUCH_SECONDS``) so that ordinary browsing
does not write the session row on every request; the idle limit is therefore exact to within a minute,
erring on the early side.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from oa.accounts.signals import LOGOUT_REASON_ATTR

BACKGROUND_HEADER = "HTTP_X_OA_BACKGROUND"
LAST_ACTIVITY_KEY = "oa_last_activity"
LOGIN_AT_KEY = "oa_login_at"
TOUCH_SECONDS = 60


def is_background(request) -> bool:
    return request.META.get(BACKGROUND_HEADER, "").strip().lower() in {"1", "true", "yes"}


def wants_json(request) -> bool:
    return (
        is_background(request)
        or request.path.startswith("/api/")
        or request.headers.get("x-requested-with") == "XMLHttpRequest"
        or "application/json" in request.headers.get("accept", "")
    )


def _now() -> float:
    return timezone.now().timestamp()


def _minutes(seconds: int) -> int:
    return max(1, round(seconds / 60))


def session_end_reason(session) -> str | None:
    """"idle_logout" / "session_expired" when the session is over by our limits, else None.

    Also for WebSocket consumers: they never pass through this middleware, so they should call this
    with ``scope["session"]`` before pushing and close the socket when it returns a reason."""
    now = _now()
    last = session.get(LAST_ACTIVITY_KEY)
    if last is not None and now - last > int(settings.IDLE_TIMEOUT_SECONDS):
        return "idle_logout"
    login_at = session.get(LOGIN_AT_KEY)
    if login_at is not None and now - login_at > int(settings.SESSION_COOKIE_AGE):
        return "session_expired"
    return None


class IdleTimeoutMiddleware:
    """Signs out a session idle for IDLE_TIMEOUT_SECONDS, or older than SESSION_COOKIE_AGE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            reason = session_end_reason(session)
            if reason == "idle_logout":
                minutes = _minutes(int(settings.IDLE_TIMEOUT_SECONDS))
                message = f"您已超过 {minutes} 分钟没有操作，为保护账号安全已自动退出，请重新登录。"
                return self._end(request, reason, message)
            if reason == "session_expired":
                return self._end(request, reason, "本次登录已达到最长时限，请重新登录。")
            now = _now()
            last = session.get(LAST_ACTIVITY_KEY)
            if session.get(LOGIN_AT_KEY) is None:
                session[LOGIN_AT_KEY] = now
            if last is None or (not is_background(request) and now - last >= TOUCH_SECONDS):
                session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)

    def _end(self, request, reason: str, message: str):
        setattr(request, LOGOUT_REASON_ATTR, reason)
        logout(request)  # audited by oa.accounts.signals.audit_logout with this reason
        login_url = reverse(settings.LOGIN_URL)
        if wants_json(request):
            return JsonResponse({"detail": message, "login_url": login_url}, status=401)
        messages.warning(request, message)
        if request.method == "GET":
            login_url = f"{login_url}?{urlencode({'next': request.get_full_path()})}"
        return redirect(login_url)


class PasswordExpiryMiddleware:
    """Sends a person whose password is older than PASSWORD_MAX_AGE_DAYS to the password page before
    anything else (only signing out and the password page itself stay reachable)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._exempt(request.path):
            from oa.accounts.services import password_expired

            if password_expired(user):
                message = "您的密码已过期，请先修改密码后再继续使用。"
                if wants_json(request):
                    return JsonResponse({"detail": message}, status=403)
                messages.warning(request, message)
                return redirect("accounts:password_change")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        allowed = (
            reverse("accounts:password_change"),
            reverse("accounts:logout"),
            reverse("accounts:login"),
        )
        static_prefixes = tuple(p for p in (settings.STATIC_URL, "/healthz") if p)
        return path in allowed or path.startswith(static_prefixes)

