"""Who is acting and from where, for the current request (read by the audit trail)."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    client_address: str = ""
    user_agent: str = ""


# RequestInfo is frozen, so sharing the default instance is safe.
_current: ContextVar[RequestInfo] = ContextVar("oa_request_info", default=RequestInfo())  # noqa: B039


def current_request_info() -> RequestInfo:
    return _current.get()


def set_request_info(info: RequestInfo):
    return _current.set(info)


def reset_request_info(token) -> None:
    _current.reset(token)


def client_address_from_meta(meta) -> str:
    # Only REMOTE_ADDR: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return meta.get("REMOTE_ADDR", "") or ""
