"""Use cases of messaging. Views, API and the WebSocket consumer all call these, so a conversation is
readable and writable through exactly the same checks whichever path is used.

Reading: ``conversations_for``, ``get_conversation_for``, ``history``, ``search``, ``catch_up``,
``receipts``, ``unread_total``, ``file_message_for``.  Writing: ``start_direct``, ``create_group``,
``add_members``, ``leave_group``, ``send_message``, ``mark_read``, ``recall``.
Sharing a document from its own page: ``share_targets``, ``share_card``.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from oa.audit.services import record
from oa.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from oa.messaging import cards, files, push
from oa.messaging.models import Conversation, ConversationKind, Membership, Message, MessageKind
from oa.org.models import Person
from oa.permissions import can, require

VIEW = "messaging.view_conversation"
POST = "messaging.post_message"
MANAGE = "messaging.manage_members"

RECALL_WINDOW = timedelta(minutes=2)
MAX_TEXT = 5000
MAX_PAGE = 100
MAX_GROUP_MEMBERS = 2000
RECALLED_TEXT = "消息已撤回"
NOT_A_MEMBER = "会话不存在，或您不是该会话的成员。"

# --- reading ---------------------------------------------------------------------------------------------


def _my_memberships(person) -> QuerySet[Membership]:
    if not getattr(person, "is_authenticated", False) or not person.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(person=person, active=True)


def conversations_for(person) -> list[Conversation]:
    """The person's conversations, most recent first, each with ``unread`` and ``my_read_seq`` set."""
    memberships = (
        _my_memberships(person)
        .select_related("conversation__unit", "conversation__department__unit")
        .order_by(F("conversation__last_message_at").desc(nulls_last=True), "-conversation_id")
    )
    result = []
    for membership in memberships:
        conversation = membership.conversation
        conversation.unread = max(0, conversation.last_seq - membership.last_read_seq)
        conversation.my_read_seq = membership.last_read_seq
        result.append(conversation)
    direct = [c for c in result if c.kind == ConversationKind.DIRECT]
    if direct:
        _prefetch_people(direct)
    return result


def _prefetch_people(conversations) -> None:
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(conversations, "memberships__person")


def unread_total(person) -> int:
    total = _my_memberships(person).aggregate(n=Sum(F("conversation__last_seq") - F("last_read_seq")))["n"]
    return max(0, int(total or 0))


@dataclass
class Room:
    """A socket's memory of one of its person's conversations (see oa.messaging.consumers)."""

    read_seq: int
    last_seq: int
    roster_version: int

    @property
    def unread(self) -> int:
        return max(0, self.last_seq - self.read_seq)


def live_rooms(person_id: int) -> dict[int, Room]:
    """The conversations an active person is a member of, with their read positions, in one query (empty
    for an inactive person). What a socket keeps in memory to pass events on without the database."""
    return live_rooms_many([person_id]).get(person_id, {})


def live_rooms_many(person_ids) -> dict[int, dict[int, Room]]:
    """``live_rooms`` for many people in one query (sockets woken together re-read together)."""
    rows = Membership.objects.filter(person_id__in=list(person_ids), active=True, person__is_active=True)
    result: dict[int, dict[int, Room]] = {}
    for person_id, conversation_id, read, last, roster in rows.values_list(
        "person_id", "conversation_id", "last_read_seq", "conversation__last_seq", "conversation__roster_version"
    ):
        result.setdefault(person_id, {})[conversation_id] = Room(read, last, roster)
    return result


def get_conversation_for(person, conversation_id) -> Conversation:
    """The conversation if the person is a member; otherwise NotFoundError (ids cannot be probed)."""
    conversation = None
    if str(conversation_id).isdigit():
        conversation = (
            Conversation.objects.select_related("unit", "department__unit").filter(pk=int(conversation_id)).first()
        )
    if conversation is None or not can(person, VIEW, conversation):
        raise NotFoundError(NOT_A_MEMBER)
    return conversation


def membership_of(person, conversation) -> Membership:
    membership = Membership.objects.filter(conversation=conversation, person=person, active=True).first()
    if membership is None:
        raise NotFoundError(NOT_A_MEMBER)
    return membership


def members_of(conversation) -> QuerySet[Membership]:
    return (
        conversation.memberships.filter(active=True)
        .select_related("person__unit", "person__department")
        .order_by("-is_owner", "person__unit_id", "person__sort_order", "person_id")
    )


def _messages(conversation) -> QuerySet[Message]:
    return Message.objects.filter(conversation=conversation).select_related("sender")


def _page_bounds(limit) -> int:
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        raise ServiceError("每页条数必须是数字。", field="limit") from None
    return max(1, min(limit, MAX_PAGE))


def _cursor(value, label: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ServiceError(f"{label}必须是消息序号（整数）。", field=label) from None
    if value < 0:
        raise ServiceError(f"{label}不能为负数。", field=label)
    return value


@dataclass
class Page:
    messages: list[Message]
    has_more: bool  # older messages exist (backwards) / newer ones (forwards)


def history(person, conversation, *, before=None, after=None, limit=50) -> Page:
    """A page of messages in ``seq`` order. ``before``: the page just older than that seq (scrolling up);
    ``after``: the messages newer than that seq (catching up); neither: the newest page."""
    require(person, VIEW, conversation, NOT_A_MEMBER)
    limit = _page_bounds(limit)
    before, after = _cursor(before, "before"), _cursor(after, "after")
    query = _messages(conversation)
    if after is not None:
        rows = list(query.filter(seq__gt=after).order_by("seq")[: limit + 1])
        return Page(rows[:limit], len(rows) > limit)
    if before is not None:
        query = query.filter(seq__lt=before)
    rows = list(query.order_by("-seq")[: limit + 1])
    return Page(list(reversed(rows[:limit])), len(rows) > limit)


def search(person, conversation, text: str, *, before=None, limit=50) -> Page:
    """Messages of the conversation whose text or file name contains ``text``, newest first."""
    require(person, VIEW, conversation, NOT_A_MEMBER)
    text = (text or "").strip()
    if not text:
        raise ServiceError("请输入要查找的内容。", field="q")
    if len(text) > 100:
        raise ServiceError("查找内容不能超过 100 个字。", field="q")
    limit = _page_bounds(limit)
    query = _messages(conversation).filter(recalled_at__isnull=True).filter(
        Q(body__icontains=text) | Q(file_name__icontains=text) | Q(card_title__icontains=text)
    )
    before = _cursor(before, "before")
    if before is not None:
        query = query.filter(seq__lt=before)
    view, rows = cards.CardView(person), []
    for message in query.order_by("-seq").iterator(chunk_size=limit + 1):
        if _matches_for(view, message, text):
            rows.append(message)
            if len(rows) > limit:
                break
    return Page(rows[:limit], len(rows) > limit)


def _matches_for(view: cards.CardView, message: Message, text: str) -> bool:
    """A card found only by its title is a match only for those who may see the card: otherwise searching
    would tell a member what the 公文 they may not read is called."""
    if message.kind != MessageKind.CARD or text.lower() in (message.body or "").lower():
        return True
    return view.payload(message.card_app, message.card_object_id, message.card_title, message.card_url) is not None


def catch_up(person, since: dict, *, limit=MAX_PAGE) -> list[dict]:
    """For a client back online: per conversation it names (``{conversation_id: last seen seq}``), the
    messages it missed (up to ``limit``; ``more`` says to page on over HTTP) and the seqs recalled lately.
    Conversations the person is not a member of are skipped silently."""
    if not isinstance(since, dict):
        raise ServiceError("补发请求格式不正确。")
    wanted = {}
    for key, value in list(since.items())[:500]:
        if str(key).isdigit():
            wanted[int(key)] = _cursor(value, "since") or 0
    memberships = _my_memberships(person).filter(conversation_id__in=wanted).select_related("conversation")
    result = []
    for membership in memberships:
        conversation = membership.conversation
        seen = wanted[conversation.pk]
        rows = list(_messages(conversation).filter(seq__gt=seen).order_by("seq")[: limit + 1])
        # A recall happens within two minutes of sending: look a little before what the client had.
        recalled = list(
            Message.objects.filter(
                conversation=conversation, seq__lte=seen, seq__gt=max(0, seen - 200), recalled_at__isnull=False
            ).values_list("seq", flat=True)
        )
        result.append(
            {
                "conversation": conversation,
                "messages": rows[:limit],
                "more": len(rows) > limit,
                "recalled": recalled,
                "unread": max(0, conversation.last_seq - membership.last_read_seq),
            }
        )
    return result


def receipts(person, message: Message) -> dict:
    """Who has read a message: the other members whose read position reached it (for groups a count and
    the list; for a one-to-one conversation the same shape with one person)."""
    require(person, VIEW, message.conversation, NOT_A_MEMBER)
    others = members_of(message.conversation).exclude(person_id=message.sender_id)
    read, unread = [], []
    for membership in others:
        (read if membership.last_read_seq >= message.seq else unread).append(membership.person)
    return {"read": read, "unread": unread, "read_count": len(read), "total": len(read) + len(unread)}


def get_message_for(person, message_id) -> Message:
    message = None
    if str(message_id).isdigit():
        message = Message.objects.select_related("conversation", "sender").filter(pk=int(message_id)).first()
    if message is None or not can(person, VIEW, message.conversation):
        raise NotFoundError("消息不存在，或您不是该会话的成员。")
    return message


def file_message_for(person, message_id) -> Message:
    message = get_message_for(person, message_id)
    if message.kind != MessageKind.FILE or message.is_recalled or not message.file:
        raise NotFoundError("文件不存在或已撤回。")
    return message


# --- serialisation (one shape for socket, API and page script) ---------------------------------------------


def message_payload(message: Message, card_view: cards.CardView | None = None) -> dict:
    """The message as the viewer may see it. Pass a ``CardView`` of the viewer for card messages; without
    one a card is shown as hidden."""
    recalled = message.is_recalled
    data = {
        "id": message.pk,
        "conversation": message.conversation_id,
        "seq": message.seq,
        "kind": message.kind,
        "sender": {"id": message.sender_id, "name": message.sender.get_full_name() if message.sender else "系统"},
        "text": RECALLED_TEXT if recalled else message.body,
        "created_at": timezone.localtime(message.created_at).isoformat(),
        "recalled": recalled,
        "mentions": [] if recalled else list(message.mentions or []),
        "client_id": message.client_id,
        "file": None,
        "card": None,
    }
    if recalled:
        return data
    if message.kind == MessageKind.FILE:
        data["file"] = {
            "name": message.file_name,
            "size": message.file_size,
            "size_text": files.human_size(message.file_size),
            "type": message.file_type,
            "is_image": message.file_type.startswith("image/"),
            "url": reverse("messaging:file", args=[message.pk]),
        }
    elif message.kind == MessageKind.CARD:
        card = card_view.payload(message.card_app, message.card_object_id, message.card_title, message.card_url) if (
            card_view is not None
        ) else None
        data["card"] = card if card is not None else cards.hidden()
    return data


# --- writing ---------------------------------------------------------------------------------------------


def _audit_members(conversation) -> dict:
    return {"members": sorted(conversation.memberships.filter(active=True).values_list("person_id", flat=True))}


def _active_people(ids) -> list[Person]:
    clean = []
    for value in ids or ():
        if str(value).isdigit():
            clean.append(int(value))
    return list(Person.objects.filter(pk__in=clean, is_active=True).order_by("pk"))


def start_direct(actor, other) -> Conversation:
    """The one-to-one conversation between ``actor`` and ``other`` (created on first use)."""
    if not getattr(actor, "is_active", False):
        raise PermissionDeniedError("您的账号已停用。")
    if other is None or not other.is_active:
        raise ServiceError("对方不存在或已停用。", field="members")
    if other.pk == actor.pk:
        raise ServiceError("不能和自己发起单聊。", field="members")
    low, high = sorted((actor.pk, other.pk))
    key = f"{low}:{high}"
    existing = Conversation.objects.filter(direct_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(kind=ConversationKind.DIRECT, direct_key=key, created_by=actor)
            Membership.objects.bulk_create(
                [Membership(conversation=conversation, person_id=pid) for pid in (low, high)]
            )
            record(actor, "messaging.start_direct", conversation, after={"members": [low, high]},
                   summary=f"与{other.get_full_name()}发起单聊")
            push.on_commit([low, high], {"type": "chat.conversations"})
    except IntegrityError:  # both started it at the same moment
        return Conversation.objects.get(direct_key=key)
    return conversation


def create_group(actor, *, title: str, members) -> Conversation:
    """A group chat of ``actor`` (its owner) and ``members`` (people or ids)."""
    if not getattr(actor, "is_active", False):
        raise PermissionDeniedError("您的账号已停用。")
    title = (title or "").strip()
    if not title:
        raise ServiceError("请填写群聊名称。", field="title")
    if len(title) > 60:
        raise ServiceError("群聊名称不能超过 60 个字。", field="title")
    people = [p for p in _active_people([getattr(m, "pk", m) for m in members or ()]) if p.pk != actor.pk]
    if not people:
        raise ServiceError("请至少选择一位群成员。", field="members")
    if len(people) + 1 > MAX_GROUP_MEMBERS:
        raise ServiceError(f"群成员不能超过 {MAX_GROUP_MEMBERS} 人。", field="members")
    with transaction.atomic():
        conversation = Conversation.objects.create(kind=ConversationKind.GROUP, title=title, created_by=actor)
        Membership.objects.bulk_create(
            [Membership(conversation=conversation, person=actor, is_owner=True)]
            + [Membership(conversation=conversation, person=p) for p in people]
        )
        record(actor, "messaging.create_group", conversation, after=_audit_members(conversation),
               summary=f"创建群聊「{title}」，{len(people) + 1} 人")
        push.on_commit([actor.pk] + [p.pk for p in people], {"type": "chat.conversations"})
    return conversation


def add_members(actor, conversation, members) -> int:
    """The owner of a group adds people; they start reading from now. Returns how many joined."""
    require(actor, MANAGE, conversation, "只有群主可以添加群成员；单位群和科室群的成员随组织机构自动调整。")
    people = _active_people([getattr(m, "pk", m) for m in members or ()])
    if not people:
        raise ServiceError("请至少选择一位要添加的人员。", field="members")
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        before = _audit_members(locked)
        joined = _join(locked, people, by_org=False)
        if joined:
            record(actor, "messaging.add_members", locked, before=before, after=_audit_members(locked),
                   summary=f"向「{locked.title}」添加 {len(joined)} 人")
            push.on_commit([p.pk for p in joined], {"type": "chat.conversations"})
    return len(joined)


def _join(conversation, people, *, by_org: bool) -> list[Person]:
    """Add (or bring back) members, reading from the current end. The caller holds the conversation lock."""
    existing = {m.person_id: m for m in conversation.memberships.filter(person__in=people)}
    joined = []
    for person in people:
        membership = existing.get(person.pk)
        if membership is None:
            Membership.objects.create(
                conversation=conversation, person=person, by_org=by_org, last_read_seq=conversation.last_seq
            )
        elif not membership.active:
            membership.active, membership.left_at, membership.by_org = True, None, by_org
            membership.last_read_seq = conversation.last_seq
            membership.save(update_fields=["active", "left_at", "by_org", "last_read_seq"])
        else:
            continue
        joined.append(person)
    return joined


def leave_group(actor, conversation) -> None:
    if conversation.kind != ConversationKind.GROUP:
        raise ServiceError("单聊、单位群和科室群不能退出。")
    require(actor, VIEW, conversation, NOT_A_MEMBER)
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        before = _audit_members(locked)
        Membership.objects.filter(conversation=locked, person=actor).update(active=False, left_at=timezone.now())
        roster_changed(locked.pk)
        record(actor, "messaging.leave_group", locked, before=before, after=_audit_members(locked),
               summary=f"退出群聊「{locked.title}」")
        push.on_commit([actor.pk], {"type": "chat.conversations"})


MENTION_RE = re.compile(r"@([^\s@，。,:：]{1,40})")


def _mentioned(conversation, actor, text: str, explicit) -> list[Person]:
    """Members named with @姓名 in the text, plus those picked in the composer; never the sender."""
    names = set(MENTION_RE.findall(text or ""))
    ids = {int(v) for v in (explicit or ()) if str(v).isdigit()}
    if not names and not ids:
        return []
    rows = conversation.memberships.filter(active=True).exclude(person=actor).select_related("person")
    found = []
    for membership in rows:
        person = membership.person
        if person.pk in ids or any(name.startswith(person.get_full_name()) for name in names if person.name):
            found.append(person)
    return found


def send_message(
    actor, conversation, *, text: str = "", upload=None, card=None, mentions=(), client_id: str = ""
) -> Message:
    """Post a message: text, a file (``upload``) or a card (``card=(app_label, object_id)``).

    ``client_id`` makes a resend after a lost acknowledgement harmless: the same id from the same sender in
    the same conversation returns the first message instead of posting twice."""
    require(actor, POST, conversation, "您不是该会话的成员，不能发送消息。")
    text = (text or "").strip() if isinstance(text, str) else ""
    client_id = str(client_id or "")[:64]
    if len(text) > MAX_TEXT:
        raise ServiceError(f"消息不能超过 {MAX_TEXT} 个字。", field="text")
    fields: dict = {"body": text}
    if upload is not None:
        checked = files.check_upload(upload)
        fields.update(kind=MessageKind.FILE, file_name=checked.name, file_size=checked.size, file_type=checked.mime)
    elif card:
        fields.update(_card_fields(actor, card))
    elif not text:
        raise ServiceError("消息内容不能为空。", field="text")
    else:
        fields["kind"] = MessageKind.TEXT

    stored: list[str] = []
    try:
        message = _post(actor, conversation, fields, text, upload, mentions, client_id, stored)
    except BaseException:
        for name in stored:  # the message never committed: no orphan file under MEDIA_ROOT
            Message._meta.get_field("file").storage.delete(name)
        raise
    return message


def _post(actor, conversation, fields, text, upload, mentions, client_id, stored) -> Message:
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if client_id:
            repeated = _messages(locked).filter(sender=actor, client_id=client_id).first()
            if repeated is not None:
                return repeated
        now = timezone.now()
        locked.last_seq += 1
        locked.last_message_at = now
        locked.save(update_fields=["last_seq", "last_message_at"])
        mentioned = _mentioned(locked, actor, text, mentions)
        message = Message(conversation=locked, seq=locked.last_seq, sender=actor, created_at=now,
                          client_id=client_id, mentions=[p.pk for p in mentioned], **fields)
        if upload is not None:
            message.file.save(fields["file_name"], upload, save=False)
            stored.append(message.file.name)
        message.save()
        # Sending means having read the conversation up to here.
        Membership.objects.filter(conversation=locked, person=actor).update(last_read_seq=locked.last_seq)
        record(actor, "messaging.send", message, after=_audit_message(message),
               summary=f"在「{locked.display_title(actor)}」发送{message.get_kind_display()}消息")
        for person in mentioned:
            _mention_todo(actor, locked, message, person)
        conversation.last_seq, conversation.last_message_at = locked.last_seq, now
        _push_message(message, locked.roster_version)
    message.conversation = locked
    return message


def _card_fields(actor, card) -> dict:
    """The sender's half of a card's check: it may only link what the sender may see itself."""
    app_label, object_id = _card_ref(card)
    source = cards.source_for(app_label)
    if source is None:
        raise ServiceError("不支持发送这种卡片。", field="card")
    obj = cards.visible_object(actor, app_label, object_id)
    if obj is None:
        raise ServiceError("公文不存在，或您无权查看，不能发送它的卡片。", field="card")
    return {"kind": MessageKind.CARD, "card_app": app_label, "card_object_id": object_id,
            "card_title": (source.title(obj) or "")[:300], "card_url": (source.url(obj) or "")[:300]}


def _card_ref(card) -> tuple[str, str]:
    if isinstance(card, dict):
        app_label, object_id = card.get("app"), card.get("id")
    elif isinstance(card, list | tuple) and len(card) == 2:
        app_label, object_id = card
    else:
        raise ServiceError("卡片格式不正确。", field="card")
    app_label, object_id = str(app_label or "").strip(), str(object_id or "").strip()
    if not app_label or not object_id or len(app_label) > 40 or len(object_id) > 64:
        raise ServiceError("卡片格式不正确。", field="card")
    return app_label, object_id


def _audit_message(message: Message) -> dict:
    # Metadata only: the content belongs to the conversation, not to the audit trail.
    data = {"conversation": message.conversation_id, "seq": message.seq, "kind": message.kind}
    if message.kind == MessageKind.FILE:
        data.update(file_name=message.file_name, file_size=message.file_size)
    if message.kind == MessageKind.CARD:
        data.update(card=f"{message.card_app}:{message.card_object_id}")
    if message.mentions:
        data["mentions"] = message.mentions
    return data


def _mention_todo(actor, conversation, message, person) -> None:
    from oa.todo.services import create_todo

    where = conversation.display_title(person)
    create_todo(
        actor,
        owner=person,
        kind="toread",
        title=f"{actor.get_full_name()}在「{where}」中@了您"[:300],
        step="消息提醒",
        url=f"{reverse('messaging:conversation', args=[conversation.pk])}#m{message.seq}",
        source_app="messaging",
        source_id=f"{conversation.pk}:{message.seq}",
        sender=(actor.unit.short_name if actor.unit_id else "")[:100],
    )


def roster_changed(conversation_id: int) -> None:
    """Someone stopped being a member: live events from now on carry a newer roster version, which makes
    every socket re-check its memberships before passing them on (inside the caller's transaction)."""
    Conversation.objects.filter(pk=conversation_id).update(roster_version=F("roster_version") + 1)


def _push_message(message: Message, roster_version: int) -> None:
    """One event to the conversation's group, whatever its size; each socket checks membership itself."""
    payload = message_payload(message)  # a card is hidden here; the consumer resolves it per viewer
    event = {"type": "chat.message", "conversation": message.conversation_id, "seq": message.seq,
             "roster": roster_version, "message": payload}
    if message.kind == MessageKind.CARD:
        event["card"] = {"app": message.card_app, "id": message.card_object_id,
                         "title": message.card_title, "url": message.card_url}
    push.to_conversation_on_commit(message.conversation_id, event)


def mark_read(person, conversation, seq) -> int:
    """Move the person's read position forward to ``seq`` (never back). Closes their @mention 待阅 up to
    there, tells the senders of the newly read messages (read receipts) and the person's other tabs."""
    require(person, VIEW, conversation, NOT_A_MEMBER)
    seq = _cursor(seq, "seq")
    if seq is None:
        raise ServiceError("请指明读到的消息序号。", field="seq")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(
            conversation=conversation, person=person, active=True
        ).first()
        if membership is None:
            raise NotFoundError(NOT_A_MEMBER)
        last_seq, roster = (
            Conversation.objects.filter(pk=conversation.pk).values_list("last_seq", "roster_version").get()
        )
        new = min(seq, last_seq)
        old = membership.last_read_seq
        if new <= old:
            return old
        membership.last_read_seq = new
        membership.save(update_fields=["last_read_seq"])
        senders = set(
            Message.objects.filter(conversation=conversation, seq__gt=old, seq__lte=new)
            .exclude(sender=person).values_list("sender_id", flat=True).distinct()
        )
        _close_mentions(person, conversation, new)
        event = {"type": "chat.read", "conversation": conversation.pk, "person": person.pk,
                 "name": person.get_full_name(), "seq": new, "roster": roster}
        push.on_commit({*senders, person.pk} - {None}, event)
    return new


def _close_mentions(person, conversation, up_to: int) -> None:
    from oa.todo.models import Kind, State, TodoItem
    from oa.todo.services import complete_for_source

    prefix = f"{conversation.pk}:"
    open_items = TodoItem.objects.filter(
        owner=person, source_app="messaging", source_id__startswith=prefix, kind=Kind.TOREAD, state=State.OPEN
    ).values_list("source_id", flat=True)
    for source_id in set(open_items):
        tail = source_id[len(prefix):]
        if tail.isdigit() and int(tail) <= up_to:
            complete_for_source("messaging", source_id, owner=person, kind=Kind.TOREAD, actor=person)


def recall(actor, message: Message) -> Message:
    """The sender takes a message back within two minutes; everybody then sees “消息已撤回”."""
    require(actor, VIEW, message.conversation, "消息不存在，或您不是该会话的成员。")
    if message.sender_id != actor.pk:
        raise PermissionDeniedError("只能撤回自己发送的消息。")
    if message.is_recalled:
        return message
    if timezone.now() - message.created_at > RECALL_WINDOW:
        raise ServiceError("消息发送已超过 2 分钟，不能撤回。")
    with transaction.atomic():
        locked = (
            Message.objects.select_for_update(of=("self",))
            .select_related("conversation", "sender")
            .get(pk=message.pk)
        )
        if locked.is_recalled:
            return locked
        before = _audit_message(locked)
        stored_file = locked.file.name if locked.file else ""
        storage = locked.file.storage
        locked.recalled_at = timezone.now()
        locked.body = ""
        locked.file = ""
        locked.card_title = locked.card_url = ""
        locked.save(update_fields=["recalled_at", "body", "file", "card_title", "card_url"])
        record(actor, "messaging.recall", locked, before=before, summary="撤回消息")
        from oa.todo.models import Kind
        from oa.todo.services import complete_for_source

        complete_for_source("messaging", f"{locked.conversation_id}:{locked.seq}", kind=Kind.TOREAD, actor=actor)
        if stored_file:
            transaction.on_commit(lambda: storage.delete(stored_file))
        roster = Conversation.objects.filter(pk=locked.conversation_id).values_list("roster_version", flat=True).get()
        push.to_conversation_on_commit(locked.conversation_id, {
            "type": "chat.recalled", "conversation": locked.conversation_id, "seq": locked.seq, "roster": roster,
            "message": message_payload(locked),
        })
    return locked


# --- sharing a document from its page (分享到会话) ----------------------------------------------------------

SHARE_RECENT = 8


def search_people(user, query: str, limit: int = 20) -> list[Person]:
    """Active people matching ``query`` (name, or exact username), for the pickers; never the user."""
    if not can(user, "org.view_person") or not query:
        return []
    return list(
        Person.objects.filter(is_active=True)
        .filter(Q(name__icontains=query) | Q(username__iexact=query))
        .exclude(pk=user.pk)
        .select_related("unit", "department")
        .order_by("unit_id", "sort_order", "id")[:limit]
    )


def share_targets(person, query: str = "", *, limit: int = SHARE_RECENT) -> dict:
    """Where ``person`` can share to: without ``query`` their most recent conversations; with it, their
    conversations whose name matches and the people who match (a person without a 单聊 yet gets one)."""
    query = (query or "").strip()[:40]
    mine = conversations_for(person)
    if query:
        mine = [c for c in mine if query.lower() in c.display_title(person).lower()]
    return {"conversations": mine[:limit], "people": search_people(person, query, limit) if query else []}


def share_card(actor, card, *, conversation_id=None, person_id=None) -> Message:
    """Post a card for ``card=(app_label, object_id)`` into one of ``actor``'s conversations, or into the
    单聊 with ``person_id``. One check whichever page it comes from: the sharer may see the object, and is a
    member of the conversation (send_message); the card is checked again for every viewer when shown."""
    _card_fields(actor, card)  # refuse before a 单聊 is created for nothing
    if conversation_id not in (None, ""):
        conversation = get_conversation_for(actor, conversation_id)
    elif str(person_id or "").isdigit():
        other = Person.objects.filter(pk=int(person_id), is_active=True).first()
        conversation = start_direct(actor, other)
    else:
        raise ServiceError("请选择要分享到的会话或人员。", field="conversation")
    return send_message(actor, conversation, card=card)
