"""/api/meetings/: the same services and permission rules as the pages (a meeting one may not see is 404;
an action one may not take is 403; a refused request is 400 with a Chinese message)."""

from django.http import Http404, HttpResponse
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from oa.core.errors import NotFoundError, PermissionDeniedError
from oa.org.models import Person
from oa.permissions import can

from . import calendar as cal
from . import services
from .models import Material, Meeting


class MeetingSerializer(serializers.ModelSerializer):
    organiser_unit_name = serializers.CharField(source="organiser_unit.name", read_only=True)
    place = serializers.CharField(read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "kind",
            "organiser_unit",
            "organiser_unit_name",
            "organiser",
            "host",
            "start",
            "end",
            "room",
            "online_url",
            "place",
            "note",
            "status",
            "materials_withdrawn",
        ]
        read_only_fields = ["organiser_unit", "organiser", "status", "materials_withdrawn"]


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = Material
        fields = ["id", "title", "agenda_item", "content_type", "uploaded_at"]


class AnswerSerializer(serializers.Serializer):
    response = serializers.ChoiceField(choices=["attend", "leave", "delegate"])
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    substitute = serializers.IntegerField(required=False, allow_null=True, default=None)


class MeetingViewSet(viewsets.GenericViewSet):
    serializer_class = MeetingSerializer
    queryset = Meeting.objects.none()

    def get_queryset(self):
        return cal.visible_meetings(self.request.user).order_by("start")

    def _meeting(self, pk, perm="meetings.view_meeting") -> Meeting:
        try:
            return services.get_meeting_for(self.request.user, pk, perm)
        except NotFoundError as exc:
            raise Http404(exc.message) from exc

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MeetingSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(MeetingSerializer(self._meeting(pk)).data)

    def create(self, request):
        serializer = MeetingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        meeting = services.create_meeting(request.user, data)
        return Response(MeetingSerializer(meeting).data, status=201)

    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        meeting = self._meeting(pk)
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        substitute = (
            Person.objects.filter(pk=data["substitute"], is_active=True).first() if data["substitute"] else None
        )
        attendee = services.answer(
            request.user, meeting, data["response"], reason=data["reason"], substitute=substitute
        )
        return Response({"response": attendee.response, "reason": attendee.reason})

    @action(detail=True, methods=["get"])
    def counts(self, request, pk=None):
        meeting = self._meeting(pk, "meetings.manage_meeting")
        return Response({"counts": services.counts(meeting), "attendees": services.attendance_board(meeting)})

    @action(detail=True, methods=["get"])
    def materials(self, request, pk=None):
        meeting = self._meeting(pk)
        if not can(request.user, "meetings.view_materials", meeting):
            raise PermissionDeniedError("会议材料仅供参会人员查阅。")
        return Response(MaterialSerializer(meeting.materials.all(), many=True).data)

    @action(detail=True, methods=["get"], url_path=r"materials/(?P<material_id>\d+)/download")
    def download(self, request, pk=None, material_id=None):
        meeting = self._meeting(pk)
        item = meeting.materials.filter(pk=material_id).first()
        if item is None:
            raise Http404("材料不存在。")
        content, content_type, _name = services.watermarked_copy(request.user, item)
        return HttpResponse(content, content_type=content_type)

    def _notice_meeting(self, pk) -> Meeting:
        """The organiser or the organising unit's 收发员 (the same check as the pages)."""
        meeting = Meeting.objects.select_related("organiser_unit").filter(pk=pk).first() if str(pk).isdigit() else None
        user = self.request.user
        if meeting is None or not (
            can(user, "meetings.manage_meeting", meeting) or can(user, "meetings.send_notice", meeting)
        ):
            raise Http404("该会议不存在或您无权查看会议通知。")
        return meeting

    @action(detail=True, methods=["get"])
    def notices(self, request, pk=None):
        """各受邀单位的会议通知、变更通知、取消通知在公文交换中的状态（已退回的附原因，可重新发送）。"""
        meeting = self._notice_meeting(pk)
        return Response(
            [
                {"unit": invitation.unit_id, "unit_name": invitation.unit.name, "notices": invitation.notice_rows}
                for invitation in services.invitations_with_notices(meeting)
            ]
        )

    @action(detail=True, methods=["post"], url_path=r"notices/(?P<notice_id>\d+)/resend")
    def resend_notice(self, request, pk=None, notice_id=None):
        """重新发送被退回、撤回或拒收的通知（收发员直接发送；组织人则请收发员发送）。"""
        meeting = self._notice_meeting(pk)
        return Response({"detail": services.resend_notice(request.user, meeting, notice_id)})

    @action(detail=True, methods=["post"], url_path="sign-in")
    def sign_in(self, request, pk=None):
        meeting = Meeting.objects.filter(pk=pk).first() if str(pk).isdigit() else None
        if meeting is None:
            raise Http404("会议不存在。")
        attendee = services.sign_in(request.user, meeting, str(request.data.get("token", "")))
        return Response({"signed_in_at": attendee.signed_in_at})


def register(router) -> None:
    router.register("meetings", MeetingViewSet, basename="meeting")
