"""/ws/flow/<id>/: "this flow changed" hints for everyone with the flow page open.

The rules every socket shares are oa.core.consumers.LiveConsumer's: origin checked in oa.asgi, anonymous
sockets refused with 4401, ended sessions with 4001, logout and deactivation close the socket at once. The
group comes from the flow id in the path, joined only after the server checks that the person may see the
flow (``access.can_view_flow``; otherwise 4403). Every event re-checks the account, the session and the
access before sending anything, so someone who can no longer see the flow hears nothing more (4403) — the
object socket of oa.core.consumers.ObjectLiveConsumer. The message carries no content: the page refetches
its panel over HTTP (the database is the truth). A client's "resync" is answered with "hello" (the flow's
current revision and state)."""

from oa.core.consumers import CLOSE_FORBIDDEN, ObjectLiveConsumer

from .access import can_view_flow
from .models import Flow
from .push import flow_group

__all__ = ["CLOSE_FORBIDDEN", "FlowConsumer"]


class FlowConsumer(ObjectLiveConsumer):
    url_kwarg = "flow_id"
    flow_changed = ObjectLiveConsumer.object_changed

    @property
    def flow_id(self) -> int:
        return self.object_id

    def group_for(self, object_id: int) -> str:
        return flow_group(object_id)

    def state(self, user) -> dict | None:
        """The flow's revision and step if the person may (still) see it; None otherwise."""
        flow = Flow.objects.filter(pk=self.flow_id).first()
        if flow is None or not can_view_flow(user, flow):
            return None
        return {"flow": flow.pk, "revision": flow.revision, "state": flow.state}
