"""/api/search/: the same search as the pages (same service, same permission, same visibility)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from . import services


class HitSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="条目：doc:<公文 id>（草稿/发文）、in:<收文 id>、arc:<档案 id>")
    entry = serializers.CharField(help_text="doc / in / arc")
    id = serializers.IntegerField(help_text="条目所指对象的 id（公文、收文或档案，见 entry）")
    title = serializers.CharField()
    title_html = serializers.CharField(help_text="标题，命中词以 <mark> 标出（已转义）")
    snippet_html = serializers.CharField(help_text="正文摘要，命中词以 <mark> 标出（已转义）")
    snippet_from = serializers.CharField(help_text="摘要出处：空为正文，否则如 附件《名单.docx》")
    archive_code = serializers.CharField(help_text="档号（归档文件）")
    url = serializers.CharField(help_text="条目页面")
    preview_url = serializers.CharField(help_text="预览页面")
    doc_number = serializers.CharField()
    doc_type = serializers.CharField()
    status = serializers.CharField()
    box = serializers.CharField()
    retention = serializers.CharField()
    issuer_names = serializers.ListField(child=serializers.CharField())
    year = serializers.IntegerField()
    date = serializers.CharField()
    score = serializers.FloatField()


class FacetItemSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class ResultSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    pages = serializers.IntegerField()
    hits = HitSerializer(many=True)
    facets = serializers.DictField(child=FacetItemSerializer(many=True))


PARAMS = [
    OpenApiParameter("q", str, description='检索词：空格为“与”，OR 为“或”，"…" 为短语，-词 为排除；可直接输入发文字号'),
    OpenApiParameter("doc_type", str, many=True, description="文种（可多选）"),
    OpenApiParameter("issuer", int, many=True, description="发文机关（单位 id，可多选）"),
    OpenApiParameter("status", str, many=True),
    OpenApiParameter("box", str, many=True, description="draft / sent / received / archived"),
    OpenApiParameter("retention", str, many=True, description="保管期限"),
    OpenApiParameter("doc_number", str, description="发文字号（精确，任意写法：阳府办〔2021〕7号、阳府办2021-7）"),
    OpenApiParameter("year_from", int),
    OpenApiParameter("year_to", int),
    OpenApiParameter("date_from", str, description="YYYY-MM-DD"),
    OpenApiParameter("date_to", str, description="YYYY-MM-DD"),
    OpenApiParameter("sort", str, enum=["relevance", "date_desc", "date_asc"]),
    OpenApiParameter("page", int),
    OpenApiParameter("page_size", int),
]


class SearchViewSet(viewsets.ViewSet):
    """公文全文检索：只返回当前用户有权查看的公文，计数与分面同样只统计可见公文。"""

    @extend_schema(parameters=PARAMS, responses=ResultSerializer)
    def list(self, request):
        result = services.search(request.user, request.query_params)
        data = {
            "total": result.total,
            "page": result.page,
            "page_size": result.page_size,
            "pages": result.pages,
            "hits": [vars(h) for h in result.hits],
            "facets": result.facets,
        }
        return Response(ResultSerializer(data).data)


def register(router) -> None:
    router.register("search", SearchViewSet, basename="search")
