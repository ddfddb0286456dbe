"""会议 pages: thin views over meetings.services (the same permission checks as the API and the socket)."""

import io
from datetime import date, timedelta
from functools import wraps

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oa.core.errors import NotFoundError, ServiceError
from oa.org.models import Person, Unit
from oa.permissions import can

from . import calendar as cal
from . import services
from .models import Attendee, Decision, Kind, Material, Meeting, Role, Room, UnitInvitation

NAV = {"nav_key": "meetings"}


def _meeting_or_404(request, pk, perm="meetings.view_meeting") -> Meeting:
    try:
        return services.get_meeting_for(request.user, pk, perm)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


def _action(view):
    """POST actions on a meeting: show a refusal as a message and go back to the meeting page."""

    @wraps(view)
    @login_required
    @require_POST
    def wrapper(request, pk, *args, **kwargs):
        meeting = _meeting_or_404(request, pk)
        try:
            result = view(request, meeting, *args, **kwargs)
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect("meetings:detail", meeting.pk)
        return result or redirect("meetings:detail", meeting.pk)

    return wrapper


def _people(values) -> list[Person]:
    ids = [v for v in values if str(v).isdigit()]
    return list(Person.objects.filter(pk__in=ids, is_active=True))


def _parse_day(value) -> date:
    try:
        return date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


# --- calendars -------------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request):
    return calendar_view(request, "person")


@login_required
@require_GET
def calendar_view(request, scope, pk=None):
    user = request.user
    if scope == "person":
        obj, label = user, f"{user.get_full_name()}的会议"
    elif scope == "unit":
        obj = get_object_or_404(Unit, pk=pk, is_active=True)
        label = f"{obj.name}会议安排"
    elif scope == "room":
        obj = get_object_or_404(Room, pk=pk)
        label = f"{obj.name}使用情况"
    else:
        raise Http404("没有这种日历。")
    view = "day" if request.GET.get("view") == "day" else "week"
    day = _parse_day(request.GET.get("date"))
    days = cal.days_of(view, day)
    visible_ids = set(cal.visible_meetings(user).values_list("pk", flat=True))
    step = timedelta(days=1 if view == "day" else 7)
    context = {
        **NAV,
        "scope": scope,
        "obj": obj,
        "label": label,
        "view": view,
        "day": day,
        "columns": cal.grid(cal.meetings_for(scope, obj, user), days, visible_ids),
        "prev": (day - step).isoformat(),
        "next": (day + step).isoformat(),
        "today": timezone.localdate().isoformat(),
        "rooms": Room.objects.filter(unit=user.unit_id, is_active=True) if user.unit_id else [],
        "may_create": can(user, "meetings.create_meeting"),
    }
    return render(request, "meetings/calendar.html", context)


@login_required
@require_GET
def my_ics(request):
    meetings = cal.meetings_for("person", request.user, request.user).order_by("start")
    return _ics_response(cal.to_ics(meetings, host=request.get_host(), name="我的会议"), "meetings.ics")


@login_required
@require_GET
def meeting_ics(request, pk):
    meeting = _meeting_or_404(request, pk)
    return _ics_response(
        cal.to_ics([meeting], host=request.get_host(), name=meeting.title), f"meeting-{meeting.pk}.ics"
    )


def _ics_response(body: str, filename: str) -> HttpResponse:
    response = HttpResponse(body.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- creating and viewing a meeting -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    user = request.user
    if not can(user, "meetings.create_meeting"):
        raise Http404("您没有安排会议的权限。")
    form = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        agenda = []
        for line in (request.POST.get("agenda") or "").splitlines():
            if line.strip():
                title, _sep, presenter = line.partition("|")
                agenda.append((title.strip(), None, presenter.strip()))
        try:
            meeting = services.create_meeting(
                user,
                {
                    "title": request.POST.get("title"),
                    "kind": request.POST.get("kind"),
                    "start": request.POST.get("start"),
                    "end": request.POST.get("end"),
                    "room": request.POST.get("room") or None,
                    "online_url": request.POST.get("online_url"),
                    "host": request.POST.get("host") or None,
                    "note": request.POST.get("note"),
                },
                agenda=agenda,
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "会议已安排，请发出通知。")
            return redirect("meetings:detail", meeting.pk)
    context = {
        **NAV,
        "form": form,
        "kinds": Kind.choices,
        "rooms": Room.objects.filter(unit=user.unit_id, is_active=True),
        "colleagues": Person.objects.filter(unit=user.unit_id, is_active=True).order_by("sort_order", "id"),
    }
    return render(request, "meetings/create.html", context)


@login_required
@require_GET
def detail(request, pk):
    meeting = _meeting_or_404(request, pk)
    user = request.user
    manage = can(user, "meetings.manage_meeting", meeting)
    mine = Attendee.objects.filter(meeting=meeting, person=user).select_related("substitute_for__person").first()
    context = {
        **NAV,
        "meeting": meeting,
        "manage": manage,
        "mine": mine,
        "agenda": meeting.agenda.select_related("presenter"),
        "see_materials": can(user, "meetings.view_materials", meeting),
        "materials": meeting.materials.select_related("agenda_item"),
        "decisions": meeting.decisions.select_related("supervision_item"),
        "counts": services.counts(meeting) if manage else None,
        "board": services.attendance_board(meeting) if manage else None,
        "unit_invitations": meeting.unit_invitations.select_related("unit") if manage else None,
        "colleagues": Person.objects.filter(unit=user.unit_id, is_active=True).exclude(
            pk__in=meeting.attendees.values("person_id")
        ),
        "units": Unit.objects.filter(is_active=True).exclude(pk=meeting.organiser_unit_id).order_by("path")[:500]
        if manage
        else [],
        "roles": Role.choices,
        "ended": meeting.end <= timezone.now(),
        "my_invitations": [
            i for i in meeting.unit_invitations.select_related("unit") if can(user, "meetings.nominate", i)
        ],
    }
    return render(request, "meetings/detail.html", context)


@login_required
@require_GET
def counts(request, pk):
    """The organiser's counts and attendance board as an HTML fragment (refetched on a socket hint)."""
    meeting = _meeting_or_404(request, pk, "meetings.manage_meeting")
    return render(
        request,
        "meetings/_board.html",
        {
            "meeting": meeting,
            "counts": services.counts(meeting),
            "board": services.attendance_board(meeting),
            "manage": True,
        },
    )


# --- actions ------------------------------------------------------------------------------------------


@_action
def answer(request, meeting):
    substitute = None
    if request.POST.get("substitute"):
        found = _people([request.POST["substitute"]])
        substitute = found[0] if found else None
    services.answer(
        request.user,
        meeting,
        request.POST.get("response", ""),
        reason=request.POST.get("reason", ""),
        substitute=substitute,
    )
    messages.success(request, "回执已提交。")


@_action
def invite(request, meeting):
    people = _people(request.POST.getlist("people"))
    usernames = [u.strip() for u in (request.POST.get("usernames") or "").replace("，", ",").split(",") if u.strip()]
    people += list(Person.objects.filter(username__in=usernames, is_active=True))
    if not people:
        raise ServiceError("请选择要通知的人员。")
    added = services.invite_people(request.user, meeting, people, request.POST.get("role") or Role.ATTEND)
    messages.success(request, f"已通知 {len(added)} 人。")


@_action
def invite_units(request, meeting):
    ids = [v for v in request.POST.getlist("units") if v.isdigit()]
    units = list(Unit.objects.filter(pk__in=ids, is_active=True))
    if not units:
        raise ServiceError("请选择要通知的单位。")
    seats = request.POST.get("seats", "1")
    added = services.invite_units(request.user, meeting, units, int(seats) if seats.isdigit() else 0)
    messages.success(request, f"已通知 {len(added)} 个单位的收发员。")


@_action
def add_agenda(request, meeting):
    services.add_agenda_item(
        request.user, meeting, request.POST.get("title", ""), presenter_name=request.POST.get("presenter", "")
    )


@_action
def upload(request, meeting):
    upload = request.FILES.get("file")
    if upload is None:
        raise ServiceError("请选择材料文件。")
    agenda_id = request.POST.get("agenda_item", "")
    agenda_item = meeting.agenda.filter(pk=agenda_id).first() if agenda_id.isdigit() else None
    services.upload_material(request.user, meeting, upload, request.POST.get("title", ""), agenda_item)
    messages.success(request, "材料已上传。")


@_action
def withdraw(request, meeting):
    services.withdraw_materials(request.user, meeting)
    messages.success(request, "会议材料已收回。")


@_action
def mark(request, meeting):
    services.mark_present(request.user, meeting, request.POST.get("attendee", ""), request.POST.get("present") != "0")


@_action
def add_decision(request, meeting):
    services.add_decision(request.user, meeting, request.POST.get("content", ""))


@_action
def decision_supervise(request, meeting, decision_id):
    decision = get_object_or_404(Decision, pk=decision_id, meeting=meeting)
    lead = Unit.objects.filter(pk=request.POST.get("lead_unit") or 0, is_active=True).first()
    if lead is None:
        raise ServiceError("请选择牵头单位。")
    cooperating = list(
        Unit.objects.filter(pk__in=[v for v in request.POST.getlist("cooperating_units") if v.isdigit()])
    )
    deadline = _parse_day(request.POST.get("deadline")) if request.POST.get("deadline") else None
    if deadline is None:
        raise ServiceError("请填写办理时限。")
    item = services.decision_to_supervision(
        request.user, decision, lead_unit=lead, cooperating_units=cooperating, deadline=deadline
    )
    messages.success(request, f"已转督办：{item.title}")


@_action
def minutes(request, meeting):
    document = services.draft_minutes(request.user, meeting)
    messages.success(request, "纪要草稿已生成，请在公文中继续办理。")
    return redirect("documents:edit", document.pk)


@_action
def cancel(request, meeting):
    services.cancel_meeting(request.user, meeting)
    messages.success(request, "会议已取消，会议室已释放。")


# --- materials -----------------------------------------------------------------------------------------


@login_required
@require_GET
def material(request, pk, material_id):
    meeting = _meeting_or_404(request, pk)
    item = Material.objects.filter(pk=material_id, meeting=meeting).first()
    if item is None or not can(request.user, "meetings.view_materials", meeting):
        raise Http404("会议材料仅供参会人员查阅。")
    content, content_type, filename = services.watermarked_copy(request.user, item)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{escape_uri_path(filename)}"
    response["Cache-Control"] = "no-store"
    return response


# --- sign-in --------------------------------------------------------------------------------------------


@login_required
@require_GET
def screen(request, pk):
    meeting = _meeting_or_404(request, pk, "meetings.manage_meeting")
    return render(request, "meetings/screen.html", {**NAV, "meeting": meeting, **_qr(request, meeting)})


@login_required
@require_GET
def screen_token(request, pk):
    meeting = _meeting_or_404(request, pk, "meetings.manage_meeting")
    data = _qr(request, meeting)
    return JsonResponse(
        {
            "svg": data["svg"],
            "url": data["url"],
            "expires_in": data["expires_in"],
            "open": data["open"],
            "signed_in": services.counts(meeting)["signed_in"],
        }
    )


def _qr(request, meeting) -> dict:
    token = services.current_token(request.user, meeting)
    url = request.build_absolute_uri(reverse("meetings:signin", args=[meeting.pk])) + f"?t={token['token']}"
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, xmldecl=False, svgns=True, nl=False)
    return {**token, "svg": buffer.getvalue().decode(), "url": url}


@login_required
@require_http_methods(["GET", "POST"])
def signin(request, pk):
    meeting = Meeting.objects.filter(pk=pk).select_related("room", "organiser_unit").first()
    if meeting is None:
        raise Http404("会议不存在。")
    token = request.POST.get("t") or request.GET.get("t") or ""
    context = {**NAV, "meeting": meeting, "token": token, "done": None}
    if request.method == "POST":
        try:
            context["done"] = services.sign_in(request.user, meeting, token)
        except ServiceError as error:
            context["error"] = error.message
    return render(request, "meetings/signin.html", context, status=200 if "error" not in context else 400)


# --- nomination by an invited unit's clerk ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def nominate(request, invitation_id):
    invitation = UnitInvitation.objects.select_related("meeting", "unit").filter(pk=invitation_id).first()
    if invitation is None or not can(request.user, "meetings.nominate", invitation):
        raise Http404("该会议通知不存在。")
    if request.method == "POST":
        try:
            services.nominate(
                request.user,
                invitation,
                _people(request.POST.getlist("people")),
                request.POST.get("role") or Role.ATTEND,
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "报名已提交。")
            return redirect("meetings:nominate", invitation.pk)
    context = {
        **NAV,
        "invitation": invitation,
        "meeting": invitation.meeting,
        "people": Person.objects.filter(unit=invitation.unit, is_active=True).exclude(
            pk__in=invitation.meeting.attendees.values("person_id")
        ),
        "nominated": invitation.attendees.select_related("person"),
        "roles": Role.choices,
    }
    return render(request, "meetings/nominate.html", context)
