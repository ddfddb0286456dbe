"""/api/messaging/…: conversations and messages for the signed-in person, through the same services (and so
the same membership checks) as the pages and the socket. Errors are 4xx with a Chinese ``detail``."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from oa.core.errors import ServiceError
from oa.messaging import cards, services
from oa.org.models import Person


def _conversation_data(conversation, viewer) -> dict:
    return {
        "id": conversation.pk,
        "kind": conversation.kind,
        "title": conversation.display_title(viewer),
        "last_seq": conversation.last_seq,
        "last_message_at": conversation.last_message_at,
        "unread": getattr(conversation, "unread", None),
    }


def _page_data(page, viewer) -> dict:
    view = cards.CardView(viewer)
    return {"messages": [services.message_payload(m, view) for m in page.messages], "has_more": page.has_more}


class NewConversationSerializer(serializers.Serializer):
    members = serializers.ListField(child=serializers.IntegerField(), allow_empty=False,
                                    error_messages={"empty": "请至少选择一位成员。"})
    title = serializers.CharField(required=False, allow_blank=True, default="")


ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="编号")
_OBJ = {"responses": OpenApiTypes.OBJECT, "request": OpenApiTypes.OBJECT}


@extend_schema_view(
    list=extend_schema(operation_id="messaging_conversations_list", responses=OpenApiTypes.OBJECT),
    retrieve=extend_schema(parameters=[ID], responses=OpenApiTypes.OBJECT),
    create=extend_schema(request=NewConversationSerializer, responses=OpenApiTypes.OBJECT),
    messages=extend_schema(parameters=[ID], **_OBJ),
    search=extend_schema(parameters=[ID], responses=OpenApiTypes.OBJECT),
    read=extend_schema(parameters=[ID], **_OBJ),
)
class ConversationViewSet(viewsets.ViewSet):
    """我的会话（单聊、群聊、单位群、科室群）与其中的消息。"""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def list(self, request):
        return Response([_conversation_data(c, request.user) for c in services.conversations_for(request.user)])

    def retrieve(self, request, pk=None):
        conversation = services.get_conversation_for(request.user, pk)
        data = _conversation_data(conversation, request.user)
        data["members"] = [
            {"id": m.person_id, "name": m.person.get_full_name(), "read_seq": m.last_read_seq, "owner": m.is_owner}
            for m in services.members_of(conversation)
        ]
        return Response(data)

    def create(self, request):
        serializer = NewConversationSerializer(data=request.data)
        if not serializer.is_valid():
            raise ServiceError("请至少选择一位成员。", field="members")
        members, title = serializer.validated_data["members"], serializer.validated_data["title"].strip()
        if len(members) == 1 and not title:
            other = Person.objects.filter(pk=members[0], is_active=True).first()
            conversation = services.start_direct(request.user, other)
        else:
            conversation = services.create_group(request.user, title=title, members=members)
        return Response(_conversation_data(conversation, request.user), status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get", "post"])
    def messages(self, request, pk=None):
        """GET: ?before=<seq> (older page) / ?after=<seq> (newer) / ?limit=. POST: text, file (multipart),
        card {app, id}, mentions [ids], client_id."""
        conversation = services.get_conversation_for(request.user, pk)
        if request.method == "GET":
            page = services.history(
                request.user, conversation, before=request.query_params.get("before"),
                after=request.query_params.get("after"), limit=request.query_params.get("limit", 50),
            )
            return Response(_page_data(page, request.user))
        data = request.data
        card = data.get("card")
        if card is None and str(data.get("card_id") or "").strip():
            card = (data.get("card_app"), data.get("card_id"))
        mentions = data.getlist("mentions") if hasattr(data, "getlist") else data.get("mentions") or ()
        message = services.send_message(
            request.user, conversation, text=data.get("text", "") if isinstance(data.get("text", ""), str) else "",
            upload=request.FILES.get("file"), card=card, mentions=mentions if isinstance(mentions, list) else (),
            client_id=str(data.get("client_id", "") or ""),
        )
        return Response(services.message_payload(message, cards.CardView(request.user)),
                        status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def search(self, request, pk=None):
        conversation = services.get_conversation_for(request.user, pk)
        page = services.search(request.user, conversation, request.query_params.get("q", ""),
                               before=request.query_params.get("before"), limit=request.query_params.get("limit", 50))
        return Response(_page_data(page, request.user))

    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        conversation = services.get_conversation_for(request.user, pk)
        seq = services.mark_read(request.user, conversation, request.data.get("seq"))
        return Response({"read_seq": seq, "unread_total": services.unread_total(request.user)})


@extend_schema_view(
    recall=extend_schema(parameters=[ID], **_OBJ),
    receipts=extend_schema(parameters=[ID], responses=OpenApiTypes.OBJECT),
)
class MessageViewSet(viewsets.ViewSet):
    """单条消息：撤回、已读回执。"""

    @action(detail=True, methods=["post"])
    def recall(self, request, pk=None):
        message = services.recall(request.user, services.get_message_for(request.user, pk))
        return Response(services.message_payload(message))

    @action(detail=True, methods=["get"])
    def receipts(self, request, pk=None):
        result = services.receipts(request.user, services.get_message_for(request.user, pk))

        def people(rows):
            return [{"id": p.pk, "name": p.get_full_name()} for p in rows]

        return Response({"read_count": result["read_count"], "total": result["total"],
                         "read": people(result["read"]), "unread": people(result["unread"])})


def register(router):
    router.register("messaging/conversations", ConversationViewSet, basename="messaging-conversation")
    router.register("messaging/messages", MessageViewSet, basename="messaging-message")
