"""/api/supervision/items/: the same services and permission rules as the pages (an item one may not see is
404; an action one may not take is 403; a refused transition is 400 with a Chinese message)."""

from django.http import Http404
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from oa.core.errors import NotFoundError, ServiceError
from oa.org.models import Person, Unit
from oa.supervision import selectors, services
from oa.supervision.models import Item, SourceKind


class ItemSerializer(serializers.ModelSerializer):
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    warning = serializers.CharField(read_only=True, default="", help_text="三色预警：blue / yellow / red 或空")

    class Meta:
        model = Item
        fields = [
            "id",
            "title",
            "instruction",
            "source_kind",
            "source_ref",
            "source_url",
            "raising_unit",
            "supervisor",
            "leader",
            "lead_unit",
            "lead_unit_name",
            "deadline",
            "status",
            "status_label",
            "warning",
            "progress_percent",
            "next_report_due",
            "completed_on",
            "closed_at",
            "created_at",
        ]
        read_only_fields = fields


class MilestoneInput(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    due_date = serializers.DateField()


class RaiseInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    instruction = serializers.CharField(max_length=5000)
    source_kind = serializers.ChoiceField(choices=SourceKind.choices, default=SourceKind.DIRECT)
    source_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    source_url = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    lead_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    cooperating_units = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), many=True, required=False)
    deadline = serializers.DateField(required=False, help_text="办结日期；或用 deadline_workdays")
    deadline_workdays = serializers.IntegerField(required=False, help_text="自今日起的工作日数")
    milestones = MilestoneInput(many=True, required=False)
    leader = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    supervisor = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    report_interval = serializers.IntegerField(required=False, default=5)


class TextInput(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    opinion = serializers.CharField(required=False, allow_blank=True, default="")


class ItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """督办事项：本人可见的事项（承办单位、督查员、批示领导）。可按 status、warning 筛选。"""

    serializer_class = ItemSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no signed-in user
            return Item.objects.none()
        limits = selectors.Thresholds.for_today()
        query = selectors.annotate_warning(selectors.visible_items(self.request.user), limits).select_related(
            "lead_unit"
        )
        status, warning = self.request.query_params.get("status"), self.request.query_params.get("warning")
        if status:
            query = query.filter(status=status)
        if warning in selectors.WARNING_LABELS:
            query = query.filter(warning=warning)
        return query.order_by("deadline", "id")

    def get_object(self):
        try:
            return services.get_item_for(self.request.user, self.kwargs["pk"])
        except NotFoundError as exc:
            raise Http404(exc.message) from exc

    def _reply(self, item):
        item = self.get_queryset().filter(pk=item.pk).first() or item
        return Response(ItemSerializer(item).data)

    def create(self, request):
        data = RaiseInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        deadline = values.get("deadline") or values.get("deadline_workdays")
        if deadline is None:
            raise ServiceError("请填写办结时限（deadline 或 deadline_workdays）。", field="deadline")
        item = services.raise_item(
            request.user,
            title=values["title"],
            instruction=values["instruction"],
            source_kind=values["source_kind"],
            source_ref=values["source_ref"],
            source_url=values["source_url"],
            lead_unit=values["lead_unit"],
            cooperating_units=values.get("cooperating_units", []),
            deadline=deadline,
            milestones=[(m["title"], m["due_date"]) for m in values.get("milestones", [])],
            leader=values.get("leader"),
            supervisor=values.get("supervisor"),
            report_interval=values["report_interval"],
        )
        body = ItemSerializer(item).data
        body["notes"] = getattr(item, "notes", [])
        return Response(body, status=201)

    def _text(self, request, key):
        data = TextInput(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data[key]

    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._reply(services.sign_item(request.user, self.get_object()))

    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        item = self.get_object()
        services.report_progress(
            request.user,
            item,
            text=request.data.get("text", ""),
            percent=request.data.get("percent"),
            milestone=request.data.get("milestone"),
            attachments=request.FILES.getlist("attachments"),
        )
        return self._reply(item)

    @action(detail=True, methods=["post"], url_path="request-close")
    def request_close(self, request, pk=None):
        return self._reply(services.request_close(request.user, self.get_object(), text=self._text(request, "text")))

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._reply(
            services.approve_close(request.user, self.get_object(), opinion=self._text(request, "opinion"))
        )

    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        return self._reply(services.send_back(request.user, self.get_object(), reason=self._text(request, "reason")))

    @action(detail=True, methods=["post"])
    def remind(self, request, pk=None):
        reminder = services.remind(request.user, self.get_object(), text=self._text(request, "text"))
        return Response({"id": reminder.pk, "recipients": reminder.recipients, "text": reminder.text})

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._reply(services.cancel_item(request.user, self.get_object(), reason=self._text(request, "reason")))


def register(router) -> None:
    router.register("supervision/items", ItemViewSet, basename="supervision-item")
