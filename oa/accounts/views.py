"""Sign-in pages and the three administrator consoles (三员).  Thin: parse, call a service, render."""

from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from guardian.conf import settings as guardian_settings

from oa.accounts import lockout, services
from oa.accounts.forms import LoginForm, PasswordChangeForm, UnlockForm
from oa.accounts.signals import audit_refused_address
from oa.audit.models import AuditEvent, Checkpoint, Result
from oa.audit.services import record_outside
from oa.core.context import client_address_from_meta
from oa.core.errors import ServiceError
from oa.org.models import THREE_ADMINS, Person, RoleAssignment

# --- sign in / out --------------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        address = client_address_from_meta(request.META)
        if lockout.address_blocked(address):
            form = self.get_form()
            audit_refused_address(request, request.POST.get("username", "")[:150])
            minutes = int(lockout.cool_off().total_seconds() // 60)
            form.add_error(None, f"本机所在地址登录失败次数过多，已暂停登录，请 {minutes} 分钟后再试或联系安全管理员。")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        if services.password_expired(form.get_user()):
            messages.warning(self.request, "您的密码已超过规定期限未修改，请先修改密码。")
            return redirect("accounts:password_change")
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lockout_limit"] = lockout.failure_limit()
        context["lockout_minutes"] = int(lockout.cool_off().total_seconds() // 60)
        return context


@never_cache
def logout_view(request):
    """Only a POST signs out (a GET could be triggered by any link or image); a GET asks to confirm."""
    if request.method == "POST":
        was_signed_in = request.user.is_authenticated
        logout(request)  # audited by oa.accounts.signals.audit_logout
        if was_signed_in:
            messages.success(request, "您已安全退出。")
        return redirect(settings.LOGOUT_REDIRECT_URL)
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    return render(request, "accounts/logout_confirm.html")


def locked_out(request, original_response=None, credentials=None, *args, **kwargs):
    """AXES_LOCKOUT_CALLABLE.  axes' async middleware calls it as (request, credentials)."""
    if isinstance(original_response, dict) and credentials is None:
        credentials = original_response
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    status = lockout.lock_status(username) if username else None
    context = {
        "username": username,
        "status": status,
        "limit": lockout.failure_limit(),
        "minutes": int(lockout.cool_off().total_seconds() // 60),
    }
    return render(request, "accounts/locked_out.html", context, status=429)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the usual cause is a page left open across a login or a server restart."""
    return render(request, "accounts/csrf_failure.html", status=403)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_own_password(
                request.user, form.cleaned_data["old_password"], form.cleaned_data["new_password1"]
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            update_session_auth_hash(request, request.user)  # stay signed in on this device only
            messages.success(request, "密码已修改。")
            return redirect(settings.LOGIN_REDIRECT_URL)
    context = {
        "form": form,
        "expired": services.password_expired(request.user),
        "expires_at": services.password_expires_at(request.user),
        "max_age_days": getattr(settings, "PASSWORD_MAX_AGE_DAYS", 0),
    }
    return render(request, "accounts/password_change.html", context, status=400 if form.errors else 200)


# --- the three consoles ---------------------------------------------------------------------------------

CONSOLES = (
    ("system", "系统管理员", "accounts:system_console", "accounts.use_system_console"),
    ("security", "安全管理员", "accounts:security_console", "accounts.use_security_console"),
    ("audit", "审计管理员", "accounts:audit_console", "accounts.use_audit_console"),
)


def consoles_for(user) -> list[dict]:
    """The consoles ``user`` may open (at most one for a correctly separated account)."""
    return [
        {"key": key, "label": label, "url": reverse(url_name)}
        for key, label, url_name, perm in CONSOLES
        if services.may(user, perm)
    ]


def console(perm: str, label: str):
    """Login required; without ``perm`` a Chinese 403 page (and an audited refusal)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not services.may(request.user, perm):
                record_outside(
                    request.user,
                    perm,
                    None,
                    result=Result.DENIED,
                    summary=f"无权进入{label}控制台：{request.path}",
                    client_address=client_address_from_meta(request.META),
                )
                return render(request, "accounts/forbidden.html", {"role_label": label}, status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _roles_prefetch():
    return Prefetch("role_assignments", queryset=RoleAssignment.objects.select_related("unit").order_by("role"))


@console("accounts.use_system_console", "系统管理员")
def system_console(request):
    q = request.GET.get("q", "").strip()
    people = Person.objects.select_related("unit", "department").prefetch_related(_roles_prefetch())
    if q:
        people = people.filter(Q(name__icontains=q) | Q(username__icontains=q) | Q(unit__name__icontains=q))
    state = request.GET.get("state", "")
    if state == "disabled":
        people = people.filter(is_active=False)
    # django-guardian keeps a placeholder row for anonymous visitors; it is not anybody's account.
    people = people.exclude(username=guardian_settings.ANONYMOUS_USER_NAME)
    page = Paginator(people.order_by("unit__path", "sort_order", "id"), 50).get_page(request.GET.get("page"))
    for person in page:
        # 三员 accounts are looked after by the 安全管理员 (oa.org.services refuses the 系统管理员).
        person.is_three_admin = any(a.role in THREE_ADMINS for a in person.role_assignments.all())
    locked = {s.username for s in lockout.locked_accounts()}
    return render(
        request,
        "accounts/console_system.html",
        {"page": page, "q": q, "state": state, "locked": locked, "console": "system"},
    )


@console("accounts.manage_accounts", "系统管理员")
@require_POST
def system_set_active(request, person_id: int):
    from oa.org import services as org_services

    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404("账号不存在。")
    active = request.POST.get("active") == "1"
    try:
        if active:
            org_services.reactivate_person(request.user, person)
        else:
            org_services.deactivate_person(request.user, person)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{'启用' if active else '停用'}“{person}”的账号。")
    return redirect(_back(request, "accounts:system_console"))


@console("accounts.use_security_console", "安全管理员")
def security_console(request):
    three_admins = (
        RoleAssignment.objects.filter(role__in=THREE_ADMINS)
        .select_related("person", "unit", "granted_by")
        .order_by("role", "person__username")
    )
    # Persons holding two of the three roles, or carrying the superuser flag: both break 三员 separation.
    doubled = [
        p
        for p in Person.objects.filter(role_assignments__role__in=THREE_ADMINS)
        .prefetch_related(_roles_prefetch())
        .distinct()
        if len({a.role for a in p.role_assignments.all() if a.role in THREE_ADMINS}) > 1
    ]
    superusers = Person.objects.filter(is_superuser=True).order_by("username")
    context = {
        "console": "security",
        "locked": lockout.locked_accounts(),
        "failures": lockout.recent_failures(50),
        "three_admins": three_admins,
        "doubled": doubled,
        "superusers": superusers,
        "limit": lockout.failure_limit(),
        "minutes": int(lockout.cool_off().total_seconds() // 60),
        "now": timezone.now(),
    }
    return render(request, "accounts/console_security.html", context)


@console("accounts.unlock_account", "安全管理员")
@require_POST
def security_unlock(request):
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请指定要解锁的账号。")
    else:
        try:
            services.unlock_account(request.user, form.cleaned_data["username"])
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已解锁账号“{form.cleaned_data['username']}”。")
    return redirect("accounts:security_console")


@console("accounts.use_audit_console", "审计管理员")
def audit_console(request):
    try:
        trail_url = reverse("audit:trail")
    except NoReverseMatch:
        trail_url = None
    since = timezone.now() - timedelta(days=1)
    recent = AuditEvent.objects.filter(created_at__gte=since)
    context = {
        "console": "audit",
        "trail_url": trail_url,
        "last_event": AuditEvent.objects.order_by("-seq").first(),
        "last_checkpoint": Checkpoint.objects.order_by("-seq").first(),
        "counts": {
            "events": recent.count(),
            "login_failed": recent.filter(action="login_failed").count(),
            "account_locked": recent.filter(action="account_locked").count(),
            "denied": recent.filter(result=Result.DENIED).count(),
        },
    }
    return render(request, "accounts/console_audit.html", context)


def _back(request, default: str) -> str:
    """Return to the list the form was posted from (same-site paths only)."""
    target = request.POST.get("next", "")
    allowed = {request.get_host()}
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=allowed, require_https=request.is_secure()):
        return target
    return reverse(default)
