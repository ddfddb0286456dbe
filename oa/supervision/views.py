"""督查督办 pages: thin views over oa.supervision.services and selectors."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oa.core.errors import NotFoundError, ServiceError
from oa.org.models import Unit
from oa.permissions import can
from oa.supervision import charts, exports, selectors, services, states
from oa.supervision.forms import ProgressForm, RaiseForm, first_error, month_param
from oa.supervision.models import Attachment, ItemUnit, Status, UnitRole
from oa.supervision.workcalendar import WorkCalendar

NAV = {"nav_key": "supervision"}


def _item_or_404(request, pk):
    try:
        return services.get_item_for(request.user, pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def board(request):
    limits = selectors.Thresholds.for_today()
    unit_id = request.GET.get("unit", "")
    data = selectors.board(
        request.user,
        status=request.GET.get("status", ""),
        unit_id=int(unit_id) if unit_id.isdigit() else None,
        warning=request.GET.get("warning", ""),
        limits=limits,
    )
    page = Paginator(data.items, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("fragment", None)
    context = {
        **NAV,
        "board": data,
        "page": page,
        "query": query.urlencode(),
        "statuses": Status.choices,
        "warning_labels": selectors.WARNING_LABELS,
        "may_raise": can(request.user, "supervision.raise_item"),
    }
    if request.GET.get("fragment"):
        return render(request, "supervision/_board.html", context)
    return render(request, "supervision/board.html", context)


@login_required
@require_GET
def item_detail(request, pk):
    item = _item_or_404(request, pk)
    user = request.user
    limits = selectors.Thresholds.for_today()
    warning, reasons = selectors.warning_for(item, limits)
    assignments = list(item.assignments.select_related("unit", "signed_by").order_by("-role", "id"))
    mine = next((a for a in assignments if a.unit_id == user.unit_id), None)
    calendar = WorkCalendar()
    today = timezone.localdate()
    context = {
        **NAV,
        "item": item,
        "warning": warning,
        "warning_label": selectors.WARNING_LABELS.get(warning, ""),
        "reasons": reasons,
        "workdays_left": calendar.workdays_between(today, item.deadline) if item.is_open else None,
        "calendar_notes": calendar.warnings_for(today, item.deadline) if item.is_open else [],
        "assignments": assignments,
        "milestones": list(item.milestones.all()),
        "open_milestones": [m for m in item.milestones.all() if m.done_at is None],
        "reports": item.reports.select_related("unit", "author")
        .prefetch_related("attachments")
        .order_by("-created_at"),
        "events": item.events.select_related("unit").order_by("created_at", "id"),
        "reminders": item.reminders.select_related("actor").order_by("-created_at"),
        "can_sign": bool(
            mine
            and mine.signed_at is None
            and can(user, "supervision.sign_item", item)
            and states.allowed(item.status, "sign_lead" if mine.role == UnitRole.LEAD else "sign_cooperating")
        ),
        "can_report": bool(
            mine
            and mine.signed_at
            and can(user, "supervision.report_progress", item)
            and states.allowed(item.status, "report_progress")
        ),
        "can_request_close": can(user, "supervision.request_close", item)
        and states.allowed(item.status, "request_close"),
        "can_decide": can(user, "supervision.decide", item),
        "can_approve": states.allowed(item.status, "approve_close"),
        "can_remind": states.allowed(item.status, "remind"),
        "can_cancel": states.allowed(item.status, "cancel"),
        "progress_form": ProgressForm(),
    }
    return render(request, "supervision/item.html", context)


def _act(request, pk, action):
    item = _item_or_404(request, pk)
    try:
        message = action(item)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect("supervision:item", pk=item.pk)


@login_required
@require_POST
def sign(request, pk):
    return _act(request, pk, lambda item: services.sign_item(request.user, item) and "已签收。")


@login_required
@require_POST
def progress(request, pk):
    form = ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("supervision:item", pk=pk)

    def run(item):
        services.report_progress(
            request.user,
            item,
            text=form.cleaned_data["text"],
            percent=form.cleaned_data["percent"],
            milestone=form.cleaned_data["milestone"],
            attachments=request.FILES.getlist("attachments"),
        )
        return "进展已报送。"

    return _act(request, pk, run)


@login_required
@require_POST
def request_close(request, pk):
    return _act(
        request,
        pk,
        lambda item: (
            services.request_close(request.user, item, text=request.POST.get("text", ""))
            and "已申请办结，等待督查员审核。"
        ),
    )


@login_required
@require_POST
def approve(request, pk):
    return _act(
        request,
        pk,
        lambda item: (
            services.approve_close(request.user, item, opinion=request.POST.get("opinion", "")) and "已同意办结。"
        ),
    )


@login_required
@require_POST
def send_back(request, pk):
    return _act(
        request,
        pk,
        lambda item: (
            services.send_back(request.user, item, reason=request.POST.get("reason", "")) and "已退回牵头单位。"
        ),
    )


@login_required
@require_POST
def remind(request, pk):
    def run(item):
        reminder = services.remind(request.user, item, text=request.POST.get("text", ""))
        return f"已催办，通知 {reminder.recipients} 人。"

    return _act(request, pk, run)


@login_required
@require_POST
def cancel(request, pk):
    return _act(
        request,
        pk,
        lambda item: services.cancel_item(request.user, item, reason=request.POST.get("reason", "")) and "事项已撤销。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def raise_item(request):
    user = request.user
    if not can(user, "supervision.raise_item", user.unit):
        raise Http404("只有督查员或领导可以立项督办。")
    form = RaiseForm(request.POST or None, raising_unit=user.unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.raise_item(
                user,
                title=data["title"],
                instruction=data["instruction"],
                source_kind=data["source_kind"],
                lead_unit=data["lead_unit"],
                cooperating_units=list(data["cooperating_units"]),
                deadline=data["deadline"],
                milestones=data["milestones"],
                leader=data["leader"],
                report_interval=data["report_interval"],
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "督办事项已立项，已通知承办单位签收。")
            for note in getattr(item, "notes", []):
                messages.warning(request, note)
            return redirect("supervision:item", pk=item.pk)
    elif request.method == "POST":
        messages.error(request, first_error(form))
    return render(request, "supervision/raise.html", {**NAV, "form": form})


@login_required
@require_GET
def attachment(request, pk):
    record = Attachment.objects.select_related("report__item").filter(pk=pk).first()
    if record is None or not can(request.user, "supervision.view_item", record.report.item):
        raise Http404(services.NOT_FOUND)
    return FileResponse(record.file.open("rb"), as_attachment=True, filename=record.name)


def _year(request) -> int:
    value = request.GET.get("year", "")
    year = int(value) if value.isdigit() else timezone.localdate().year
    return min(max(year, 2000), 2100)


@login_required
@require_GET
def stats(request):
    year = _year(request)
    start, end = date(year, 1, 1), date(year, 12, 31)
    unit_rows = selectors.unit_statistics(request.user, start=start, end=end)
    month_rows = selectors.monthly_statistics(request.user, start=start, end=end)
    report_units = Unit.objects.filter(
        pk__in=ItemUnit.objects.filter(item__in=selectors.visible_items(request.user)).values("unit_id")
    ).order_by("path")
    context = {
        **NAV,
        "year": year,
        "years": range(timezone.localdate().year - 3, timezone.localdate().year + 2),
        "unit_rows": unit_rows,
        "month_rows": month_rows,
        "unit_chart": charts.unit_rate_chart(unit_rows),
        "month_chart": charts.monthly_rate_chart(month_rows),
        "report_units": report_units,
        "this_month": timezone.localdate().strftime("%Y-%m"),
    }
    return render(request, "supervision/stats.html", context)


@login_required
@require_GET
def export_report(request):
    try:
        year, month = month_param(request.GET.get("month", ""))
    except ServiceError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    unit_id = request.GET.get("unit", "")
    unit = Unit.objects.filter(pk=unit_id).first() if unit_id.isdigit() else None
    if unit is None:
        raise Http404("单位不存在。")
    rows = selectors.monthly_report_rows(request.user, unit, year, month)
    name = exports.report_title(unit, year, month)
    if request.GET.get("format") == "docx":
        body = exports.to_docx(unit, year, month, rows, generated_by=request.user.get_full_name())
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        filename = f"{name}.docx"
    else:
        body = exports.to_csv(unit, year, month, rows)
        content_type = "text/csv; charset=utf-8"
        filename = f"{name}.csv"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(filename)}"
    return response


@login_required
@require_GET
def home_card(request):
    """工作台 "我的督办": loaded into the home page by htmx (and refreshed when the todo counts change)."""
    items = selectors.my_items_near_due(request.user)
    return render(request, "supervision/_home_card.html", {"items": items})
