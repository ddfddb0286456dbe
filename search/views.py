"""Search pages: the search box for everyone (/search/) and the archive search for 档案员 (/search/archive/)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from documents.models import DocType
from oa import permissions as perms
from oa.core.errors import NotFoundError, PermissionDeniedError, ServiceError

from . import services
from .indexing import BOX_LABELS

SORT_LABELS = {"relevance": "按相关度", "date_desc": "按日期（新→旧）", "date_asc": "按日期（旧→新）"}


def _page_links(request, result) -> dict:
    def link(page):
        params = request.GET.copy()
        params["page"] = page
        return f"?{params.urlencode()}"

    return {
        "prev": link(result.page - 1) if result.page > 1 else "",
        "next": link(result.page + 1) if result.page < result.pages else "",
    }


def _facet_links(request, result) -> dict:
    """Each facet value as a link adding that filter (issuer=…, doc_type=…) to the current search."""
    names = {"doc_type": "doc_type", "issuer": "issuer", "status": "status", "box": "box", "retention": "retention"}
    out = {}
    for facet, items in result.facets.items():
        links = []
        for item in items:
            params = request.GET.copy()
            params.pop("page", None)
            if facet == "year":
                params["year_from"] = params["year_to"] = item["value"]
            else:
                params.setlist(names[facet], [item["value"]])
            links.append({**item, "url": f"?{params.urlencode()}"})
        out[facet] = links
    return out


def _run(request, search, template, extra=None):
    context = {"q": request.GET.get("q", ""), "params": request.GET, "sort_labels": SORT_LABELS, **(extra or {})}
    status = 200
    if request.GET:
        try:
            result = search(request.user, request.GET)
            context.update(result=result, pages=_page_links(request, result), facets=_facet_links(request, result))
        except ServiceError as exc:
            context["error"] = exc.message
            status = exc.status_code
    return render(request, template, context, status=status)


def _require_archivist(user) -> None:
    try:
        perms.require(user, "search.archive_search", None, "档案检索仅供档案员使用。")
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None


@login_required
@require_GET
def index(request):
    """The search box: words, 发文字号, sorting, facets to narrow down."""
    return _run(
        request,
        services.search,
        "search/index.html",
        {"nav_key": "search", "is_archivist": perms.can(request.user, "search.archive_search")},
    )


@login_required
@require_GET
def archive(request):
    _require_archivist(request.user)
    return _run(
        request,
        services.archive_search,
        "search/archive.html",
        {
            "nav_key": "search",
            "doc_types": DocType.choices,
            "boxes": list(BOX_LABELS.items()),
            "statuses": list(services.STATUS_LABELS.items()),
            "export_query": request.GET.urlencode(),
            "export_url": reverse("search:export"),
        },
    )


@login_required
@require_GET
def export(request):
    _require_archivist(request.user)
    try:
        data, content_type, filename = services.export(request.user, request.GET, request.GET.get("format", "csv"))
    except ServiceError as exc:
        return render(
            request,
            "search/archive.html",
            {
                "error": exc.message,
                "nav_key": "search",
                "params": request.GET,
                "sort_labels": SORT_LABELS,
                "doc_types": DocType.choices,
                "boxes": list(BOX_LABELS.items()),
                "statuses": list(services.STATUS_LABELS.items()),
            },
            status=exc.status_code,
        )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def preview(request, key):
    """One search result read from the database: the same visibility rule as the search (404 otherwise)."""
    try:
        entry = services.preview(request.user, key)
    except NotFoundError as exc:
        raise Http404(exc.message) from None
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from None
    back = request.META.get("HTTP_REFERER", "")
    return render(
        request,
        "search/preview.html",
        {
            "entry": entry,
            "nav_key": "search",
            "back": back if url_has_allowed_host_and_scheme(back, {request.get_host()}) else "",
        },
    )
