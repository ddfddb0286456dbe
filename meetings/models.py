"""会议: rooms, meetings with their agenda, the invited people and units, 回执, materials, sign-in and
decisions (议定事项).  Business rules live in ``meetings.services``."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from oa.org.models import Unit


class Room(models.Model):
    unit = models.ForeignKey(Unit, verbose_name="所属单位", on_delete=models.PROTECT, related_name="meeting_rooms")
    name = models.CharField("会议室", max_length=60)
    location = models.CharField("位置", max_length=100, blank=True)
    capacity = models.PositiveIntegerField("容纳人数", default=0)
    equipment = models.CharField("设备", max_length=200, blank=True, help_text="如 投影仪、视频会议终端、话筒")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "会议室"
        verbose_name_plural = "会议室"
        ordering = ["unit_id", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="meetings_room_unique_name")]

    def __str__(self) -> str:
        return self.name


class Kind(models.TextChoices):
    STANDING = "常务会议", "常务会议"
    TOPIC = "专题会议", "专题会议"
    WORK = "工作会议", "工作会议"
    TRAINING = "培训", "培训"
    OTHER = "其他", "其他"


class Status(models.TextChoices):
    SCHEDULED = "scheduled", "已安排"
    CANCELLED = "cancelled", "已取消"


class Meeting(models.Model):
    title = models.CharField("会议名称", max_length=200)
    kind = models.CharField("会议类型", max_length=8, choices=Kind.choices, default=Kind.WORK)
    organiser_unit = models.ForeignKey(Unit, verbose_name="主办单位", on_delete=models.PROTECT, related_name="meetings")
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="组织人", on_delete=models.PROTECT, related_name="organised_meetings"
    )
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="主持人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_meetings",
    )
    start = models.DateTimeField("开始时间")
    end = models.DateTimeField("结束时间")
    room = models.ForeignKey(
        Room, verbose_name="会议室", null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    online_url = models.URLField("线上会议链接", max_length=300, blank=True)
    note = models.TextField("会议说明", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    materials_withdrawn = models.BooleanField("材料已收回", default=False)
    # iCalendar SEQUENCE: raised on every change of time, place or status so calendars replace their copy.
    sequence = models.PositiveIntegerField("修订次数", default=0)
    minutes_document = models.ForeignKey(
        "documents.Document",
        verbose_name="会议纪要",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["room", "start"]), models.Index(fields=["organiser_unit", "start"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="meetings_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unit(self):  # oa.permissions.unit_of
        return self.organiser_unit

    @property
    def place(self) -> str:
        parts = []
        if self.room_id:
            parts.append(self.room.name + (f"（{self.room.location}）" if self.room.location else ""))
        if self.online_url:
            parts.append("线上会议")
        return "；".join(parts) or "待定"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField("议题", max_length=200)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="汇报人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    presenter_name = models.CharField("汇报人（其他）", max_length=60, blank=True)

    class Meta:
        verbose_name = "议题"
        verbose_name_plural = "议题"
        ordering = ["meeting_id", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def presenter_label(self) -> str:
        return self.presenter.get_full_name() if self.presenter_id else self.presenter_name


class UnitInvitation(models.Model):
    """A whole unit invited: its 收发员 nominates who attends.  The organising unit's own clerk gets a todo
    item; another unit receives a 会议通知 through the 公文交换 (``exchange_ref`` = the Delivery id) and its
    clerk gets the nomination todo once they sign for it.  When the exchange cannot carry it, the clerk
    gets the todo directly and ``notice_note`` says why."""

    class State(models.TextChoices):
        PENDING = "pending", "待报名"
        NOMINATED = "nominated", "已报名"

    class Channel(models.TextChoices):
        AWAITING = "", "待发送会议通知"
        TODO = "todo", "待办通知"
        EXCHANGE = "exchange", "公文交换"

    class Bounce(models.TextChoices):
        NONE = "", "—"
        RETURNED = "returned", "会议通知被退回"
        RECALLED = "recalled", "会议通知已撤回"

    class Followup(models.TextChoices):
        NONE = "", "—"
        CHANGE = "change", "待发送会议变更通知"
        CANCEL = "cancel", "待发送会议取消通知"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="unit_invitations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="meeting_invitations")
    seats = models.PositiveSmallIntegerField("名额", default=1)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    exchange_ref = models.CharField("交换记录", max_length=64, blank=True, db_index=True)
    channel = models.CharField("通知方式", max_length=10, choices=Channel.choices, blank=True, default="")
    notice_note = models.CharField("通知说明", max_length=300, blank=True)
    notice_signed_at = models.DateTimeField("会议通知签收时间", null=True, blank=True)
    # The 会议通知 came back unsigned (退回 by the unit's clerk, 撤回 by the organising unit's clerk): the
    # unit is not reached until it is sent again or the organiser chooses another way.
    notice_bounce = models.CharField("会议通知退回/撤回", max_length=10, choices=Bounce.choices, blank=True)
    # A 会议变更通知 / 取消通知 still to be sent to this unit through the exchange by the organising clerk.
    followup_pending = models.CharField("待发送通知", max_length=10, choices=Followup.choices, blank=True)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "邀请单位"
        verbose_name_plural = "邀请单位"
        constraints = [models.UniqueConstraint(fields=["meeting", "unit"], name="meetings_unit_invitation_unique")]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.unit}"


class NoticeDelivery(models.Model):
    """One notice (会议通知 / 会议变更通知 / 会议取消通知) sent to an invited unit through the 公文交换. The
    exchange's Delivery row is the truth about where it stands (待发送, 已送达, 已签收, 已退回 …); this row only
    says which meeting, unit and kind of notice it carries, so the organiser's page can show it."""

    class Kind(models.TextChoices):
        NOTICE = "notice", "会议通知"
        CHANGE = "change", "会议变更通知"
        CANCEL = "cancel", "会议取消通知"

    invitation = models.ForeignKey(UnitInvitation, on_delete=models.CASCADE, related_name="notices")
    delivery = models.OneToOneField("exchange.Delivery", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("通知类型", max_length=10, choices=Kind.choices, default=Kind.NOTICE)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "会议通知投递"
        verbose_name_plural = "会议通知投递"
        ordering = ["invitation_id", "id"]

    def __str__(self) -> str:
        return f"{self.invitation} · {self.get_kind_display()}"


class Role(models.TextChoices):
    ATTEND = "出席", "出席"
    OBSERVE = "列席", "列席"


class Response(models.TextChoices):
    PENDING = "pending", "未回执"
    ATTEND = "attend", "参加"
    LEAVE = "leave", "请假"
    DELEGATE = "delegate", "委托他人"


class Attendee(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_invitations")
    role = models.CharField("身份", max_length=4, choices=Role.choices, default=Role.ATTEND)
    via_unit = models.ForeignKey(
        UnitInvitation,
        verbose_name="由单位报名",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attendees",
    )
    substitute_for = models.ForeignKey(
        "self", verbose_name="代替", null=True, blank=True, on_delete=models.CASCADE, related_name="substitutes"
    )
    response = models.CharField("回执", max_length=10, choices=Response.choices, default=Response.PENDING)
    reason = models.CharField("请假事由", max_length=200, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    sign_in_method = models.CharField("签到方式", max_length=10, blank=True)  # "qr" or "marked"

    class Meta:
        verbose_name = "参会人员"
        verbose_name_plural = "参会人员"
        ordering = ["meeting_id", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="meetings_attendee_unique")]

    def __str__(self) -> str:
        return f"{self.meeting} · {self.person}"

    @property
    def expected(self) -> bool:
        """Still expected in the room (not on leave, not replaced by a substitute)."""
        return self.response in (Response.PENDING, Response.ATTEND)


class Material(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="materials")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="materials", verbose_name="议题"
    )
    title = models.CharField("材料名称", max_length=200)
    file = models.FileField(upload_to="meetings/materials/%Y/%m/")
    content_type = models.CharField(max_length=60)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "会议材料"
        verbose_name_plural = "会议材料"
        ordering = ["meeting_id", "id"]

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    """议定事项; ``supervision_item`` once it became a 督办 item."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    position = models.PositiveSmallIntegerField(default=0)
    content = models.TextField("议定事项")
    supervision_item = models.ForeignKey(
        "supervision.Item", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="督办事项"
    )

    class Meta:
        verbose_name = "议定事项"
        verbose_name_plural = "议定事项"
        ordering = ["meeting_id", "position", "id"]

    def __str__(self) -> str:
        return self.content[:40]


class ReminderLog(models.Model):
    """One row per person, meeting and kind: the beat task runs often, each reminder goes out once."""

    attendee = models.ForeignKey(Attendee, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20)  # "before" or "chase:YYYY-MM-DD" (once a day)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attendee", "kind"], name="meetings_reminder_once")]

    def __str__(self) -> str:
        return f"{self.attendee} · {self.kind}"
