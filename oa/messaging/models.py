"""Conversations (one-to-one, groups, unit and department groups), their members and messages.

Every message gets a per-conversation sequence number (``seq``), allocated under a row lock on the
conversation: it is the stable order, the paging cursor and the catch-up cursor.  A member's read position
is one number (``Membership.last_read_seq``): unread counts and read receipts are derived from it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ConversationKind(models.TextChoices):
    DIRECT = "direct", "单聊"
    GROUP = "group", "群聊"
    UNIT = "unit", "单位群"
    DEPARTMENT = "department", "科室群"


ORG_KINDS = (ConversationKind.UNIT, ConversationKind.DEPARTMENT)


class Conversation(models.Model):
    kind = models.CharField("类型", max_length=12, choices=ConversationKind.choices)
    title = models.CharField("名称", max_length=60, blank=True)
    # One-to-one: "<smaller id>:<larger id>", so two people share exactly one conversation.
    direct_key = models.CharField(max_length=41, null=True, blank=True, unique=True, editable=False)
    unit = models.OneToOneField(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="chat_group", verbose_name="单位"
    )
    # DO_NOTHING: deleting a (necessarily empty) department first turns its group into a plain group kept in
    # the record (oa.messaging.orgsync.retire_department_group, run from pre_delete), so nothing points here.
    department = models.OneToOneField(
        "org.Department",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="chat_group",
        verbose_name="内设机构",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Raised (under the conversation's row lock) whenever someone stops being a member. Every live event
    # carries it: a socket that knows an older value re-reads its memberships before passing the event on,
    # so a message sent after a removal never reaches the removed person, whatever order pushes arrive in.
    roster_version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = "会话"
        verbose_name_plural = "会话"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="unit", unit__isnull=False) | ~Q(kind="unit"), name="messaging_unit_group_has_unit"
            ),
            models.CheckConstraint(
                condition=Q(kind="department", department__isnull=False) | ~Q(kind="department"),
                name="messaging_dept_group_has_department",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title()

    @property
    def is_org_group(self) -> bool:
        return self.kind in ORG_KINDS

    def display_title(self, viewer=None) -> str:
        """The name shown to ``viewer``: org groups follow the unit/department name; a one-to-one
        conversation is called after the other person."""
        if self.kind == ConversationKind.UNIT and self.unit_id:
            return f"{self.unit.name}（单位群）"
        if self.kind == ConversationKind.DEPARTMENT and self.department_id:
            return f"{self.department.unit.short_name}·{self.department.name}（科室群）"
        if self.kind == ConversationKind.DIRECT and viewer is not None:
            other = next((m.person for m in self.memberships.all() if m.person_id != viewer.pk), None)
            if other is not None:
                return other.get_full_name()
        return self.title or "群聊"


class Membership(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_memberships")
    active = models.BooleanField("在会话中", default=True)
    # Members of unit/department groups are managed by the organisation sync, never by hand.
    by_org = models.BooleanField("随组织机构同步", default=False)
    is_owner = models.BooleanField("群主", default=False)
    last_read_seq = models.PositiveBigIntegerField(default=0)
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "会话成员"
        verbose_name_plural = "会话成员"
        constraints = [models.UniqueConstraint(fields=["conversation", "person"], name="messaging_member_unique")]
        indexes = [models.Index(fields=["person", "active"])]

    def __str__(self) -> str:
        return f"{self.person} @ {self.conversation_id}"


class MessageKind(models.TextChoices):
    TEXT = "text", "文字"
    FILE = "file", "文件"
    CARD = "card", "公文卡片"
    SYSTEM = "system", "系统消息"


def _upload_to(instance, filename: str) -> str:
    # The stored name never comes from the client (the original name is kept in file_name).
    import uuid

    from django.utils import timezone

    return f"messaging/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField()
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=MessageKind.choices, default=MessageKind.TEXT)
    body = models.TextField(blank=True)
    file = models.FileField(upload_to=_upload_to, max_length=200, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    file_type = models.CharField(max_length=100, blank=True)
    card_app = models.CharField(max_length=40, blank=True)
    card_object_id = models.CharField(max_length=64, blank=True)
    card_title = models.CharField(max_length=300, blank=True)
    card_url = models.CharField(max_length=300, blank=True)
    mentions = models.JSONField(default=list, blank=True)
    client_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(db_index=True)
    recalled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["conversation_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="messaging_message_seq_unique"),
            models.UniqueConstraint(
                fields=["conversation", "sender", "client_id"],
                condition=~Q(client_id=""),
                name="messaging_message_client_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq}"

    @property
    def is_recalled(self) -> bool:
        return self.recalled_at is not None
