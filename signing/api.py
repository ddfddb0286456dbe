"""REST API: ``POST /api/signing/verify/`` (验章, open to everyone, like the page), the seal registry
(``/api/signing/seals/``) and the 用印登记 (``/api/signing/uses/``), both read-only and scoped by the same
rules as the pages."""

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from signing import conf, views
from signing.models import Seal, SealUse
from signing.verify import VerificationInputError, verify_pdf


class VerifyRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="要验证的 PDF 文件")
    expected_seals = serializers.IntegerField(
        required=False, min_value=1, max_value=20, help_text="应有印章数（发文机关数），可选"
    )


class VerifyViewSet(viewsets.ViewSet):
    """验章. Errors have a stable ``code``: file_empty, file_too_large, file_not_pdf, file_encrypted,
    file_malformed, bad_expected_seals, rate_limited. A report has ``verdict`` (ok / tampered / untrusted /
    missing) and per-signature ``problems`` with stable codes (see ``signing.verify.PROBLEMS``)."""

    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": VerifyRequestSerializer}, responses={200: OpenApiTypes.OBJECT})
    def create(self, request):
        try:
            if views.anonymous_rate_limited(request):
                raise VerificationInputError("rate_limited", "验章请求过于频繁，请稍后再试或登录后使用。")
            upload = request.FILES.get("file")
            expected = views.parse_expected(str(request.data.get("expected_seals", "") or ""))
            if upload is None:
                raise VerificationInputError("file_empty", "请选择要验证的 PDF 文件。")
            if upload.size > conf.verify_max_bytes():
                raise VerificationInputError("file_too_large", "文件太大。")
            report = verify_pdf(upload.read(), expected_seals=expected)
        except VerificationInputError as exc:
            code = status.HTTP_429_TOO_MANY_REQUESTS if exc.code == "rate_limited" else status.HTTP_400_BAD_REQUEST
            return Response({"detail": exc.message, "code": exc.code}, status=code)
        return Response(report.as_dict())


class SealSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    certificate_subject = serializers.CharField(source="certificate.subject", read_only=True)
    certificate_revoked = serializers.BooleanField(source="certificate.is_revoked", read_only=True)
    custodians = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Seal
        fields = ("id", "unit", "unit_name", "kind", "kind_display", "name", "special_name", "diameter_mm",
                  "image_source", "is_active", "custodians", "certificate_subject", "certificate_revoked")  # fmt: skip
        read_only_fields = fields


class SealViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SealSerializer
    queryset = Seal.objects.none()

    def get_queryset(self):
        return views.visible_seals(self.request.user).prefetch_related("custodians").order_by("unit_id", "id")


class SealUseSerializer(serializers.ModelSerializer):
    seal_name = serializers.CharField(source="seal.name", read_only=True, default="")
    actor_name = serializers.CharField(source="actor.get_full_name", read_only=True)

    class Meta:
        model = SealUse
        fields = ("id", "kind", "seal", "seal_name", "actor", "actor_name", "approved_by", "purpose_ref", "reason",
                  "page", "field_name", "order", "result_sha256", "created_at")  # fmt: skip
        read_only_fields = fields


class SealUseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = SealUseSerializer
    queryset = SealUse.objects.none()

    def get_queryset(self):
        return views.visible_uses(self.request.user).order_by("-created_at", "-id")


def register(router) -> None:
    router.register("signing/verify", VerifyViewSet, basename="signing-verify")
    router.register("signing/seals", SealViewSet, basename="signing-seal")
    router.register("signing/uses", SealUseViewSet, basename="signing-use")
