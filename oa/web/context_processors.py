from django.utils.functional import SimpleLazyObject

from oa.todo.services import counts_for
from oa.web.navigation import MAIN_NAV, nav_key_for

ADMIN_LINKS_ATTR = "_oa_admin_links"


def navigation(request):
    context = {
        "main_nav": MAIN_NAV,
        "nav_key": nav_key_for(getattr(request, "resolver_match", None)),
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Lazy: only pages that show the badge pay for the (single) count query.
        context["todo_counts"] = SimpleLazyObject(lambda: _with_total(counts_for(user)))
        context["admin_links"] = admin_links(request)
    return context


def admin_links(request) -> dict:
    """The administration entries of the header: the 三员 consoles the user may open and the Django admin.

    Cached on the request. Only administrators carry ``is_staff`` (oa.org.roles.sync_staff_flag keeps it in
    step with the 三员 and 单位管理员 roles), so ordinary users cost no query at all; for administrators the
    one role query is shared with every later permission check of the request (oa.permissions.roles_of)."""
    cached = getattr(request, ADMIN_LINKS_ATTR, None)
    if cached is None:
        user = request.user
        consoles = []
        if user.is_staff and user.is_active:
            from oa.accounts.views import consoles_for  # views import models: keep this module import-light

            consoles = consoles_for(user)
        cached = {"consoles": consoles, "django_admin": bool(user.is_staff and user.is_active)}
        setattr(request, ADMIN_LINKS_ATTR, cached)
    return cached


def _with_total(counts: dict) -> dict:
    return {**counts, "unread": counts["todo"] + counts["toread"]}
