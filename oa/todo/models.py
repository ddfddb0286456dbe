"""Todo centre: the one way any app hands a person work (待办) or something to read (待阅).

An item points back at its source generically (app label + object id + a local URL to act on it), so the todo
centre never imports the feature apps.  Apps create and close items through ``oa.todo.services``.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class Kind(models.TextChoices):
    TODO = "todo", "待办"
    TOREAD = "toread", "待阅"


class State(models.TextChoices):
    OPEN = "open", "未完成"
    DONE = "done", "已完成"


class Urgency(models.TextChoices):
    # Values are the Chinese terms themselves: apps pass urgency="特急" as printed on the 公文.
    EXTRA_URGENT = "特急", "特急"
    URGENT = "加急", "加急"
    NORMAL = "平件", "平件"


# Deadline warning (三色预警): green while more than three days remain, yellow within three days, red overdue.
DEADLINE_WARNING_WINDOW = timedelta(days=3)


class TodoItem(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="办理人", on_delete=models.CASCADE, related_name="todo_items"
    )
    kind = models.CharField("类型", max_length=8, choices=Kind.choices, default=Kind.TODO)
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.OPEN)
    title = models.CharField("标题", max_length=300)
    category = models.CharField("文种/类别", max_length=20, blank=True, help_text="如 通知、请示、会议")
    step = models.CharField("办理环节", max_length=20, help_text="如 审核、签发、签收、阅知")
    sender = models.CharField("来文单位/拟稿人", max_length=100, blank=True)
    urgency = models.CharField("紧急程度", max_length=4, choices=Urgency.choices, default=Urgency.NORMAL)
    deadline = models.DateTimeField("办理时限", null=True, blank=True)
    source_app = models.CharField("来源应用", max_length=40)
    source_id = models.CharField("来源对象编号", max_length=64)
    url = models.CharField("办理地址", max_length=300)
    manual_close = models.BooleanField(
        "允许手动办结", default=True, help_text="流程环节的待办由应用在环节完成时关闭，办理人不能直接办结"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("接收时间", default=timezone.now)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "待办事项"
        verbose_name_plural = "待办事项"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "kind", "state", "-created_at"], name="todo_owner_list"),
            models.Index(fields=["source_app", "source_id"], name="todo_source"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}·{self.step}·{self.title}"

    @property
    def is_open(self) -> bool:
        return self.state == State.OPEN

    @property
    def status_label(self) -> str:
        if self.kind == Kind.TOREAD:
            return "未读" if self.is_open else "已阅"
        return "待办" if self.is_open else "已办"

    def deadline_level(self, now=None) -> str:
        """'green', 'yellow', 'red' or '' (no deadline, or already done)."""
        if self.deadline is None or not self.is_open:
            return ""
        now = now or timezone.now()
        if self.deadline < now:
            return "red"
        if self.deadline - now <= DEADLINE_WARNING_WINDOW:
            return "yellow"
        return "green"

    @property
    def deadline_label(self) -> str:
        return {"red": "已超期", "yellow": "临近时限", "green": "时限充足"}.get(self.deadline_level(), "")

    @property
    def urgency_level(self) -> str:
        return {Urgency.EXTRA_URGENT: "extra", Urgency.URGENT: "urgent"}.get(self.urgency, "normal")
