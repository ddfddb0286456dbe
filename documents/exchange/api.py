"""/api/exchange/: deliveries the signed-in person's units received (``?box=inbox``, default) or sent
(``?box=sent``), and the same actions as the pages (签收, 退回, 撤回, 重新发送, 催收) through the same services."""

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from documents.models import Document
from oa.core.errors import ServiceError
from oa.org.models import Unit

from . import access, services, urging
from .models import Delivery, State


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "document",
            "sender_unit",
            "recipient",
            "kind",
            "state",
            "package_sha256",
            "attempts",
            "round",
            "flagged",
            "flag_reason",
            "return_reason",
            "want_done_receipt",
            "seal_report",
            "created_at",
            "delivered_at",
            "finished_at",
            "urge_count",
            "urged_at",
        ]
        read_only_fields = fields


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class UrgeSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=urging.MAX_NOTE)


class DispatchSerializer(serializers.Serializer):
    document = serializers.IntegerField()
    recipients = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    cc = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    level_parent = serializers.IntegerField(required=False)
    level = serializers.IntegerField(required=False)
    want_done_receipt = serializers.BooleanField(required=False, default=False)


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """公文交换投递记录（本单位收到的或发出的）。"""

    serializer_class = DeliverySerializer

    def get_queryset(self):
        user = self.request.user
        ids = access.watched_unit_ids(user)
        if getattr(self, "action", "") != "list":
            return Delivery.objects.filter(
                Q(recipient_id__in=ids) & ~Q(state=State.PENDING) | Q(sender_unit_id__in=ids)
            )
        if self.request.query_params.get("box") == "sent":
            return Delivery.objects.filter(sender_unit_id__in=ids).order_by("-pk")
        return services.inbox_for(user)

    def _done(self, delivery_id):
        return Response(DeliverySerializer(Delivery.objects.get(pk=delivery_id)).data)

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        services.sign_for(request.user, pk)
        return self._done(pk)

    @extend_schema(request=ReasonSerializer, responses=DeliverySerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        services.return_delivery(request.user, pk, reason=str(request.data.get("reason", "")))
        return self._done(pk)

    @extend_schema(request=ReasonSerializer, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def recall(self, request, pk=None):
        services.recall(request.user, pk, reason=str(request.data.get("reason", "")))
        return self._done(pk)

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        services.resend(request.user, pk)
        return self._done(pk)

    @extend_schema(request=UrgeSerializer, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def urge(self, request, pk=None):
        urging.urge(request.user, pk, note=str(request.data.get("note", "")))
        return self._done(pk)

    @extend_schema(request=DispatchSerializer, responses=DeliverySerializer(many=True))
    @action(detail=False, methods=["post"])
    def dispatch_document(self, request):
        data = DispatchSerializer(data=request.data)
        if not data.is_valid():
            raise ServiceError("分发参数不正确。")
        values = data.validated_data
        document = Document.objects.filter(pk=values["document"]).first()
        if document is None or not access.can_act(request.user, document.owner_unit_id):
            raise ServiceError("该公文不存在或无权分发。")
        levels = []
        if values.get("level_parent") and values.get("level"):
            parent = Unit.objects.filter(pk=values["level_parent"]).first()
            if parent is None:
                raise ServiceError("上级单位不存在。", field="level_parent")
            levels.append((parent, values["level"]))
        created = services.dispatch(
            request.user,
            document,
            list(Unit.objects.filter(pk__in=values["recipients"])),
            cc=list(Unit.objects.filter(pk__in=values["cc"])),
            include_levels_under=levels,
            want_done_receipt=values["want_done_receipt"],
        )
        return Response(DeliverySerializer(created, many=True).data, status=201)


def register(router) -> None:
    router.register("exchange/deliveries", DeliveryViewSet, basename="exchange-delivery")
