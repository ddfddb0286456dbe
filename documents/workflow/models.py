"""Workflow data: one ``Flow`` per 发文 draft or 收文, its ``FlowTask`` rows (who is asked to act at which
step, and what they did), notes (comments, 催办, rule overrides), the received documents themselves and
the per-unit configuration (optional steps, who acts) — configuration is data, never code.

Imported at the bottom of ``documents.models`` so the app label is ``documents``.
"""

from django.conf import settings
from django.db import models
from django_fsm import RETURN_VALUE, FSMField, transition

from oa.core.errors import ServiceError
from oa.org.models import Department, Unit


class FlowKind(models.TextChoices):
    OUTGOING = "outgoing", "发文"
    INCOMING = "incoming", "收文"


class TaskState(models.TextChoices):
    OPEN = "open", "待办"
    DONE = "done", "已办"
    CANCELLED = "cancelled", "已取消"


class Decision(models.TextChoices):
    APPROVE = "approve", "同意"
    RETURN = "return", "退回"
    TRANSFER = "transfer", "转办"
    WITHDRAWN = "withdrawn", "被撤回"
    READ = "read", "已阅"
    SUPERSEDED = "superseded", "他人已办"


class Flow(models.Model):
    """The running workflow of one document. ``state`` is the current step (see the transition tables in
    ``documents.workflow.outgoing`` / ``incoming``); every action locks this row first."""

    kind = models.CharField(max_length=10, choices=FlowKind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    document = models.OneToOneField(
        "documents.Document", null=True, blank=True, on_delete=models.CASCADE, related_name="flow"
    )
    incoming = models.OneToOneField(
        "documents.IncomingDocument", null=True, blank=True, on_delete=models.CASCADE, related_name="flow"
    )
    state = FSMField("环节", max_length=20)
    important = models.BooleanField("重要公文", default=False)
    # 签发: who signed which exact content; a later material change sends it back to them (复核).
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_sha256 = models.CharField(max_length=64, blank=True)
    resume_state = models.CharField(max_length=20, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "办理流程"
        verbose_name_plural = "办理流程"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}流程 {self.pk}（{self.state}）"

    @transition(field=state, source="*", target=RETURN_VALUE())
    def move(self, target: str) -> str:
        """The one way a flow changes step: only along an edge of the transition table."""
        from .tables import ALLOWED, label

        if target not in ALLOWED[self.kind].get(self.state, set()):
            raise ServiceError(f"流程不能从“{label(self.kind, self.state)}”转到“{label(self.kind, target)}”。")
        return target

    @property
    def subject(self):
        return self.document if self.kind == FlowKind.OUTGOING else self.incoming

    @property
    def owner_unit(self):
        return self.unit

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


class FlowTask(models.Model):
    """One person asked to act at one step. Tasks sharing a non-empty ``pool`` are "any one of them"
    (the unit's 收发员 or 签发人); the step is over when no open task of it is left."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="tasks")
    step = models.CharField("环节", max_length=20)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    pool = models.CharField(max_length=40, blank=True)
    role_note = models.CharField("说明", max_length=40, blank=True)  # 主办 / 协办 / 加签 / 转办
    state = models.CharField(max_length=10, choices=TaskState.choices, default=TaskState.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField("打开时间", null=True, blank=True)
    decided_at = models.DateTimeField("办理时间", null=True, blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True)
    opinion = models.TextField("意见", blank=True)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The exact content the actor saw and approved (SHA-256 of the version snapshot).
    content_sha256 = models.CharField(max_length=64, blank=True)
    handwriting_strokes = models.JSONField(null=True, blank=True)
    handwriting_png = models.BinaryField(null=True, blank=True)

    class Meta:
        verbose_name = "办理事项"
        verbose_name_plural = "办理事项"
        ordering = ["flow_id", "id"]
        indexes = [models.Index(fields=["flow", "state"]), models.Index(fields=["assignee", "state"])]

    def __str__(self) -> str:
        return f"{self.step} · {self.assignee}（{self.get_state_display()}）"

    @property
    def by_delegation(self) -> bool:
        return bool(self.acted_by_id and self.acted_by_id != self.assignee_id)


class NoteKind(models.TextChoices):
    COMMENT = "comment", "评论"
    URGE = "urge", "催办"
    OVERRIDE = "override", "规则豁免"


class FlowNote(models.Model):
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=10, choices=NoteKind.choices)
    # None: the system (automatic 办理时限 reminders, at most one per flow and day: ``on_date``).
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    rule = models.CharField(max_length=40, blank=True)
    on_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "流程记录"
        verbose_name_plural = "流程记录"
        ordering = ["flow_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.text[:30]}"

    @property
    def author_name(self) -> str:
        return self.author.get_full_name() if self.author_id else "系统"


class StepActor(models.Model):
    """Who acts at a step for a unit (e.g. the 核稿人 of the office, the 部门审核 of a department). When a
    step has none configured, the unit's role holders act (收发员, 核稿人, 签发人, 印章管理员)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=FlowKind.choices)
    step = models.CharField("环节", max_length=20)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "环节办理人"
        verbose_name_plural = "环节办理人"
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "kind", "step", "person", "department"], name="documents_step_actor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.step} · {self.person}"


class FlowSetting(models.Model):
    """A unit's choice of optional steps."""

    unit = models.OneToOneField(Unit, on_delete=models.CASCADE, related_name="flow_setting")
    use_dept_review = models.BooleanField("启用部门审核", default=False)
    limit_extra_urgent = models.PositiveSmallIntegerField("特急办理时限（工作日）", default=1)
    limit_urgent = models.PositiveSmallIntegerField("加急办理时限（工作日）", default=3)
    limit_normal = models.PositiveSmallIntegerField("平件办理时限（工作日）", default=7)

    class Meta:
        verbose_name = "流程设置"
        verbose_name_plural = "流程设置"

    def __str__(self) -> str:
        return f"{self.unit} 流程设置"


class IncomingDocument(models.Model):
    """A 收文: a document received by ``unit`` (from the exchange or registered from paper)."""

    unit = models.ForeignKey(Unit, verbose_name="收文单位", on_delete=models.PROTECT, related_name="incoming")
    sender_unit = models.ForeignKey(
        Unit, verbose_name="来文单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sender_name = models.CharField("来文单位", max_length=100)
    source_document = models.ForeignKey(
        "documents.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="receipts"
    )
    title = models.CharField("标题", max_length=300)
    doc_type = models.CharField("文种", max_length=4, blank=True)
    source_number = models.CharField("来文字号", max_length=60, blank=True)
    urgency = models.CharField("紧急程度", max_length=4, blank=True)
    status = FSMField("状态", max_length=20, default="receiving")
    reg_year = models.PositiveSmallIntegerField(null=True, blank=True)
    reg_seq = models.PositiveIntegerField(null=True, blank=True)
    reg_number = models.CharField("收文编号", max_length=60, blank=True)
    deadline = models.DateField("办理时限", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    received_at = models.DateTimeField("收到时间", auto_now_add=True)

    class Meta:
        verbose_name = "收文"
        verbose_name_plural = "收文"
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "reg_year", "reg_seq"],
                condition=models.Q(reg_seq__isnull=False),
                name="documents_incoming_number_unique",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_unit(self):
        return self.unit


def signed_sheet_path(instance, filename: str) -> str:
    return f"documents/flows/{instance.flow_id}/signoff/{filename}"


class SheetSignature(models.TextChoices):
    SIGNED = "signed", "已电子签名"
    NO_CERTIFICATE = "no_certificate", "未签名（签发人无个人签名证书）"
    FAILED = "failed", "未签名（签名失败）"


class SignedSheet(models.Model):
    """The 发文稿纸 as it stood right after a 签发 (or 复核), signed with the signing leader's personal
    certificate — the deputy's own certificate for 代签 — the handwriting as the signature's appearance.
    One row per sign-off task; ``status`` says why a sheet is unsigned (no certificate / failure)."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="signed_sheets")
    task = models.OneToOneField(FlowTask, on_delete=models.CASCADE, related_name="signed_sheet")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签名人", on_delete=models.PROTECT, related_name="+"
    )
    by_delegation = models.BooleanField("代签", default=False)
    status = models.CharField("签名状态", max_length=16, choices=SheetSignature.choices)
    file = models.FileField("签名稿纸", upload_to=signed_sheet_path, max_length=255, blank=True)
    sha256 = models.CharField("文件摘要", max_length=64, blank=True)
    field_name = models.CharField("签名域", max_length=80, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "签发稿纸"
        verbose_name_plural = "签发稿纸"
        ordering = ["flow_id", "-id"]

    def __str__(self) -> str:
        return f"{self.flow} · {self.get_status_display()}"

    @property
    def signed(self) -> bool:
        return self.status == SheetSignature.SIGNED and bool(self.file)
