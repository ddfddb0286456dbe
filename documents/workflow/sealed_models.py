"""The sealed output of a 发文: the PDF as it stands after the last seal applied so far, and one row per
发文机关 that has sealed it (联合行文: the co-issuers seal one after the other, in issuing order).

Imported at the bottom of ``documents.models`` so the app label is ``documents``.
"""

from django.conf import settings
from django.db import models

from oa.org.models import Unit


def sealed_path(instance, filename: str) -> str:
    return f"documents/{instance.document_id}/sealed/{filename}"


class SealedDocument(models.Model):
    """One per document. ``file`` holds the PDF with every seal applied so far; ``slots`` are the renderer's
    seal positions of the version that was rendered (kept so later co-issuers seal the same file)."""

    document = models.OneToOneField("documents.Document", on_delete=models.CASCADE, related_name="sealed")
    file = models.FileField("用印文件", upload_to=sealed_path, max_length=255, blank=True)
    sha256 = models.CharField("文件摘要", max_length=64, blank=True)
    content_sha256 = models.CharField(max_length=64)
    slots = models.JSONField(default=list)
    issuer_count = models.PositiveSmallIntegerField("发文机关数")
    locked = models.BooleanField("已锁定", default=False)
    completed_at = models.DateTimeField("用印完成时间", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "用印公文"
        verbose_name_plural = "用印公文"

    def __str__(self) -> str:
        return f"{self.document} 用印文件"

    @property
    def complete(self) -> bool:
        return self.completed_at is not None


class IssuerSeal(models.Model):
    """One 发文机关's seal on the document: who applied which seal, at which issuing position."""

    sealed = models.ForeignKey(SealedDocument, on_delete=models.CASCADE, related_name="issuer_seals")
    position = models.PositiveSmallIntegerField("发文机关次序")
    unit = models.ForeignKey(Unit, verbose_name="发文机关", on_delete=models.PROTECT, related_name="+")
    seal = models.ForeignKey("signing.Seal", verbose_name="印章", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用印人", on_delete=models.PROTECT, related_name="+"
    )
    field_name = models.CharField("签名域", max_length=80)
    sha256 = models.CharField("用印后文件摘要", max_length=64)
    sealed_at = models.DateTimeField("用印时间", auto_now_add=True)

    class Meta:
        verbose_name = "发文机关用印"
        verbose_name_plural = "发文机关用印"
        ordering = ["sealed_id", "position"]
        constraints = [models.UniqueConstraint(fields=["sealed", "position"], name="documents_issuer_seal_position")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.seal}"
