"""公文 (official documents): the draft with every 格式要素, its versions, attachments, the per-unit
templates (发文机关标志) and the 发文字号 counters.

Rules that need the database or the acting user (classified refusal, numbering, versions) live in
``documents.services``; the models keep the data and the derivations that follow from it alone
(format from 文种, direction from the issuer and 主送 levels).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm import FSMField

from oa.org.models import Unit


class DocType(models.TextChoices):
    """The 15 文种 of 《党政机关公文处理工作条例》 第八条."""

    RESOLUTION = "决议", "决议"
    DECISION = "决定", "决定"
    ORDER = "命令", "命令（令）"
    COMMUNIQUE = "公报", "公报"
    ANNOUNCEMENT = "公告", "公告"
    PUBLIC_NOTICE = "通告", "通告"
    OPINION = "意见", "意见"
    NOTICE = "通知", "通知"
    CIRCULAR = "通报", "通报"
    REPORT = "报告", "报告"
    REQUEST = "请示", "请示"
    REPLY = "批复", "批复"
    MOTION = "议案", "议案"
    LETTER = "函", "函"
    MINUTES = "纪要", "纪要"


class Secrecy(models.TextChoices):
    """Only 非涉密 may be stored here; the classified values exist so a refusal can name what was chosen."""

    NONE = "", "非涉密"
    SECRET = "秘密", "秘密"
    CONFIDENTIAL = "机密", "机密"
    TOP_SECRET = "绝密", "绝密"


CLASSIFIED = frozenset({Secrecy.SECRET, Secrecy.CONFIDENTIAL, Secrecy.TOP_SECRET})


class Urgency(models.TextChoices):
    NONE = "", "无"
    URGENT = "加急", "加急"
    EXTRA_URGENT = "特急", "特急"


class Publicity(models.TextChoices):
    ACTIVE = "主动公开", "主动公开"
    ON_REQUEST = "依申请公开", "依申请公开"
    NOT_PUBLIC = "不予公开", "不予公开"


class Format(models.TextChoices):
    GENERAL = "general", "通用格式"
    LETTER = "letter", "信函格式"
    ORDER = "order", "命令（令）格式"
    MINUTES = "minutes", "纪要格式"


FORMAT_OF_TYPE = {DocType.LETTER: Format.LETTER, DocType.ORDER: Format.ORDER, DocType.MINUTES: Format.MINUTES}


class Direction(models.TextChoices):
    UPWARD = "up", "上行文"
    PARALLEL = "parallel", "平行文"
    DOWNWARD = "down", "下行文"


# When no 主送 is a unit of the tree (free text only), the 文种 tells the usual direction.
DEFAULT_DIRECTION = {
    DocType.REQUEST: Direction.UPWARD,
    DocType.REPORT: Direction.UPWARD,
    DocType.LETTER: Direction.PARALLEL,
    DocType.MINUTES: Direction.PARALLEL,
    DocType.MOTION: Direction.PARALLEL,
}


class Status(models.TextChoices):
    """The lifecycle. The 发文 workflow adds its states and transitions (django-fsm ``@transition``
    methods on ``Document``); drafting only knows the first one."""

    DRAFTING = "drafting", "拟稿中"
    DEPT_REVIEW = "dept_review", "部门审核中"
    OFFICE_REVIEW = "office_review", "核稿中"
    COUNTERSIGN = "countersign", "会签中"
    SIGNOFF = "signoff", "待签发"
    RECHECK = "recheck", "待复核"
    NUMBERING = "numbering", "待编号"
    SEALING = "sealing", "待用印"
    DISTRIBUTING = "distributing", "待分发"
    DISTRIBUTED = "distributed", "已分发"


class Document(models.Model):
    owner_unit = models.ForeignKey(Unit, verbose_name="拟稿单位", on_delete=models.PROTECT, related_name="documents")
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="拟稿人", on_delete=models.PROTECT, related_name="drafted_documents"
    )
    status = FSMField("状态", default=Status.DRAFTING, choices=Status.choices)

    doc_type = models.CharField("文种", max_length=4, choices=DocType.choices, default=DocType.NOTICE)
    copy_number = models.CharField("份号", max_length=6, blank=True)
    secrecy = models.CharField("密级", max_length=4, choices=Secrecy.choices, blank=True, default="")
    urgency = models.CharField("紧急程度", max_length=4, choices=Urgency.choices, blank=True, default="")
    issuers = models.ManyToManyField(
        Unit, verbose_name="发文机关", through="DocumentIssuer", related_name="issued_documents"
    )
    # 发文字号: allocated by documents.numbering, never typed.
    doc_number = models.CharField("发文字号", max_length=60, blank=True, editable=False)
    number_code = models.CharField("机关代字", max_length=20, blank=True, editable=False)
    number_year = models.PositiveSmallIntegerField("编号年份", null=True, blank=True, editable=False)
    number_seq = models.PositiveIntegerField("序号", null=True, blank=True, editable=False)
    signers = models.CharField(
        "签发人", max_length=100, blank=True, help_text="上行文必填；联合行文按发文机关顺序，以“、”分隔"
    )
    title = models.CharField("标题", max_length=300)
    main_recipients_text = models.CharField(
        "主送机关（其他）", max_length=500, blank=True, help_text="未在单位列表中的主送机关，如 各县（市、区）人民政府"
    )
    cc_text = models.CharField("抄送机关（其他）", max_length=500, blank=True)
    body = models.JSONField("正文", default=list, blank=True)
    attachment_note = models.TextField("附件说明", blank=True, help_text="每行一个附件名称，顺序与附件一致")
    signature = models.CharField(
        "署名", max_length=300, blank=True, help_text="留空则使用发文机关全称；联合行文每个机关一行"
    )
    written_date = models.DateField("成文日期", null=True, blank=True)
    note = models.CharField("附注", max_length=300, blank=True)
    printer = models.CharField("印发机关", max_length=100, blank=True)
    print_date = models.DateField("印发日期", null=True, blank=True)
    publicity = models.CharField("公开属性", max_length=6, choices=Publicity.choices, default=Publicity.ACTIVE)
    direction = models.CharField("行文方向", max_length=10, choices=Direction.choices, default=Direction.DOWNWARD)
    # 答复: a draft answering a received document links back to it.
    reply_to = models.ForeignKey(
        "documents.IncomingDocument",
        verbose_name="答复来文",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
    )

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "公文"
        verbose_name_plural = "公文"
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["number_code", "number_year", "number_seq"],
                condition=Q(number_seq__isnull=False),
                name="documents_number_unique",
            ),
            models.CheckConstraint(condition=Q(secrecy=""), name="documents_not_classified"),
        ]
        indexes = [models.Index(fields=["owner_unit", "status"]), models.Index(fields=["drafter", "status"])]

    def __str__(self) -> str:
        return self.title or f"公文 {self.pk}"

    @property
    def format(self) -> str:
        return FORMAT_OF_TYPE.get(self.doc_type, Format.GENERAL)

    def get_format_display(self) -> str:
        return Format(self.format).label

    def ordered_issuers(self) -> list[Unit]:
        return [link.unit for link in self.issuer_links.select_related("unit").order_by("position")]

    def addressee_units(self, kind: str) -> list[Unit]:
        return [a.unit for a in self.addressees.filter(kind=kind).select_related("unit").order_by("position")]

    def signer_names(self) -> list[str]:
        return split_names(self.signers)

    def active_attachments(self):
        return self.attachments.filter(removed=False).order_by("position", "id")


def split_names(text: str) -> list[str]:
    """'张三、李四' → ['张三', '李四'] (also ，, ; and spaces)."""
    import re

    return [part for part in re.split(r"[、，,;；\s]+", text or "") if part]


class DocumentIssuer(models.Model):
    """One 发文机关 of a document; ``position`` 0 is the lead (主办) issuer."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="issuer_links")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "发文机关"
        verbose_name_plural = "发文机关"
        ordering = ["document_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["document", "unit"], name="documents_issuer_unique"),
            models.UniqueConstraint(fields=["document", "position"], name="documents_issuer_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.document} · 发文机关{self.position + 1}：{self.unit}"


class AddresseeKind(models.TextChoices):
    MAIN = "main", "主送"
    CC = "cc", "抄送"


class DocumentAddressee(models.Model):
    """A 主送 or 抄送 unit of the tree (units outside the tree are the ``*_text`` fields)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="addressees")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=4, choices=AddresseeKind.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "主送/抄送机关"
        verbose_name_plural = "主送/抄送机关"
        ordering = ["document_id", "kind", "position"]
        constraints = [models.UniqueConstraint(fields=["document", "unit", "kind"], name="documents_addressee_unique")]

    def __str__(self) -> str:
        return f"{self.document} · {self.get_kind_display()}：{self.unit}"


def attachment_path(instance, filename: str) -> str:
    return f"documents/{instance.document_id}/attachments/{filename}"


class Attachment(models.Model):
    """An attached file (附件). Removing one only hides it, so restoring an older version brings it back."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField("附件名称", max_length=200)
    kind = models.CharField("类型", max_length=8)  # pdf / docx / ofd / png / jpeg / gif / tiff
    size = models.PositiveBigIntegerField("大小")
    sha256 = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField(default=0)
    removed = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["document_id", "position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        from .uploads import KIND_LABELS

        return KIND_LABELS.get(self.kind, self.kind)


class DocumentVersion(models.Model):
    """A full snapshot taken at every save (痕迹保留): who, when, and every field + the body."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="修改人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)
    snapshot = models.JSONField()
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "公文版本"
        verbose_name_plural = "公文版本"
        ordering = ["document_id", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="documents_version_unique")]

    def __str__(self) -> str:
        return f"{self.document} 第{self.number}版"


class UnitTemplate(models.Model):
    """A unit's 发文 template: data the unit's 单位管理员 edits, never code."""

    unit = models.OneToOneField(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="document_template")
    issuer_mark = models.CharField(
        "发文机关标志",
        max_length=60,
        blank=True,
        help_text="如 阳江市人民政府办公室、中共阳江市委办公室；留空用单位全称",
    )
    issuer_mark_suffix = models.CharField(
        "标志后缀", max_length=10, blank=True, default="文件", help_text="通常为“文件”"
    )
    code_override = models.CharField("机关代字", max_length=20, blank=True, help_text="留空使用单位的机关代字")
    letter_code = models.CharField(
        "函的机关代字", max_length=20, blank=True, help_text="函单独编号时填写，如 阳府函；留空与其他公文同一序列"
    )
    default_printer = models.CharField("默认印发机关", max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "发文模板"
        verbose_name_plural = "发文模板"

    def __str__(self) -> str:
        return f"{self.unit} 发文模板"


def template_of(unit: Unit) -> UnitTemplate:
    """The unit's template, or an unsaved default one (the unit's own name and code)."""
    try:
        return unit.document_template
    except UnitTemplate.DoesNotExist:
        return UnitTemplate(unit=unit)


def issuer_mark_of(unit: Unit) -> str:
    return template_of(unit).issuer_mark or unit.name


def number_code_of(unit: Unit, doc_type: str = "") -> str:
    """The 机关代字 numbers are taken under: 函 may have its own (阳府函) and then its own sequence."""
    template = template_of(unit)
    if doc_type == DocType.LETTER and template.letter_code:
        return template.letter_code
    return template.code_override or unit.code


class NumberCounter(models.Model):
    """The last 发文字号 序号 given for one 机关代字 in one year; the row is locked while a number is taken."""

    code = models.CharField("机关代字", max_length=20)
    year = models.PositiveSmallIntegerField("年份")
    last = models.PositiveIntegerField("已用序号", default=0)

    class Meta:
        verbose_name = "发文字号计数器"
        verbose_name_plural = "发文字号计数器"
        constraints = [models.UniqueConstraint(fields=["code", "year"], name="documents_counter_unique")]

    def __str__(self) -> str:
        return f"{self.code}〔{self.year}〕{self.last}号"


from .workflow.models import (  # noqa: E402,F401  (workflow models live in their own module)
    Flow,
    FlowKind,
    FlowNote,
    FlowSetting,
    FlowTask,
    IncomingDocument,
    StepActor,
)
from .workflow.sealed_models import IssuerSeal, SealedDocument  # noqa: E402,F401
