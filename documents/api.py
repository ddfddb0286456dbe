"""REST API for drafts: ``/api/documents/`` (+ ``check/``, ``number/``, ``versions/``, ``restore/``,
``attachments/``, ``import-docx/``).

The same services and permission rules as the pages: a draft of another unit is a 404, a refusal is a 4xx
with a Chinese ``detail`` (see ``oa.core.api``).
"""

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from . import services
from .models import DocType, Document, Publicity, Secrecy, Urgency
from .render import check_with_layout
from .selectors import get_document, get_readable_document, visible_documents


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="规则代码，如 doc_number.form")
    severity = serializers.ChoiceField(choices=["error", "warning"], help_text="error 须修改；warning 建议")
    field = serializers.CharField(help_text="相关字段")
    message_zh = serializers.CharField(help_text="中文说明")


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="按内容识别的类型：pdf/docx/ofd/png/jpeg/gif/tiff")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class DocumentSerializer(serializers.ModelSerializer):
    issuers = serializers.SerializerMethodField(help_text="发文机关（第一个为主办机关）")
    main_units = serializers.SerializerMethodField(help_text="主送机关（单位）")
    cc_units = serializers.SerializerMethodField(help_text="抄送机关（单位）")
    attachments = serializers.SerializerMethodField(help_text="附件")
    format = serializers.CharField(
        read_only=True, help_text="版式：general 通用 / letter 信函 / order 命令 / minutes 纪要"
    )
    version = serializers.SerializerMethodField(help_text="当前版本号")

    class Meta:
        model = Document
        fields = (
            "id",
            "status",
            "doc_type",
            "format",
            "direction",
            "copy_number",
            "secrecy",
            "urgency",
            "issuers",
            "doc_number",
            "signers",
            "title",
            "main_units",
            "main_recipients_text",
            "body",
            "attachment_note",
            "attachments",
            "signature",
            "written_date",
            "note",
            "cc_units",
            "cc_text",
            "printer",
            "print_date",
            "publicity",
            "reply_to",
            "owner_unit",
            "drafter",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_issuers(self, obj) -> list[dict]:
        return [{"id": u.pk, "name": u.name} for u in obj.ordered_issuers()]

    def get_main_units(self, obj) -> list[dict]:
        return [{"id": u.pk, "name": u.name} for u in obj.addressee_units("main")]

    def get_cc_units(self, obj) -> list[dict]:
        return [{"id": u.pk, "name": u.name} for u in obj.addressee_units("cc")]

    def get_attachments(self, obj) -> list[dict]:
        return AttachmentSerializer(obj.active_attachments(), many=True).data

    def get_version(self, obj) -> int | None:
        return obj.versions.order_by("-number").values_list("number", flat=True).first()


class DocumentWriteSerializer(serializers.Serializer):
    """Fields of a draft. All optional on update (PATCH); ``title`` is required on create."""

    doc_type = serializers.ChoiceField(choices=DocType.choices, required=False, help_text="文种（15种）")
    copy_number = serializers.CharField(required=False, allow_blank=True, max_length=6, help_text="份号")
    # Classified values are accepted here so the service can refuse them with the proper explanation.
    secrecy = serializers.ChoiceField(
        choices=Secrecy.choices,
        required=False,
        allow_blank=True,
        help_text="密级：只能为空（非涉密）；涉密公文请在涉密网络办理",
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, allow_blank=True, help_text="紧急程度")
    issuers = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="发文机关单位编号，按顺序，第一个为主办机关"
    )
    signers = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="签发人，以“、”分隔")
    title = serializers.CharField(required=False, allow_blank=True, max_length=300, help_text="标题")
    main_units = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="主送机关单位编号")
    main_recipients_text = serializers.CharField(required=False, allow_blank=True, max_length=500)
    cc_units = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="抄送机关单位编号")
    cc_text = serializers.CharField(required=False, allow_blank=True, max_length=500)
    body = serializers.JSONField(
        required=False,
        help_text='正文段落：[{"kind":"heading1","text":"一、…"}, '
        '{"kind":"paragraph","text":"…"}, {"kind":"table","rows":[[…]]}]',
    )
    attachment_note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    signature = serializers.CharField(required=False, allow_blank=True, max_length=300, trim_whitespace=False)
    written_date = serializers.DateField(required=False, allow_null=True, help_text="成文日期")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, help_text="附注")
    printer = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="印发机关")
    print_date = serializers.DateField(required=False, allow_null=True, help_text="印发日期")
    publicity = serializers.ChoiceField(choices=Publicity.choices, required=False, help_text="公开属性")
    base_version = serializers.IntegerField(
        required=False, write_only=True, help_text="编辑所基于的版本号；他人已保存新版本时拒绝覆盖"
    )


class DocumentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """本单位的公文草稿。"""

    serializer_class = DocumentSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        query = visible_documents(self.request.user).select_related("owner_unit", "drafter")
        if self.request.query_params.get("mine") in ("1", "true"):
            query = query.filter(drafter=self.request.user)
        return query.order_by("-updated_at", "-id")

    def _document(self, perm="documents.view_document") -> Document:
        return get_document(self.request.user, self.kwargs["pk"], perm)

    def retrieve(self, request, pk=None):
        """公文内容：本单位人员，以及能查看其办理流程的人（如联合行文会签单位的领导）。"""
        return Response(DocumentSerializer(get_readable_document(request.user, pk)).data)

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], url_path="preview.pdf")
    def preview_pdf(self, request, pk=None):
        """带查看人水印的版式预览 PDF（与预览页面同一权限）。"""
        from .render import renderer_available
        from .views import preview_bytes

        document = get_readable_document(request.user, pk)
        if not renderer_available():
            return Response({"detail": "排版组件尚未安装，暂时无法预览。"}, status=503)
        pdf, _ = preview_bytes(request.user, document)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(request=DocumentWriteSerializer, responses={201: DocumentSerializer})
    def create(self, request):
        write = DocumentWriteSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        data = dict(write.validated_data)
        data.pop("base_version", None)
        document = services.create_draft(request.user, data)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DocumentWriteSerializer, responses={200: DocumentSerializer})
    def partial_update(self, request, pk=None):
        document = self._document()
        write = DocumentWriteSerializer(data=request.data, partial=True)
        write.is_valid(raise_exception=True)
        data = dict(write.validated_data)
        base = data.pop("base_version", None)
        document, _ = services.update_draft(request.user, document, data, base_version=base)
        document.refresh_from_db()
        return Response(DocumentSerializer(document).data)

    @extend_schema(responses={200: FindingSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def check(self, request, pk=None):
        """格式检查：返回发现的问题（error 须修改，warning 建议）。"""
        findings = check_with_layout(self._document())
        return Response(FindingSerializer(findings, many=True).data)

    @extend_schema(
        request=None, responses={200: inline_serializer("NumberResult", {"doc_number": serializers.CharField()})}
    )
    @action(detail=True, methods=["post"])
    def number(self, request, pk=None):
        """登记编号：按主办机关的机关代字编发文字号（收发员）。"""
        document = self._document()
        return Response({"doc_number": services.assign_number(request.user, document)})

    @extend_schema(
        responses={
            200: inline_serializer(
                "VersionRow",
                {
                    "number": serializers.IntegerField(),
                    "author": serializers.CharField(),
                    "created_at": serializers.DateTimeField(),
                    "note": serializers.CharField(),
                },
                many=True,
            )
        }
    )
    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None):
        """历史版本（每次保存一版）。"""
        document = self._document()
        rows = [
            {"number": v.number, "author": str(v.author), "created_at": v.created_at, "note": v.note}
            for v in document.versions.select_related("author").order_by("number")
        ]
        return Response(rows)

    @extend_schema(
        request=inline_serializer("RestoreRequest", {"version": serializers.IntegerField()}),
        responses={200: DocumentSerializer},
    )
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        """恢复到某个历史版本（恢复本身生成新版本）。"""
        document = self._document()
        services.restore_version(request.user, document, request.data.get("version"))
        document.refresh_from_db()
        return Response(DocumentSerializer(document).data)

    @extend_schema(
        request=inline_serializer("AttachmentUpload", {"file": serializers.FileField()}),
        responses={201: DocumentSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        """上传附件（可多个 file 字段）；按内容检查类型与大小。"""
        document = self._document()
        services.add_attachments(request.user, document, request.FILES.getlist("file"))
        document.refresh_from_db()
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=inline_serializer("DocxImport", {"file": serializers.FileField()}), responses={200: DocumentSerializer}
    )
    @action(detail=True, methods=["post"], url_path="import-docx", parser_classes=[MultiPartParser])
    def import_docx(self, request, pk=None):
        """从 DOCX 导入正文（替换当前正文，生成新版本）。"""
        document = self._document()
        upload = request.FILES.get("file")
        if upload is None:
            from oa.core.errors import ServiceError

            raise ServiceError("请上传 DOCX 文件（字段名 file）。", field="file")
        document, _ = services.update_draft(request.user, document, {}, docx=upload)
        document.refresh_from_db()
        return Response(DocumentSerializer(document).data)


def register(router) -> None:
    router.register("documents", DocumentViewSet, basename="document")
    from .workflow.api import register as register_flows

    register_flows(router)
