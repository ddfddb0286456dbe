"""The life cycle of a 督办 item: one table of what may happen in which status.

    待签收 ──签收(牵头单位)──▶ 办理中 ──申请办结──▶ 申请办结 ──同意办结──▶ 已办结
                                  ▲                        │
                                  └────────退回────────────┘
    待签收 / 办理中 / 申请办结 ──撤销──▶ 已撤销

Actions with ``target=None`` leave the status alone (a cooperating unit's 签收, progress, 催办) but are only
allowed in the listed statuses. Services call ``check`` and never compare statuses themselves.
"""

from dataclasses import dataclass

from oa.core.errors import ServiceError
from oa.supervision.models import Status


@dataclass(frozen=True)
class Transition:
    label: str
    sources: frozenset
    target: str | None


def _t(label: str, sources, target=None) -> Transition:
    return Transition(label, frozenset(sources), target)


S = Status
TRANSITIONS: dict[str, Transition] = {
    "sign_lead": _t("签收", {S.PENDING_SIGN}, S.IN_PROGRESS),
    "sign_cooperating": _t("签收", {S.PENDING_SIGN, S.IN_PROGRESS, S.CLOSE_REQUESTED}),
    "report_progress": _t("报送进展", {S.IN_PROGRESS}),
    "request_close": _t("申请办结", {S.IN_PROGRESS}, S.CLOSE_REQUESTED),
    "approve_close": _t("同意办结", {S.CLOSE_REQUESTED}, S.CLOSED),
    "send_back": _t("退回", {S.CLOSE_REQUESTED}, S.IN_PROGRESS),
    "cancel": _t("撤销", {S.PENDING_SIGN, S.IN_PROGRESS, S.CLOSE_REQUESTED}, S.CANCELLED),
    "remind": _t("催办", {S.PENDING_SIGN, S.IN_PROGRESS}),
}


def allowed(status: str, action: str) -> bool:
    return status in TRANSITIONS[action].sources


def check(status: str, action: str) -> str:
    """The status after ``action`` (unchanged for actions without a target), or a refusal in Chinese."""
    transition = TRANSITIONS[action]
    if status not in transition.sources:
        raise ServiceError(f"该事项当前为“{Status(status).label}”，不能{transition.label}。")
    return transition.target or status
