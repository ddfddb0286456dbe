"""档案 (DA/T 22-2015 归档文件): one ``ArchiveItem`` per finished document filed in a unit's 全宗, with its frozen
files (``ArchiveFile``) and a 件号 counter per (全宗号, 年度, 保管期限, 机构代码).

Archived rows never change. A mistake in the 档号 or the descriptive metadata is put right by an
``ArchiveCorrection`` (更正记录): appended by the 档案员, never changing the item or its frozen files, itself
immutable and hash-chained per item.

Archived rows never change. Three layers keep it so: the models and their managers refuse updates and
deletes, database triggers (migration 0002, ``documents.archive.dbguard``) refuse them for any SQL client,
and the services refuse edit requests and record the attempt in the audit trail (``archive.change_refused``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from oa.core.errors import ServiceError
from oa.org.models import Unit

CATEGORY_CODE = "WS"  # 门类代码: 文书


class Retention(models.TextChoices):
    """保管期限 with their DA/T 22-2015 codes."""

    PERMANENT = "Y", "永久"
    D30 = "D30", "30年"
    D10 = "D10", "10年"


class FileKind(models.TextChoices):
    SEALED_PDF = "sealed_pdf", "正式文件"
    ATTACHMENT = "attachment", "附件"
    SHEET = "sheet", "处理笺或稿纸"
    METADATA = "metadata", "元数据"
    SIGNED_SHEET = "signed_sheet", "签发稿纸（电子签名）"
    RECEIPT = "receipt", "签收回执"
    DONE_RECEIPT = "done_receipt", "办结回执"
    PACKAGE = "package", "交换包原件"


class ArchiveImmutableError(ServiceError):
    """An archived item or file was to be changed or deleted."""

    status_code = 409


IMMUTABLE_MESSAGE = "已归档的档案不能修改或删除。"


def format_archive_code(fonds_code: str, year: int, retention: str, org_code: str, piece_number: int) -> str:
    """档号 = 全宗号-门类代码·年度-保管期限代码-机构(问题)代码-件号, e.g. ``Z109-WS·2021-Y-BGS-0001``."""
    return f"{fonds_code}-{CATEGORY_CODE}·{year}-{retention}-{org_code}-{piece_number:04d}"


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ArchiveImmutableError(IMMUTABLE_MESSAGE)

    def delete(self):
        raise ArchiveImmutableError(IMMUTABLE_MESSAGE)

    def bulk_update(self, *args, **kwargs):
        raise ArchiveImmutableError(IMMUTABLE_MESSAGE)


class ImmutableModel(models.Model):
    """Rows are written once (insert) and never again."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ArchiveImmutableError(IMMUTABLE_MESSAGE)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ArchiveImmutableError(IMMUTABLE_MESSAGE)


class PieceCounter(models.Model):
    """The last 件号 given in one 归档 group; the row is locked while a number is taken."""

    fonds_code = models.CharField("全宗号", max_length=20)
    year = models.PositiveSmallIntegerField("年度")
    retention = models.CharField("保管期限", max_length=3, choices=Retention.choices)
    org_code = models.CharField("机构代码", max_length=10)
    last = models.PositiveIntegerField("已用件号", default=0)

    class Meta:
        verbose_name = "件号计数器"
        verbose_name_plural = "件号计数器"
        constraints = [
            models.UniqueConstraint(
                fields=["fonds_code", "year", "retention", "org_code"], name="archive_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.fonds_code}-{self.year}-{self.retention}-{self.org_code}: {self.last}"


class ArchiveItem(ImmutableModel):
    """One 归档文件 (件) of a unit's 全宗: a sent ``document`` or a received ``incoming`` — exactly one."""

    unit = models.ForeignKey(Unit, verbose_name="立档单位", on_delete=models.PROTECT, related_name="archive_items")
    document = models.ForeignKey(
        "documents.Document",
        verbose_name="发文",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="archive_items",
    )
    incoming = models.ForeignKey(
        "documents.IncomingDocument",
        verbose_name="收文",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="archive_items",
    )
    fonds_code = models.CharField("全宗号", max_length=20)
    year = models.PositiveSmallIntegerField("年度")
    retention = models.CharField("保管期限", max_length=3, choices=Retention.choices)
    org_code = models.CharField("机构代码", max_length=10)
    piece_number = models.PositiveIntegerField("件号")
    archive_code = models.CharField("档号", max_length=60, unique=True)
    title = models.CharField("题名", max_length=300)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    doc_type = models.CharField("文种", max_length=4, blank=True)
    issuer_name = models.CharField("责任者", max_length=200, blank=True)
    written_date = models.DateField("成文日期", null=True, blank=True)
    metadata = models.JSONField("元数据", default=dict)
    manifest = models.JSONField("文件清单", default=dict)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="归档人", on_delete=models.PROTECT, related_name="+"
    )
    archived_at = models.DateTimeField("归档时间")

    class Meta:
        verbose_name = "归档文件"
        verbose_name_plural = "归档文件"
        ordering = ["-year", "retention", "org_code", "piece_number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(document__isnull=False, incoming__isnull=True)
                | Q(document__isnull=True, incoming__isnull=False),
                name="archive_item_one_source",
            ),
            models.UniqueConstraint(
                fields=["unit", "document"], condition=Q(document__isnull=False), name="archive_item_unique_document"
            ),
            models.UniqueConstraint(
                fields=["unit", "incoming"], condition=Q(incoming__isnull=False), name="archive_item_unique_incoming"
            ),
            models.UniqueConstraint(
                fields=["fonds_code", "year", "retention", "org_code", "piece_number"], name="archive_item_piece_unique"
            ),
        ]
        indexes = [models.Index(fields=["unit", "year", "retention"])]

    def __str__(self) -> str:
        return f"{self.archive_code} {self.title}"

    @property
    def source_kind(self) -> str:
        return "发文" if self.document_id else "收文"


def archive_file_path(instance, filename: str) -> str:
    return f"archive/{instance.item.fonds_code}/{instance.item.year}/{filename}"


class ArchiveFile(ImmutableModel):
    item = models.ForeignKey(ArchiveItem, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField("类型", max_length=16, choices=FileKind.choices)
    name = models.CharField("文件名", max_length=255)
    file = models.FileField(upload_to=archive_file_path, max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("大小")

    class Meta:
        verbose_name = "归档文件组件"
        verbose_name_plural = "归档文件组件"
        ordering = ["item_id", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "name"], name="archive_file_unique_name")]

    def __str__(self) -> str:
        return f"{self.item.archive_code} · {self.name}"


class CorrectableField(models.TextChoices):
    """What a 更正记录 may correct: the 档号 and the item's descriptive metadata (never a frozen file)."""

    ARCHIVE_CODE = "archive_code", "档号"
    TITLE = "title", "题名"
    DOC_NUMBER = "doc_number", "文号"
    DOC_TYPE = "doc_type", "文种"
    ISSUER_NAME = "issuer_name", "责任者"
    WRITTEN_DATE = "written_date", "成文日期"


class ArchiveCorrection(ImmutableModel):
    """更正记录: the 档案员 recorded that ``field`` of ``item`` reads ``new_value`` instead of ``old_value``.
    Append-only; ``hash = sha256(prev_hash + canonical fields)`` chains the records of one item so that
    ``verify_archive`` notices a record changed or removed behind the database triggers."""

    item = models.ForeignKey(ArchiveItem, on_delete=models.PROTECT, related_name="corrections")
    seq = models.PositiveIntegerField("序号")
    field = models.CharField("更正项", max_length=20, choices=CorrectableField.choices)
    old_value = models.CharField("原值", max_length=300, blank=True)
    new_value = models.CharField("更正为", max_length=300)
    reason = models.CharField("更正原因", max_length=500)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="更正人", on_delete=models.PROTECT, related_name="+"
    )
    corrected_by_name = models.CharField("更正人姓名", max_length=80)
    corrected_at = models.DateTimeField("更正时间")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "档案更正记录"
        verbose_name_plural = "档案更正记录"
        ordering = ["item_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["item", "seq"], name="archive_correction_unique_seq")]

    def __str__(self) -> str:
        return f"{self.item_id} #{self.seq} {self.get_field_display()}"


def supplement_file_path(instance, filename: str) -> str:
    return f"archive/{instance.item.fonds_code}/{instance.item.year}/supplements/{filename}"


class ArchiveSupplement(ImmutableModel):
    """补充证据: a 回执 of a recipient that came back after the sent document was archived (签收 or 办结 later),
    appended to the item instead of changing it. Append-only; hash-chained per item like the 更正记录
    (``documents.archive.chain``), the file's SHA-256 inside the chained values."""

    item = models.ForeignKey(ArchiveItem, on_delete=models.PROTECT, related_name="supplements")
    seq = models.PositiveIntegerField("序号")
    kind = models.CharField("类型", max_length=16, choices=FileKind.choices)
    delivery_ref = models.PositiveBigIntegerField("交换投递")
    recipient_name = models.CharField("收文单位", max_length=200)
    person_name = models.CharField("签收/办结人", max_length=80)
    event_at = models.DateTimeField("签收/办结时间")
    name = models.CharField("文件名", max_length=255)
    file = models.FileField(upload_to=supplement_file_path, max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("大小")
    recorded_at = models.DateTimeField("追加时间")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "档案补充证据"
        verbose_name_plural = "档案补充证据"
        ordering = ["item_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["item", "seq"], name="archive_supplement_unique_seq"),
            models.UniqueConstraint(fields=["item", "name"], name="archive_supplement_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} #{self.seq} {self.name}"
