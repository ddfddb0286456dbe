from django.utils.functional import SimpleLazyObject

from oa.todo.services import counts_for
from oa.web.navigation import MAIN_NAV, nav_key_for


def navigation(request):
    context = {
        "main_nav": MAIN_NAV,
        "nav_key": nav_key_for(getattr(request, "resolver_match", None)),
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Lazy: only pages that show the badge pay for the (single) count query.
        context["todo_counts"] = SimpleLazyObject(lambda: _with_total(counts_for(user)))
    return context


def _with_total(counts: dict) -> dict:
    return {**counts, "unread": counts["todo"] + counts["toread"]}
