"""Todo pages: thin views over oa.todo.services."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from oa.core.errors import NotFoundError, ServiceError
from oa.todo import services
from oa.todo.models import Kind, State

PAGE_SIZE = 20
LATEST_COUNT = 8

# tab key -> (label, filter, ordering). 待办: nearest deadline first, those without one last.
TABS = {
    "todo": ("待办", {"kind": Kind.TODO, "state": State.OPEN}, (F("deadline").asc(nulls_last=True), "-created_at")),
    "toread": ("待阅", {"kind": Kind.TOREAD, "state": State.OPEN}, ("-created_at", "-id")),
    "read": ("已阅", {"kind": Kind.TOREAD, "state": State.DONE}, ("-done_at", "-id")),
    "done": ("已办", {"kind": Kind.TODO, "state": State.DONE}, ("-done_at", "-id")),
}


def _tab_queryset(user, tab: str):
    _label, filters, ordering = TABS[tab]
    return services.items_for(user).filter(**filters).order_by(*ordering)


@login_required
@require_GET
def index(request):
    tab = request.GET.get("tab", "todo")
    if tab not in TABS:
        tab = "todo"
    page = Paginator(_tab_queryset(request.user, tab), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = services.counts_for(request.user)
    tabs = [
        {"key": "todo", "label": "待办", "count": counts["todo"]},
        {"key": "toread", "label": "待阅", "count": counts["toread"]},
        {"key": "done", "label": "已办", "count": counts["done"]},
        {"key": "read", "label": "已阅", "count": None},
    ]
    return render(
        request,
        "todo/index.html",
        {"tab": tab, "tab_label": TABS[tab][0], "tabs": tabs, "page": page, "nav_key": "home"},
    )


@require_GET
def counts(request):
    """The page's resync after (re)connecting the socket. 401 (not a login redirect) when signed out, so the
    script knows to stop reconnecting."""
    if not request.user.is_authenticated:
        detail = "您已退出登录，请重新登录。"
        return JsonResponse({"detail": detail, "login_url": reverse(settings.LOGIN_URL)}, status=401)
    response = JsonResponse(services.counts_for(request.user))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def latest(request):
    """Fragment of the newest open items, re-fetched by the 工作台 when a push arrives."""
    items = services.items_for(request.user).filter(state=State.OPEN).order_by("-created_at", "-id")[:LATEST_COUNT]
    response = render(request, "todo/_latest.html", {"items": items})
    response["Cache-Control"] = "no-store"
    return response


def _back(request, default: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def _act(request, item_id, action, done_message: str):
    try:
        item = services.get_item_for(request.user, item_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    try:
        item = action(request.user, item)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _back(request, "todo:index")
    if request.POST.get("open") == "1":
        return redirect(item.url)  # 阅知 in one click: mark read and open the document
    messages.success(request, done_message)
    return _back(request, "todo:index")


@login_required
@require_POST
def complete(request, item_id: int):
    return _act(request, item_id, services.complete_todo, "已办结。")


@login_required
@require_POST
def mark_read(request, item_id: int):
    return _act(request, item_id, services.mark_read, "已标记为已阅。")
