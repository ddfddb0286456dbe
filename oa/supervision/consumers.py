"""/ws/supervision/: tells an open 督办 board that something changed, so it refetches its HTML fragment.

Authentication and session checks are those of every socket (oa.core.consumers.LiveConsumer): anonymous
sockets get 4401, ended sessions 4001, and every event re-checks the account and the session before sending
anything. No item data ever travels on this socket."""

from oa.core.consumers import LiveConsumer
from oa.supervision.push import person_group, unit_group
from oa.supervision.rules import supervisor_unit_ids


class SupervisionConsumer(LiveConsumer):
    resync_allowed = False  # nothing to ask for: the page refetches over HTTP
    # Not woken by every todo change of the person; its own groups carry what the board needs (a
    # deactivated account is closed at the next board event, when the account is re-checked).
    join_todo_group = False

    def groups_for(self, user) -> list[str]:
        units = ({user.unit_id} if user.unit_id else set()) | supervisor_unit_ids(user)
        return [person_group(user.pk), *(unit_group(u) for u in sorted(units))]

    async def hello(self) -> dict:
        return {"type": "ready"}

    async def supervision_changed(self, event):
        if await self.session_ok():
            await self.send_json({"type": "changed"})
