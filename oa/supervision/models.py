"""督查督办: supervised items, the units that carry them out, milestones, progress reports, reminders, and the
working-day calendar data an administrator maintains.

The life cycle (who may move an item from which status to which) is in ``oa.supervision.states``; the rules
about who may see and act are in ``oa.supervision.rules``; the use cases in ``oa.supervision.services``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Status(models.TextChoices):
    PENDING_SIGN = "pending_sign", "待签收"
    IN_PROGRESS = "in_progress", "办理中"
    CLOSE_REQUESTED = "close_requested", "申请办结"
    CLOSED = "closed", "已办结"
    CANCELLED = "cancelled", "已撤销"


OPEN_STATUSES = (Status.PENDING_SIGN, Status.IN_PROGRESS, Status.CLOSE_REQUESTED)
# Statuses where the units (not the 督查员) hold the item: reminders and escalation apply only here.
WITH_UNITS = (Status.PENDING_SIGN, Status.IN_PROGRESS)


class SourceKind(models.TextChoices):
    INSTRUCTION = "instruction", "领导批示"
    MEETING = "meeting", "会议决定"
    DIRECT = "direct", "直接立项"


class Item(models.Model):
    title = models.CharField("督办事项", max_length=200)
    instruction = models.TextField("批示/决定内容")
    source_kind = models.CharField("来源", max_length=12, choices=SourceKind.choices)
    # Opaque "app.model:id" of the 批办 or 会议决定 it came from; oa never imports the feature apps.
    source_ref = models.CharField("来源对象", max_length=100, blank=True)
    source_url = models.CharField("来源地址", max_length=300, blank=True)
    raising_unit = models.ForeignKey("org.Unit", verbose_name="立项单位", on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="立项人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="督查员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批示领导",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lead_unit = models.ForeignKey("org.Unit", verbose_name="牵头单位", on_delete=models.PROTECT, related_name="+")
    units = models.ManyToManyField("org.Unit", through="ItemUnit", related_name="+")
    deadline = models.DateField("办结时限")
    report_interval = models.PositiveSmallIntegerField("进展报送周期（工作日）", default=5)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING_SIGN)
    # Denormalised so the 黄 warning is a plain comparison in SQL (board over thousands of items).
    next_report_due = models.DateField("下次进展报送时限", null=True, blank=True)
    last_progress_at = models.DateTimeField("最近进展", null=True, blank=True)
    progress_percent = models.PositiveSmallIntegerField("完成进度", default=0)
    # The day the lead unit asked to close in the request that was finally approved: on time means this
    # is not after the deadline (the 督查员's review time is not held against the unit).
    completed_on = models.DateField("完成日期", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField("立项时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "督办事项"
        verbose_name_plural = "督办事项"
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="sup_item_status_deadline"),
            models.Index(fields=["lead_unit", "status"], name="sup_item_lead_status"),
            models.Index(fields=["raising_unit", "status"], name="sup_item_raising_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class UnitRole(models.TextChoices):
    LEAD = "lead", "牵头单位"
    COOPERATING = "cooperating", "配合单位"


class ItemUnit(models.Model):
    """A unit carrying out an item (the lead unit has a row too) and its 签收."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="supervision_assignments")
    role = models.CharField("角色", max_length=12, choices=UnitRole.choices)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签收人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "承办单位"
        verbose_name_plural = "承办单位"
        ordering = ["item_id", "-role", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "unit"], name="sup_itemunit_unique")]
        indexes = [models.Index(fields=["unit", "item"], name="sup_itemunit_unit")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_role_display()}"


class Milestone(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=100)
    due_date = models.DateField("节点时限")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "时间节点"
        verbose_name_plural = "时间节点"
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["item", "due_date"], name="sup_milestone_due")]

    def __str__(self) -> str:
        return f"{self.due_date} {self.title}"


class ProgressReport(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey("org.Unit", verbose_name="报送单位", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField("进展情况")
    percent = models.PositiveSmallIntegerField("完成进度", default=0)
    milestone = models.ForeignKey(
        Milestone, verbose_name="完成节点", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    created_at = models.DateTimeField("报送时间", auto_now_add=True)

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["item", "created_at"], name="sup_report_item")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.created_at:%Y-%m-%d}"


class Attachment(models.Model):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="supervision/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    kind = models.CharField("类型", max_length=10)
    size = models.PositiveBigIntegerField("大小")
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = "进展附件"
        verbose_name_plural = "进展附件"

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    RAISED = "raised", "立项"
    SIGNED = "signed", "签收"
    PROGRESS = "progress", "报送进展"
    CLOSE_REQUESTED = "close_requested", "申请办结"
    CLOSED = "closed", "同意办结"
    SENT_BACK = "sent_back", "退回"
    CANCELLED = "cancelled", "撤销"
    REMINDED = "reminded", "催办"
    ESCALATED = "escalated", "超期报告"


class Event(models.Model):
    """Append-only history of an item: the timeline on its page (the audit trail keeps the legal record)."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=60)
    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "督办记录"
        verbose_name_plural = "督办记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.actor_name}"


class ReminderKind(models.TextChoices):
    BEFORE = "before", "临期提醒"
    DUE = "due", "到期提醒"
    OVERDUE = "overdue", "超期催办"
    ESCALATION = "escalation", "超期报告"
    MANUAL = "manual", "人工催办"


class Reminder(models.Model):
    """One 催办 (or escalation) sent. Automatic ones are unique per item, kind and day: the beat task may run
    as often as it likes, and two workers racing insert one row and one fails on the constraint."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    on_date = models.DateField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=300, blank=True)
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "催办记录"
        verbose_name_plural = "催办记录"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "kind", "on_date"], condition=~Q(kind="manual"), name="sup_reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.on_date}"


class CalendarDay(models.Model):
    """A day whose status differs from the weekend rule: a 法定节假日 on a weekday or an 调休 working day on a
    weekend, as published each year by the State Council (国务院办公厅关于X年部分节假日安排的通知)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日", help_text="勾选：调休上班；不勾选：放假")
    name = models.CharField("名称", max_length=40, blank=True, help_text="如 春节、国庆节")

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '放假'} {self.name}"


class CalendarYear(models.Model):
    """Marks a year's arrangement as entered (after the State Council published it)."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("依据", max_length=200, help_text="如 国务院办公厅关于2027年部分节假日安排的通知")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "节假日安排年度"
        verbose_name_plural = "节假日安排年度"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year} 年：{self.source}"
