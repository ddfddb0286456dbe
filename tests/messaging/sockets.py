"""Socket hygiene for consumer tests: every WebsocketCommunicator a scenario opens is disconnected when the
scenario ends, passed or failed.

A socket left open keeps its consumer running on the test's event loop; on Redis that consumer holds
channels_redis' receive lock, and later tests wait on it. So scenarios run through ``run`` and open their
sockets with ``communicator`` (or ``track`` one they built): ``run`` disconnects them all in a ``finally``.
"""

import asyncio
import contextvars

from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from oa.asgi import application

_open: contextvars.ContextVar[list | None] = contextvars.ContextVar("open_sockets", default=None)


def track(ws: WebsocketCommunicator) -> WebsocketCommunicator:
    opened = _open.get()
    if opened is None:
        raise RuntimeError("Open sockets inside run(scenario), so they are disconnected whatever happens.")
    opened.append(ws)
    return ws


def communicator(path: str, headers) -> WebsocketCommunicator:
    return track(WebsocketCommunicator(application, path, headers=list(headers)))


async def _disconnect_all(sockets: list, *, quietly: bool) -> None:
    problem = None
    for ws in reversed(sockets):
        try:
            # Harmless for a socket already disconnected or closed by the server: its consumer has ended or
            # ends now on websocket.disconnect. On Redis the consumer holding the layer's receive lock may not
            # end promptly (its cancelled BZPOPMIN): after the timeout it is cancelled, as channels does.
            await ws.disconnect(timeout=1)
        except (Exception, asyncio.CancelledError) as exc:  # a cancelled consumer re-raises CancelledError
            problem = problem or exc
    if problem is not None and not quietly and not isinstance(problem, asyncio.CancelledError):
        raise problem


def run(scenario) -> None:
    """Run ``async def scenario()`` and disconnect every socket it opened, in a finally."""

    async def wrapper():
        sockets: list = []
        token = _open.set(sockets)
        failed = True
        try:
            await scenario()
            failed = False
        finally:
            _open.reset(token)
            # After a failure the first error is the one worth reading: cleanup problems are not raised.
            await _disconnect_all(sockets, quietly=failed)

    async_to_sync(wrapper)()
