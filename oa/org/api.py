"""REST API for units, people and departments (``/api/units/``, ``/api/people/``, ``/api/departments/``).

Reading is open to every signed-in person (the organisation directory); changes go through
``oa.org.services`` and so share their permission checks, validation and audit.  Refusals are 4xx with a
Chinese ``detail`` (see ``oa.core.api``).
"""

from django.db.models import Exists, OuterRef, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from oa import permissions as perms
from oa.org import services, tree
from oa.org.models import Department, Person, RoleAssignment, Unit

# --- serializers ----------------------------------------------------------------------------------------


class UnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ("id", "name", "short_name", "level")
        extra_kwargs = {
            "name": {"help_text": "单位全称"},
            "short_name": {"help_text": "单位简称"},
            "level": {"help_text": "层级：1 省，2 市，3 县(区)，4 镇(街)，5 村(居)"},
        }


class UnitSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True, help_text="层级名称")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True, help_text="单位类型名称")
    has_children = serializers.BooleanField(read_only=True, help_text="是否有下级单位")

    class Meta:
        model = Unit
        fields = (
            "id",
            "name",
            "short_name",
            "code",
            "kind",
            "kind_display",
            "level",
            "level_display",
            "region",
            "fonds_number",
            "parent",
            "path",
            "depth",
            "sort_order",
            "is_active",
            "has_children",
        )
        read_only_fields = fields
        extra_kwargs = {
            "name": {"help_text": "单位全称，如 阳江市人民政府"},
            "short_name": {"help_text": "单位简称"},
            "code": {"help_text": "机关代字，用于发文字号，如 阳府办"},
            "kind": {"help_text": "单位类型"},
            "level": {"help_text": "层级：1 省，2 市，3 县(区)，4 镇(街)，5 村(居)"},
            "region": {"help_text": "行政区划，如 广东省阳江市江城区"},
            "fonds_number": {"help_text": "档案全宗号（全平台唯一）"},
            "parent": {"help_text": "上级单位编号（省级根单位为空）"},
            "path": {"help_text": "物化路径，如 /1/7/42/：祖先单位编号依次排列"},
            "depth": {"help_text": "祖先单位个数（根单位为 0）"},
            "sort_order": {"help_text": "同级排序，小的在前"},
            "is_active": {"help_text": "是否启用（停用的单位保留历史，不再参与业务）"},
        }


class UnitDetailSerializer(UnitSerializer):
    ancestors = serializers.SerializerMethodField(help_text="从根单位到上级单位的隶属链")
    superiors = UnitBriefSerializer(many=True, read_only=True, help_text="双重领导的业务上级单位")

    class Meta(UnitSerializer.Meta):
        fields = (*UnitSerializer.Meta.fields, "ancestors", "superiors")
        read_only_fields = fields

    @extend_schema_field(UnitBriefSerializer(many=True))
    def get_ancestors(self, obj):
        return UnitBriefSerializer(tree.ancestors(obj), many=True).data


class UnitWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="单位全称")
    short_name = serializers.CharField(max_length=40, help_text="单位简称")
    code = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text="机关代字，如 阳府办"
    )
    kind = serializers.ChoiceField(choices=Unit._meta.get_field("kind").choices, help_text="单位类型")
    level = serializers.ChoiceField(choices=Unit._meta.get_field("level").choices, help_text="层级")
    region = serializers.CharField(max_length=100, required=False, allow_blank=True, default="", help_text="行政区划")
    fonds_number = serializers.CharField(max_length=20, help_text="档案全宗号（全平台唯一）")
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        allow_null=True,
        required=False,
        default=None,
        help_text="上级单位编号：同级（如政府与其部门）或高一级；省级根单位留空",
    )
    sort_order = serializers.IntegerField(required=False, default=0, help_text="同级排序")


class UnitUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, help_text="单位全称")
    short_name = serializers.CharField(max_length=40, required=False, help_text="单位简称")
    code = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text="机关代字")
    kind = serializers.ChoiceField(choices=Unit._meta.get_field("kind").choices, required=False, help_text="单位类型")
    level = serializers.ChoiceField(choices=Unit._meta.get_field("level").choices, required=False, help_text="层级")
    region = serializers.CharField(max_length=100, required=False, allow_blank=True, help_text="行政区划")
    fonds_number = serializers.CharField(max_length=20, required=False, help_text="档案全宗号")
    sort_order = serializers.IntegerField(required=False, help_text="同级排序")


class UnitMoveSerializer(serializers.Serializer):
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), allow_null=True, help_text="新的上级单位编号；设为根单位时为 null（仅限省级）"
    )


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ("id", "unit", "name", "parent", "sort_order", "is_active")
        read_only_fields = fields
        extra_kwargs = {
            "unit": {"help_text": "所属单位编号"},
            "name": {"help_text": "内设机构名称，如 办公室"},
            "parent": {"help_text": "上级内设机构编号（科室隶属处室时）"},
            "sort_order": {"help_text": "排序"},
            "is_active": {"help_text": "是否启用"},
        }


class PersonSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True, default="", help_text="所在单位名称")
    department_name = serializers.CharField(
        source="department.name", read_only=True, default="", help_text="所在内设机构名称"
    )

    class Meta:
        model = Person
        fields = (
            "id",
            "username",
            "name",
            "unit",
            "unit_name",
            "department",
            "department_name",
            "title",
            "phone",
            "sort_order",
            "is_active",
        )
        read_only_fields = fields
        extra_kwargs = {
            "username": {"help_text": "登录用户名"},
            "name": {"help_text": "姓名"},
            "unit": {"help_text": "所在单位编号"},
            "department": {"help_text": "所在内设机构编号"},
            "title": {"help_text": "职务"},
            "phone": {"help_text": "电话"},
            "sort_order": {"help_text": "排序"},
            "is_active": {"help_text": "账号是否启用"},
        }


class RoleAssignmentSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True, help_text="角色所在单位名称")
    role_display = serializers.CharField(source="get_role_display", read_only=True, help_text="角色名称")
    leader_kind_display = serializers.CharField(
        source="get_leader_kind_display", read_only=True, help_text="领导类别名称（仅签发人）"
    )

    class Meta:
        model = RoleAssignment
        fields = ("id", "unit", "unit_name", "role", "role_display", "leader_kind", "leader_kind_display", "granted_at")
        read_only_fields = fields
        extra_kwargs = {
            "unit": {"help_text": "角色所在单位编号"},
            "role": {"help_text": "角色"},
            "leader_kind": {"help_text": "领导类别：主要负责人或分管领导（仅签发人）"},
            "granted_at": {"help_text": "授予时间"},
        }


# --- views ----------------------------------------------------------------------------------------------


class CanViewDirectory(BasePermission):
    message = "请先登录，且账号处于启用状态。"

    def has_permission(self, request, view):
        return perms.can(request.user, "org.view_unit")


def _flag(value: str | None) -> bool | None:
    if value in (None, ""):
        return None
    return value.lower() in ("1", "true", "yes")


def _int(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError as exc:
        raise serializers.ValidationError({name: f"“{value}”不是有效的编号。"}) from exc


def units_with_children_flag(qs):
    return qs.annotate(has_children=Exists(Unit.objects.filter(parent=OuterRef("pk"))))


UNIT_FILTERS = [
    OpenApiParameter("level", OpenApiTypes.INT, description="按层级筛选：1 省，2 市，3 县(区)，4 镇(街)，5 村(居)"),
    OpenApiParameter("kind", OpenApiTypes.STR, description="按单位类型筛选，如 government、gov_department"),
    OpenApiParameter("parent", OpenApiTypes.STR, description="上级单位编号；root 表示只列根单位"),
    OpenApiParameter("q", OpenApiTypes.STR, description="按名称、简称或机关代字搜索"),
    OpenApiParameter("active", OpenApiTypes.BOOL, description="true 只列启用的单位，false 只列停用的单位"),
]


@extend_schema_view(
    list=extend_schema(summary="单位列表", parameters=UNIT_FILTERS),
    retrieve=extend_schema(summary="单位详情", responses=UnitDetailSerializer),
    create=extend_schema(summary="新建单位", request=UnitWriteSerializer, responses={201: UnitDetailSerializer}),
    partial_update=extend_schema(summary="修改单位信息", request=UnitUpdateSerializer, responses=UnitDetailSerializer),
)
class UnitViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """五级单位：列表、详情、下级单位，以及通过业务服务新建、修改、调整隶属关系、停用和启用。"""

    permission_classes = [CanViewDirectory]
    serializer_class = UnitSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        qs = units_with_children_flag(Unit.objects.all()).order_by("path")
        if self.action == "retrieve":
            qs = qs.prefetch_related("superiors")
        if self.action != "list":
            return qs
        params = self.request.query_params
        level = _int(params.get("level"), "level")
        if level is not None:
            qs = qs.filter(level=level)
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        parent = params.get("parent")
        if parent == "root":
            qs = qs.filter(parent__isnull=True)
        elif parent:
            qs = qs.filter(parent_id=_int(parent, "parent"))
        q = (params.get("q") or "").strip()
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__icontains=q))
        active = _flag(params.get("active"))
        if active is not None:
            qs = qs.filter(is_active=active)
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return UnitDetailSerializer
        return super().get_serializer_class()

    def _detail(self, unit: Unit, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=unit.pk)
        return Response(UnitDetailSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    def _validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        data = self._validated(UnitWriteSerializer)
        unit = services.create_unit(request.user, **data)
        return self._detail(unit, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        unit = self.get_object()
        changes = self._validated(UnitUpdateSerializer)
        unit = services.update_unit(request.user, unit, **changes)
        return self._detail(unit)

    @extend_schema(summary="下级单位", parameters=[UNIT_FILTERS[-1]], responses=UnitSerializer(many=True))
    @action(detail=True, methods=["get"])
    def children(self, request, pk=None):
        unit = self.get_object()
        qs = units_with_children_flag(unit.children.all()).order_by("sort_order", "pk")
        active = _flag(request.query_params.get("active"))
        if active is not None:
            qs = qs.filter(is_active=active)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(UnitSerializer(page, many=True).data)

    @extend_schema(summary="调整隶属关系", request=UnitMoveSerializer, responses=UnitDetailSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        unit = self.get_object()
        data = self._validated(UnitMoveSerializer)
        return self._detail(services.move_unit(request.user, unit, data["parent"]))

    @extend_schema(summary="停用单位", request=None, responses=UnitDetailSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        return self._detail(services.deactivate_unit(request.user, self.get_object()))

    @extend_schema(summary="启用单位", request=None, responses=UnitDetailSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        return self._detail(services.reactivate_unit(request.user, self.get_object()))


PERSON_FILTERS = [
    OpenApiParameter("unit", OpenApiTypes.INT, description="所在单位编号"),
    OpenApiParameter("department", OpenApiTypes.INT, description="所在内设机构编号"),
    OpenApiParameter("q", OpenApiTypes.STR, description="按姓名、用户名或职务搜索"),
    OpenApiParameter("active", OpenApiTypes.BOOL, description="true 只列启用的账号（默认全部）"),
]


@extend_schema_view(
    list=extend_schema(summary="人员列表", parameters=PERSON_FILTERS),
    retrieve=extend_schema(summary="人员详情"),
)
class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """人员通讯录：所在单位、内设机构、职务和角色。"""

    permission_classes = [CanViewDirectory]
    serializer_class = PersonSerializer

    def get_queryset(self):
        qs = Person.objects.select_related("unit", "department").order_by("unit__path", "sort_order", "pk")
        if self.action != "list":
            return qs
        params = self.request.query_params
        unit = _int(params.get("unit"), "unit")
        if unit is not None:
            qs = qs.filter(unit_id=unit)
        department = _int(params.get("department"), "department")
        if department is not None:
            qs = qs.filter(department_id=department)
        q = (params.get("q") or "").strip()
        if q:
            qs = qs.filter(Q(name__icontains=q) | Q(username__icontains=q) | Q(title__icontains=q))
        active = _flag(params.get("active"))
        if active is not None:
            qs = qs.filter(is_active=active)
        return qs

    @extend_schema(summary="人员的角色", responses=RoleAssignmentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def roles(self, request, pk=None):
        person = self.get_object()
        roles = person.role_assignments.select_related("unit").order_by("unit__path", "role")
        return Response(RoleAssignmentSerializer(roles, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="内设机构列表",
        parameters=[OpenApiParameter("unit", OpenApiTypes.INT, description="所属单位编号")],
    ),
    retrieve=extend_schema(summary="内设机构详情"),
)
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """单位的内设机构（办公室、秘书科……）。"""

    permission_classes = [CanViewDirectory]
    serializer_class = DepartmentSerializer

    def get_queryset(self):
        qs = Department.objects.order_by("unit_id", "sort_order", "pk")
        unit = _int(self.request.query_params.get("unit"), "unit") if self.action == "list" else None
        return qs.filter(unit_id=unit) if unit is not None else qs


def register(router):
    router.register("units", UnitViewSet, basename="unit")
    router.register("people", PersonViewSet, basename="person")
    router.register("departments", DepartmentViewSet, basename="department")
