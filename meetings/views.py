"""会议 pages: thin views over meetings.services (the same permission checks as the API and the socket)."""

import io
from datetime import date, timedelta
from functools import wraps

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
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
from .services import followups

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
        "may_manage_rooms": bool(user.unit_id) and can(user, "meetings.manage_rooms", user.unit),
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
        "unit_invitations": services.invitations_with_notices(meeting) if manage else None,
        "colleagues": Person.objects.filter(unit=user.unit_id, is_active=True).exclude(
            pk__in=meeting.attendees.values("person_id")
        ),
        "units": Unit.objects.filter(is_active=True).exclude(pk=meeting.organiser_unit_id).order_by("path")[:500]
        if manage
        else [],
        "roles": Role.choices,
        "ended": meeting.end <= timezone.now(),
        "started": meeting.start <= timezone.now(),
        "send_notice": can(user, "meetings.send_notice", meeting)
        and meeting.unit_invitations.filter(
            Q(channel=UnitInvitation.Channel.AWAITING) | ~Q(followup_pending="")
        ).exists(),
        "my_invitations": [
            i for i in meeting.unit_invitations.select_related("unit") if can(user, "meetings.nominate", i)
        ],
    }
    return render(request, "meetings/detail.html", context)


@login_required
@require_GET
def facts(request, pk):
    """Time, place and status as an HTML fragment: invitees' pages refetch it on a socket hint."""
    meeting = _meeting_or_404(request, pk)
    return render(request, "meetings/_facts.html", {"meeting": meeting})


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
            "unit_invitations": services.invitations_with_notices(meeting),
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
    for message in _invitation_messages(added):
        messages.add_message(request, *message)


def _invitation_messages(added) -> list[tuple[int, str]]:
    """What became of each new unit invitation, in words for the organiser."""
    by_channel: dict[str, list] = {}
    for invitation in added:
        by_channel.setdefault(invitation.channel, []).append(invitation)
    result = []
    names = lambda items: "、".join(i.unit.name for i in items)  # noqa: E731
    if by_channel.get("exchange"):
        result.append((messages.SUCCESS, f"会议通知已通过公文交换发送至：{names(by_channel['exchange'])}。"))
    if by_channel.get(""):
        result.append((messages.INFO, f"已请本单位收发员通过公文交换向{names(by_channel[''])}发送会议通知。"))
    fallback = [i for i in by_channel.get("todo", []) if i.notice_note]
    internal = [i for i in by_channel.get("todo", []) if not i.notice_note]
    if internal:
        result.append((messages.SUCCESS, f"已通知{names(internal)}的收发员报名。"))
    for invitation in fallback:
        result.append((messages.WARNING, f"{invitation.unit.name}：{invitation.notice_note}"))
    return result


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


# --- editing a meeting before it starts ----------------------------------------------------------------


def _local_input(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    meeting = _meeting_or_404(request, pk, "meetings.manage_meeting")
    user = request.user
    started = meeting.start <= timezone.now() or meeting.status != "scheduled"
    form = {
        "title": meeting.title,
        "kind": meeting.kind,
        "start": _local_input(meeting.start),
        "end": _local_input(meeting.end),
        "room": str(meeting.room_id or ""),
        "online_url": meeting.online_url,
        "host": str(meeting.host_id or ""),
        "note": meeting.note,
    }
    if request.method == "POST":
        form = {key: request.POST.get(key, "") for key in form}
        try:
            services.update_meeting(user, meeting, {**form, "room": form["room"] or None, "host": form["host"] or None})
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "会议安排已修改，已通知参会人员。")
            return redirect("meetings:detail", meeting.pk)
    context = {
        **NAV,
        "meeting": meeting,
        "form": form,
        "started": started,
        "kinds": Kind.choices,
        "rooms": Room.objects.filter(unit=meeting.organiser_unit_id, is_active=True),
        "colleagues": Person.objects.filter(unit=meeting.organiser_unit_id, is_active=True).order_by(
            "sort_order", "id"
        ),
        "agenda": meeting.agenda.select_related("presenter"),
    }
    return render(request, "meetings/edit.html", context)


def _to_edit(meeting):
    return redirect("meetings:edit", meeting.pk)


@_action
def remove_agenda(request, meeting, item_id):
    services.remove_agenda_item(request.user, meeting, item_id)
    return _to_edit(meeting)


@_action
def move_agenda(request, meeting, item_id):
    services.move_agenda_item(request.user, meeting, item_id, -1 if request.POST.get("direction") == "up" else 1)
    return _to_edit(meeting)


# --- 会议通知 through the 公文交换 (the organising unit's clerk) ----------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notice(request, pk):
    meeting = Meeting.objects.select_related("organiser_unit", "organiser", "room").filter(pk=pk).first()
    if meeting is None or not can(request.user, "meetings.send_notice", meeting):
        raise Http404("该会议不存在或您不是主办单位的收发员。")
    if request.method == "POST":
        send = services.send_followup if request.POST.get("followup") else services.send_notice
        try:
            result = send(request.user, meeting)
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            (messages.success if result.sent else messages.warning)(request, result.message)
        return redirect("meetings:notice", meeting.pk)
    waiting = list(meeting.unit_invitations.filter(channel="").select_related("unit"))
    context = {
        **NAV,
        "meeting": meeting,
        "waiting": waiting,
        "title": services.notice_title(meeting),
        "body": services.notice_body(meeting, max([i.seats for i in waiting], default=1)),
        "invitations": services.invitations_with_notices(meeting),
    }
    due = list(followups.due_invitations(meeting))
    if due:
        kind = followups.CANCEL if meeting.status == "cancelled" else followups._kind(due)
        context["followup"] = {
            "due": due,
            "label": followups.LABEL[kind],
            "title": followups.followup_title(meeting, kind),
            "body": followups.followup_body(meeting, kind),
        }
    return render(request, "meetings/notice.html", context)


@_action
def unit_by_todo(request, meeting, invitation_id):
    invitation = get_object_or_404(
        UnitInvitation.objects.select_related("meeting", "unit"), pk=invitation_id, meeting=meeting
    )
    services.notify_unit_by_todo(request.user, invitation)
    messages.success(request, f"已改为待办通知{invitation.unit.name}的收发员报名。")


@_action
def unit_withdraw(request, meeting, invitation_id):
    invitation = get_object_or_404(
        UnitInvitation.objects.select_related("meeting", "unit"), pk=invitation_id, meeting=meeting
    )
    services.withdraw_unit(request.user, invitation)
    messages.success(request, f"已撤销对{invitation.unit.name}的邀请。")


@login_required
@require_POST
def notice_resend(request, pk, notice_id):
    """重新发送 a returned notice, from the organiser's page or the organising clerk's notice page."""
    meeting = Meeting.objects.select_related("organiser_unit").filter(pk=pk).first()
    user = request.user
    if meeting is None or not (
        can(user, "meetings.manage_meeting", meeting) or can(user, "meetings.send_notice", meeting)
    ):
        raise Http404("该会议不存在或您无权重新发送会议通知。")
    try:
        messages.success(request, services.resend_notice(user, meeting, notice_id))
    except ServiceError as error:
        messages.error(request, error.message)
    back = "meetings:notice" if request.POST.get("back") == "notice" else "meetings:detail"
    if back == "meetings:detail" and not can(user, "meetings.view_meeting", meeting):
        back = "meetings:notice"
    return redirect(back, meeting.pk)


# --- meeting rooms (the unit's 办公室) -------------------------------------------------------------------


def _room_units(user):
    """Units whose rooms ``user`` keeps: their own unit, and the units below it they administer."""
    from oa.permissions import admin_unit_paths

    units = [u for u in Unit.objects.filter(pk=user.unit_id) if can(user, "meetings.manage_rooms", u)]
    for path in admin_unit_paths(user):
        units += [u for u in Unit.objects.filter(path=path) if u not in units]
    return units


@login_required
@require_http_methods(["GET", "POST"])
def rooms(request):
    user = request.user
    units = _room_units(user)
    if not units:
        raise Http404("只有本单位办公室（收发员）或单位管理员可以管理会议室。")
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit", "")), units[0])
    form = {}
    if request.method == "POST":
        form = request.POST
        try:
            room = services.create_room(user, unit, request.POST.dict())
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"已新增会议室：{room.name}")
            return redirect(f"{reverse('meetings:rooms')}?unit={unit.pk}")
    context = {
        **NAV,
        "unit": unit,
        "units": units,
        "rooms": Room.objects.filter(unit=unit).order_by("-is_active", "name"),
        "form": form,
    }
    return render(request, "meetings/rooms.html", context)


def _room_or_404(request, room_id) -> Room:
    room = Room.objects.select_related("unit").filter(pk=room_id).first()
    if room is None or not can(request.user, "meetings.manage_rooms", room):
        raise Http404("会议室不存在。")
    return room


@login_required
@require_http_methods(["GET", "POST"])
def room_edit(request, room_id):
    room = _room_or_404(request, room_id)
    form = room.__dict__
    if request.method == "POST":
        form = request.POST
        try:
            services.update_room(request.user, room, request.POST.dict())
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "会议室已保存。")
            return redirect(f"{reverse('meetings:rooms')}?unit={room.unit_id}")
    return render(request, "meetings/room_edit.html", {**NAV, "room": room, "form": form})


@login_required
@require_POST
def room_active(request, room_id):
    room = _room_or_404(request, room_id)
    try:
        services.set_room_active(request.user, room, request.POST.get("active") == "1")
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect(f"{reverse('meetings:rooms')}?unit={room.unit_id}")
