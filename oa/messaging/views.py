"""Messaging pages: thin views over oa.messaging.services (the page script talks to the socket and the API)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oa.core.errors import NotFoundError, ServiceError
from oa.messaging import cards, files, services
from oa.messaging.models import ORG_KINDS
from oa.org.models import Person

PAGE_SIZE = 30


def _conversation_or_404(request, conversation_id):
    try:
        return services.get_conversation_for(request.user, conversation_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def index(request):
    conversations = services.conversations_for(request.user)
    for conversation in conversations:
        conversation.shown_title = conversation.display_title(request.user)
    return render(request, "messaging/index.html", {"conversations": conversations, "nav_key": "messages"})


@login_required
@require_GET
def conversation(request, conversation_id: int):
    chat = _conversation_or_404(request, conversation_id)
    page = services.history(request.user, chat, limit=PAGE_SIZE)
    view = cards.CardView(request.user)
    items = [services.message_payload(m, view) for m in page.messages]
    if page.messages:
        # Opening the conversation is reading it (the script keeps the position moving while it is open).
        services.mark_read(request.user, chat, page.messages[-1].seq)
    members = list(services.members_of(chat))
    return render(
        request,
        "messaging/conversation.html",
        {
            "chat": chat,
            "title": chat.display_title(request.user),
            "items": items,
            "has_older": page.has_more,
            "last_seq": page.messages[-1].seq if page.messages else 0,
            "members": members,
            "is_group": chat.kind != "direct",
            "is_org_group": chat.kind in ORG_KINDS,
            "allowed_types": files.ALLOWED_TEXT,
            "max_size": files.human_size(files.max_bytes()),
            "nav_key": "messages",
        },
    )


def _back(chat, seq=None):
    url = reverse("messaging:conversation", args=[chat.pk])
    return redirect(f"{url}#m{seq}" if seq else url)


@login_required
@require_POST
def send(request, conversation_id: int):
    """The form fallback of the composer (text, file or card); the script sends over the socket / API."""
    chat = _conversation_or_404(request, conversation_id)
    card = None
    if request.POST.get("card_id", "").strip():  # card_app alone is the composer's default, not a card
        card = (request.POST.get("card_app", ""), request.POST.get("card_id", ""))
    try:
        message = services.send_message(
            request.user,
            chat,
            text=request.POST.get("text", ""),
            upload=request.FILES.get("file"),
            card=card,
            mentions=request.POST.getlist("mentions"),
            client_id=request.POST.get("client_id", ""),
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _back(chat)
    return _back(chat, message.seq)


@login_required
@require_POST
def recall(request, message_id: int):
    try:
        message = services.get_message_for(request.user, message_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    try:
        services.recall(request.user, message)
        messages.success(request, "已撤回。")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return _back(message.conversation, message.seq)


@login_required
@require_GET
def receipts(request, message_id: int):
    try:
        message = services.get_message_for(request.user, message_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    result = services.receipts(request.user, message)
    return render(request, "messaging/receipts.html", {"message": message, "result": result, "nav_key": "messages"})


@login_required
@require_GET
def download(request, message_id: int):
    """Attachments are served only to members of the conversation, never from a public media URL."""
    try:
        message = services.file_message_for(request.user, message_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    try:
        handle = message.file.open("rb")
    except OSError as exc:
        raise Http404("文件已丢失，请联系管理员。") from exc
    inline = request.GET.get("inline") == "1" and message.file_type.startswith("image/")
    response = FileResponse(handle, as_attachment=not inline, filename=message.file_name,
                            content_type=message.file_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    """Start a conversation: one person → 单聊, several → 群聊 (with a name)."""
    selected = [int(v) for v in request.POST.getlist("members") if v.isdigit()]
    if request.method == "POST":
        try:
            if len(selected) == 1 and not request.POST.get("title", "").strip():
                other = Person.objects.filter(pk=selected[0], is_active=True).first()
                chat = services.start_direct(request.user, other)
            else:
                chat = services.create_group(request.user, title=request.POST.get("title", ""), members=selected)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("messaging:conversation", chat.pk)
    query = request.GET.get("q", "").strip()
    people = search_people(request.user, query) if query else []
    return render(request, "messaging/new.html", {"q": query, "people": people, "nav_key": "messages"})


search_people = services.search_people  # the pickers (new conversation, 分享到会话) search alike


@login_required
@require_GET
def people(request):
    """JSON for the people picker."""
    found = search_people(request.user, request.GET.get("q", "").strip()[:40])
    return JsonResponse(
        {
            "results": [
                {"id": p.pk, "name": p.get_full_name(), "unit": p.unit.short_name if p.unit_id else "",
                 "department": p.department.name if p.department_id else "", "title": p.title}
                for p in found
            ]
        }
    )


@login_required
@require_GET
def groups(request):
    """The unit and department groups the person belongs to (kept in step with the organisation)."""
    mine = [c for c in services.conversations_for(request.user) if c.kind in ORG_KINDS]
    for chat in mine:
        chat.shown_title = chat.display_title(request.user)
        chat.member_count = chat.memberships.filter(active=True).count()
    return render(request, "messaging/groups.html", {"groups": mine, "nav_key": "messages"})


@login_required
@require_POST
def add_members(request, conversation_id: int):
    chat = _conversation_or_404(request, conversation_id)
    try:
        added = services.add_members(request.user, chat, request.POST.getlist("members"))
        messages.success(request, f"已添加 {added} 人。")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return _back(chat)


@login_required
@require_POST
def leave(request, conversation_id: int):
    chat = _conversation_or_404(request, conversation_id)
    try:
        services.leave_group(request.user, chat)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _back(chat)
    messages.success(request, "已退出群聊。")
    return redirect("messaging:index")


@require_GET
def unread(request):
    """The badge's resync. 401 (not a login redirect) when signed out, as /todo/counts."""
    if not request.user.is_authenticated:
        detail = "您已退出登录，请重新登录。"
        return JsonResponse({"detail": detail, "login_url": reverse(settings.LOGIN_URL)}, status=401)
    response = JsonResponse({"total": services.unread_total(request.user)})
    response["Cache-Control"] = "no-store"
    return response


# --- 分享到会话: the picker on document pages (templates/messaging/_share.html, static/messaging/share.js) ---


@login_required
@require_GET
def share_targets(request):
    """JSON for the share picker: recent conversations, or those and people matching ``q``."""
    found = services.share_targets(request.user, request.GET.get("q", ""))
    response = JsonResponse(
        {
            "conversations": [
                {"id": c.pk, "title": c.display_title(request.user), "kind": c.get_kind_display()}
                for c in found["conversations"]
            ],
            "people": [
                {"id": p.pk, "name": p.get_full_name(), "unit": p.unit.short_name if p.unit_id else "",
                 "department": p.department.name if p.department_id else ""}
                for p in found["people"]
            ],
        }
    )
    response["Cache-Control"] = "no-store"
    return response


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def share(request):
    """Post a document card into the chosen conversation (or the 单聊 with the chosen person)."""
    card = (request.POST.get("card_app", ""), request.POST.get("card_id", ""))
    try:
        message = services.share_card(
            request.user, card, conversation_id=request.POST.get("conversation") or None,
            person_id=request.POST.get("person") or None,
        )
    except ServiceError as exc:  # NotFoundError (not a member) included: same answer as a missing conversation
        if _wants_json(request):
            return JsonResponse({"detail": exc.message}, status=exc.status_code)
        messages.error(request, exc.message)
        back = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure())
        return redirect(back if safe and back else "messaging:index")
    chat = message.conversation
    title = chat.display_title(request.user)
    url = f"{reverse('messaging:conversation', args=[chat.pk])}#m{message.seq}"
    if _wants_json(request):
        return JsonResponse({"conversation": chat.pk, "title": title, "url": url, "seq": message.seq}, status=201)
    messages.success(request, f"已分享到「{title}」。")
    return redirect(url)
