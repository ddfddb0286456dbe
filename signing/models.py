"""Certificates, the seal registry (电子印章), and the 用印登记 log.

``signing`` seals any PDF at given positions; it knows nothing of 公文. What was sealed is recorded as an
opaque ``purpose_ref`` chosen by the caller (``"documents.document:42"``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class CertKind(models.TextChoices):
    ROOT_CA = "root_ca", "根证书"
    ISSUING_CA = "issuing_ca", "签发机构证书"
    SEAL = "seal", "印章证书"
    PERSONAL = "personal", "个人签名证书"
    TSA = "tsa", "时间戳证书"
    EXTERNAL_CA = "external_ca", "外部机构证书"


class CertSource(models.TextChoices):
    INTERNAL = "internal", "内部证书机构签发"
    PKCS12 = "pkcs12", "导入（PKCS#12）"


class Certificate(models.Model):
    """An X.509 certificate, with its private key encrypted at rest (``signing.keystore``) when we hold it."""

    kind = models.CharField("类型", max_length=16, choices=CertKind.choices)
    source = models.CharField("来源", max_length=10, choices=CertSource.choices, default=CertSource.INTERNAL)
    subject = models.CharField("主题", max_length=300)
    issuer_name = models.CharField("颁发者", max_length=300)
    issuer = models.ForeignKey(
        "self", verbose_name="颁发证书", null=True, blank=True, on_delete=models.PROTECT, related_name="issued"
    )
    serial = models.CharField("序列号", max_length=64)
    fingerprint = models.CharField("SHA-256 指纹", max_length=64, unique=True)
    not_before = models.DateTimeField("生效时间")
    not_after = models.DateTimeField("到期时间")
    der = models.BinaryField("证书（DER）")
    encrypted_key = models.BinaryField("私钥（加密）", null=True, blank=True, editable=False)
    is_trust_anchor = models.BooleanField("受信任的根", default=False)
    unit = models.ForeignKey(
        "org.Unit", verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="持有人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="signing_certificates",
    )
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revocation_reason = models.CharField("吊销原因", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "证书"
        verbose_name_plural = "证书"
        ordering = ["kind", "id"]
        indexes = [models.Index(fields=["kind", "unit"]), models.Index(fields=["kind", "person"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.subject}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def has_key(self) -> bool:
        return bool(self.encrypted_key)


class RevocationList(models.Model):
    """A CRL published by one of our issuing CAs; the newest per issuer is the one in force."""

    issuer = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="crls")
    number = models.PositiveIntegerField("编号")
    this_update = models.DateTimeField("发布时间")
    next_update = models.DateTimeField("下次更新")
    der = models.BinaryField("CRL（DER）")

    class Meta:
        verbose_name = "证书吊销列表"
        verbose_name_plural = "证书吊销列表"
        ordering = ["issuer_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["issuer", "number"], name="signing_crl_unique_number")]

    def __str__(self) -> str:
        return f"CRL #{self.number}（{self.issuer.subject}）"


class SealKind(models.TextChoices):
    OFFICIAL = "official", "公章"
    SPECIAL = "special", "专用章"


class ImageSource(models.TextChoices):
    GENERATED = "generated", "系统生成"
    UPLOADED = "uploaded", "上传图片"


class Seal(models.Model):
    """An electronic seal of a unit: its certificate, its image and who keeps it."""

    unit = models.ForeignKey("org.Unit", verbose_name="单位", on_delete=models.PROTECT, related_name="seals")
    kind = models.CharField("类型", max_length=10, choices=SealKind.choices, default=SealKind.OFFICIAL)
    name = models.CharField("印章名称", max_length=100, help_text="如 阳江市人民政府（公章）")
    special_name = models.CharField("专用章名称", max_length=20, blank=True, help_text="印在五角星下方，如 合同专用章")
    certificate = models.ForeignKey(
        Certificate, verbose_name="印章证书", on_delete=models.PROTECT, related_name="seals"
    )
    diameter_mm = models.DecimalField("直径（毫米）", max_digits=4, decimal_places=1, default=42)
    image_source = models.CharField("图样来源", max_length=10, choices=ImageSource.choices)
    # Vector drawing of the generated seal in a 1000×1000 box (PDF content operators): the PDF stamp.
    vector_ops = models.TextField("矢量图样", blank=True, editable=False)
    image_png = models.BinaryField("图样（PNG）", editable=False)
    custodians = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="印章管理员", blank=True, related_name="kept_seals"
    )
    is_active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "电子印章"
        verbose_name_plural = "电子印章"
        ordering = ["unit_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(kind="official", is_active=True), name="signing_one_active_official_seal"
            )
        ]

    def __str__(self) -> str:
        return self.name


class UseKind(models.TextChoices):
    SEAL = "seal", "用印"
    PERSONAL = "personal", "个人签名"


class SealUse(models.Model):
    """用印登记: one row per seal applied (and per personal signature): who, what, when, approved by whom."""

    kind = models.CharField("类型", max_length=10, choices=UseKind.choices, default=UseKind.SEAL)
    seal = models.ForeignKey(
        Seal, verbose_name="印章", null=True, blank=True, on_delete=models.PROTECT, related_name="uses"
    )
    certificate = models.ForeignKey(Certificate, verbose_name="证书", on_delete=models.PROTECT, related_name="uses")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用印人", on_delete=models.PROTECT, related_name="seal_uses"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="approved_seal_uses",
    )
    purpose_ref = models.CharField("用印对象", max_length=120, db_index=True, help_text="如 documents.document:42")
    reason = models.CharField("事由", max_length=200, blank=True)
    page = models.PositiveIntegerField("页码")
    x_mm = models.DecimalField(max_digits=6, decimal_places=2)
    y_mm = models.DecimalField(max_digits=6, decimal_places=2)
    field_name = models.CharField("签名域", max_length=80)
    order = models.PositiveSmallIntegerField("次序", default=1)
    result_sha256 = models.CharField("用印后文件摘要", max_length=64)
    created_at = models.DateTimeField("用印时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "用印登记"
        verbose_name_plural = "用印登记"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        what = self.seal.name if self.seal_id else self.certificate.subject
        return f"{what} · {self.purpose_ref}"
