"""The state machines: for each flow kind one table of allowed transitions (forward moves and the 退回
edges to earlier steps), the step labels and which steps are 待阅 rather than 待办.

``Flow.move`` (a django-fsm transition) refuses any move not in ``ALLOWED``."""

from .models import FlowKind

OUTGOING_ORDER = [
    "drafting",
    "dept_review",
    "office_review",
    "countersign",
    "signoff",
    "numbering",
    "sealing",
    "distributing",
    "distributed",
]
OUTGOING_FORWARD = {
    "drafting": {"dept_review", "office_review"},
    "dept_review": {"office_review"},
    "office_review": {"countersign", "signoff"},
    "countersign": {"signoff"},
    "signoff": {"numbering"},
    # 复核: a material change after 签发 goes back to the signer, then resumes where it was.
    "recheck": {"numbering", "sealing", "distributing"},
    "numbering": {"sealing", "recheck"},
    "sealing": {"distributing", "recheck"},
    "distributing": {"distributed", "recheck"},
}
OUTGOING_LABELS = {
    "drafting": "拟稿",
    "dept_review": "部门审核",
    "office_review": "办公室核稿",
    "countersign": "会签",
    "signoff": "签发",
    "recheck": "复核",
    "numbering": "编号",
    "sealing": "用印",
    "distributing": "分发",
    "distributed": "已分发",
}

INCOMING_ORDER = [
    "receiving",
    "registering",
    "initial_review",
    "proposing",
    "instructing",
    "handling",
    "circulating",
    "done",
]
INCOMING_FORWARD = {
    "receiving": {"registering"},
    "registering": {"initial_review"},
    "initial_review": {"proposing", "returned"},
    "proposing": {"instructing"},
    "instructing": {"handling"},
    "handling": {"circulating", "done"},
    "circulating": {"done"},
}
INCOMING_LABELS = {
    "receiving": "签收",
    "registering": "登记",
    "initial_review": "初审",
    "proposing": "拟办",
    "instructing": "批办",
    "handling": "承办",
    "circulating": "传阅",
    "done": "办结",
    "returned": "已退回来文单位",
}

ORDER = {FlowKind.OUTGOING: OUTGOING_ORDER, FlowKind.INCOMING: INCOMING_ORDER}
LABELS = {FlowKind.OUTGOING: OUTGOING_LABELS, FlowKind.INCOMING: INCOMING_LABELS}
TERMINAL = {FlowKind.OUTGOING: {"distributed"}, FlowKind.INCOMING: {"done", "returned"}}
TOREAD_STEPS = {FlowKind.INCOMING: {"circulating"}, FlowKind.OUTGOING: set()}


def _with_returns(order: list[str], forward: dict[str, set[str]], terminal: set[str]) -> dict[str, set[str]]:
    allowed = {state: set(targets) for state, targets in forward.items()}
    for index, state in enumerate(order):
        if state in terminal:
            continue
        allowed.setdefault(state, set()).update(order[:index])  # 退回 to any earlier step
    allowed.setdefault("recheck", set()).update(order[: order.index("signoff")] if "signoff" in order else [])
    return allowed


ALLOWED = {
    FlowKind.OUTGOING: _with_returns(OUTGOING_ORDER, OUTGOING_FORWARD, TERMINAL[FlowKind.OUTGOING]),
    FlowKind.INCOMING: _with_returns(INCOMING_ORDER, INCOMING_FORWARD, TERMINAL[FlowKind.INCOMING]),
}
ALLOWED[FlowKind.INCOMING].pop("recheck", None)


def label(kind: str, state: str) -> str:
    return LABELS[kind].get(state, state)


def is_earlier(kind: str, target: str, current: str) -> bool:
    order = ORDER[kind]
    if current == "recheck":
        return target in order and order.index(target) < order.index("signoff")
    return target in order and current in order and order.index(target) < order.index(current)
