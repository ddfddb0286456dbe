from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from oa.audit import trail
from oa.audit.forms import TrailFilterForm
from oa.core.errors import PermissionDeniedError

PAGE_SIZE = 50


def _forbidden(request, error: PermissionDeniedError):
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"detail": error.message}, status=403)
    return render(request, "audit/forbidden.html", {"message": error.message}, status=403)


@login_required
@require_GET
def trail_view(request):
    form = TrailFilterForm(request.GET or None)
    filters = form.to_filter()
    page_number = _page_number(request.GET.get("page"))
    try:
        events = trail.view_trail(request.user, filters, page=page_number)
        status = trail.chain_status(request.user)
        active_run = _requested_run(request)
    except PermissionDeniedError as error:
        return _forbidden(request, error)
    page = Paginator(events, PAGE_SIZE).get_page(page_number)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("run", None)
    return render(
        request,
        "audit/trail.html",
        {"form": form, "page": page, "query": query.urlencode(), "active_run": active_run, **status},
    )


@login_required
@require_POST
def verify_start(request):
    try:
        run = trail.start_verification(request.user)
    except PermissionDeniedError as error:
        return _forbidden(request, error)
    return redirect(f"{reverse('audit:trail')}?run={run.pk}")


@login_required
@require_GET
def verify_status(request, run_id: int):
    try:
        run = trail.verification(request.user, run_id)
    except PermissionDeniedError as error:
        return JsonResponse({"detail": error.message}, status=403)
    if run is None:
        return JsonResponse({"detail": "没有这次校验。"}, status=404)
    return JsonResponse(
        {
            "id": run.pk,
            "status": run.status,
            "status_label": run.get_status_display(),
            "finished": run.finished,
            "checked": run.checked,
            "total": run.total,
            "percent": run.percent,
            "message": run.message,
            "first_broken_seq": run.first_broken_seq,
        }
    )


def _page_number(raw) -> int:
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return 1


def _requested_run(request):
    raw = request.GET.get("run")
    if raw and raw.isdigit():
        return trail.verification(request.user, int(raw))
    return None
