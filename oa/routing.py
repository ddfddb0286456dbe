"""All WebSocket routes. Feature apps add theirs here (oa imports no feature app's views, only routes)."""

from django.urls import path

from documents.exchange.consumers import ExchangeConsumer
from documents.workflow.consumers import FlowConsumer
from meetings.consumers import MeetingConsumer
from oa.messaging.consumers import MessagesConsumer
from oa.supervision.consumers import SupervisionConsumer
from oa.todo.consumers import TodoConsumer

websocket_urlpatterns = [
    path("ws/todo/", TodoConsumer.as_asgi()),
    path("ws/supervision/", SupervisionConsumer.as_asgi()),
    path("ws/messages/", MessagesConsumer.as_asgi()),
    path("ws/meetings/<int:meeting_id>/", MeetingConsumer.as_asgi()),
    path("ws/exchange/", ExchangeConsumer.as_asgi()),
    path("ws/flow/<int:flow_id>/", FlowConsumer.as_asgi()),
]
