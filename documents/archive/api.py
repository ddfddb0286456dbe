"""/api/archive/items/: the archive the signed-in person may read (their units' 档案员 and leaders), 归档 by
POST, the export zip, 更正记录 (GET/POST …/corrections/, 档案员 only), and — for every PUT/PATCH/DELETE —
an audited refusal (409). Same services as the pages;
another unit's item is a 404."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from documents.models import Document, IncomingDocument
from oa.core.errors import NotFoundError, PermissionDeniedError, ServiceError

from . import corrections, evidence, services
from .models import ArchiveItem, CorrectableField, Retention


class ArchiveItemSerializer(serializers.ModelSerializer):
    retention_label = serializers.CharField(source="get_retention_display", read_only=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = ArchiveItem
        fields = [
            "id",
            "archive_code",
            "unit",
            "document",
            "incoming",
            "fonds_code",
            "year",
            "retention",
            "retention_label",
            "org_code",
            "piece_number",
            "title",
            "doc_number",
            "doc_type",
            "issuer_name",
            "written_date",
            "archived_by",
            "archived_at",
            "manifest",
            "files",
        ]
        read_only_fields = fields

    def get_files(self, item) -> list[dict]:
        return [{"name": f.name, "kind": f.kind, "sha256": f.sha256, "size": f.size} for f in item.files.all()]


class ArchiveItemDetailSerializer(ArchiveItemSerializer):
    current = serializers.SerializerMethodField()
    corrections = serializers.SerializerMethodField()

    class Meta(ArchiveItemSerializer.Meta):
        fields = [*ArchiveItemSerializer.Meta.fields, "metadata", "current", "corrections"]
        read_only_fields = fields

    def get_current(self, item) -> dict:
        return corrections.current_values(item)

    def get_corrections(self, item) -> list[dict]:
        return corrections.records(item)


class CorrectionRequestSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=CorrectableField.choices)
    new_value = serializers.CharField(allow_blank=True, max_length=300)
    reason = serializers.CharField(allow_blank=True, required=False, default="", max_length=500)


class ArchiveRequestSerializer(serializers.Serializer):
    document = serializers.IntegerField(required=False)
    incoming = serializers.IntegerField(required=False)
    retention = serializers.ChoiceField(choices=Retention.choices)
    org_code = serializers.CharField(required=False, allow_blank=True, max_length=10)


class ArchiveItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """归档文件（本单位档案员和单位领导可见）。"""

    serializer_class = ArchiveItemSerializer

    def get_queryset(self):
        params = self.request.query_params
        year = params.get("year", "")
        return services.items_for(
            self.request.user, year=int(year) if year.isdigit() else None, retention=params.get("retention") or None
        ).prefetch_related("files")

    def get_serializer_class(self):
        return ArchiveItemDetailSerializer if self.action == "retrieve" else ArchiveItemSerializer

    def _item(self, pk) -> ArchiveItem:
        return services.get_item(self.request.user, pk)

    @extend_schema(
        parameters=[OpenApiParameter("year", int), OpenApiParameter("retention", str, enum=Retention.values)]
    )
    def list(self, request, *args, **kwargs):
        if not services.viewable_unit_ids(request.user):
            raise PermissionDeniedError(services.VIEW_DENIED)
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        return Response(ArchiveItemDetailSerializer(self._item(pk)).data)

    @extend_schema(request=ArchiveRequestSerializer, responses={201: ArchiveItemDetailSerializer})
    def create(self, request):
        data = ArchiveRequestSerializer(data=request.data)
        if not data.is_valid():
            raise ServiceError("归档参数不正确：请给出 document 或 incoming，以及保管期限 Y / D30 / D10。")
        values = data.validated_data
        source = {}
        if values.get("document") is not None:
            source["document"] = Document.objects.filter(pk=values["document"]).first()
        if values.get("incoming") is not None:
            source["incoming"] = IncomingDocument.objects.filter(pk=values["incoming"]).first()
        if len(source) != 1 or None in source.values():
            raise NotFoundError("没有找到要归档的公文（document 与 incoming 须且只须给出一个）。")
        item = services.archive(
            request.user, retention=values["retention"], org_code=values.get("org_code") or None, **source
        )
        return Response(ArchiveItemDetailSerializer(item).data, status=201)

    @extend_schema(request=None, responses={409: None})
    def update(self, request, pk=None):
        services.refuse_change(request.user, self._item(pk), "修改")

    @extend_schema(request=None, responses={409: None})
    def partial_update(self, request, pk=None):
        services.refuse_change(request.user, self._item(pk), "修改")

    @extend_schema(request=None, responses={409: None})
    def destroy(self, request, pk=None):
        services.refuse_change(request.user, self._item(pk), "删除")

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        item = self._item(pk)
        response = HttpResponse(services.export(request.user, item), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="archive-{item.pk}.zip"'
        return response

    @extend_schema(request=CorrectionRequestSerializer, responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get", "post"])
    def corrections(self, request, pk=None):
        """更正记录: GET lists them; POST records one (the unit's 档案员 only; the item itself never changes)."""
        return _corrections_action(self, request, pk)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def verify(self, request, pk=None):
        result = services.verify(self._item(pk))
        return Response({"ok": result.ok, "checked": result.checked, "files": result.files, "summary": result.summary})

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def receipts(self, request, pk=None):
        """各收文单位的回执（签收、办结；归档后追加的为补充证据）及签名验证结果，和发文的分发回执汇总。"""
        item = self._item(pk)
        rows = evidence.receipt_rows(item, services.verify(item))
        for row in rows:
            row["download"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{row['ref']}/")
        return Response({"deliveries": item.metadata.get(evidence.SUMMARY_KEY, []), "receipts": rows})

    @extend_schema(
        operation_id="archive_items_receipt_file", responses={(200, "application/octet-stream"): OpenApiTypes.BINARY}
    )
    @action(detail=True, methods=["get"], url_path=r"receipts/(?P<ref>[fs][0-9]+)")
    def receipt_file(self, request, pk=None, ref=None):
        name, data = services.evidence_file(request.user, self._item(pk), ref)
        from .views import _attachment

        return _attachment(data, name)


def register(router) -> None:
    router.register("archive/items", ArchiveItemViewSet, basename="archive-item")


def _corrections_action(viewset, request, pk):
    item = viewset._item(pk)
    if request.method == "GET":
        return Response(corrections.records(item))
    data = CorrectionRequestSerializer(data=request.data)
    if not data.is_valid():
        raise ServiceError(
            "更正参数不正确：请给出 field（archive_code/title/doc_number/doc_type/issuer_name/"
            "written_date）、new_value 和 reason。"
        )
    corrections.correct(request.user, item, **data.validated_data)
    return Response(corrections.records(item)[-1], status=201)
