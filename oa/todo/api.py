"""/api/todo/items/: the signed-in person's own items (the same services and permission as the pages)."""

from django.http import Http404
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from oa.core.errors import NotFoundError
from oa.todo import services
from oa.todo.models import Kind, State, TodoItem


class TodoItemSerializer(serializers.ModelSerializer):
    deadline_level = serializers.SerializerMethodField(help_text="三色预警：green / yellow / red，无时限或已完成为空")

    class Meta:
        model = TodoItem
        fields = [
            "id", "kind", "state", "title", "category", "step", "sender", "urgency", "deadline", "deadline_level",
            "source_app", "source_id", "url", "manual_close", "created_at", "done_at",
        ]
        read_only_fields = fields

    def get_deadline_level(self, item) -> str:
        return item.deadline_level()


class CountsSerializer(serializers.Serializer):
    todo = serializers.IntegerField()
    toread = serializers.IntegerField()
    done = serializers.IntegerField()


class TodoItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """我的待办/待阅。可按 kind（todo/toread）与 state（open/done）筛选。"""

    serializer_class = TodoItemSerializer

    def get_queryset(self):
        query = services.items_for(self.request.user).order_by("-created_at", "-id")
        kind, state = self.request.query_params.get("kind"), self.request.query_params.get("state")
        if kind in Kind.values:
            query = query.filter(kind=kind)
        if state in State.values:
            query = query.filter(state=state)
        return query

    def get_object(self):
        try:
            return services.get_item_for(self.request.user, self.kwargs["pk"])
        except NotFoundError as exc:
            raise Http404(exc.message) from exc

    @action(detail=False, methods=["get"], serializer_class=CountsSerializer)
    def counts(self, request):
        return Response(services.counts_for(request.user))

    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return Response(TodoItemSerializer(services.complete_todo(request.user, self.get_object())).data)

    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        return Response(TodoItemSerializer(services.mark_read(request.user, self.get_object())).data)


def register(router):
    router.register("todo/items", TodoItemViewSet, basename="todo-item")
