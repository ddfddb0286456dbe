"""Random sequences of 同意 / 退回 / 撤回 / 已阅 on both state machines, checked after every action against a small
independent model of what must happen: the step, exactly who holds an open task (会签 and 承办 all-must, 传阅 each
reader, pools any-one), which actions are refused, and no lost or ghost todo — in particular after 会签 + 退回 and
传阅 + 退回, where other OA products are known to fail. A finished flow has no open todo."""

from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.workflow import common, incoming, outgoing
from documents.workflow.models import Flow, TaskState
from documents.workflow.tables import INCOMING_ORDER, OUTGOING_ORDER
from oa.core.errors import ServiceError

from .conftest import assert_todos_match

pytestmark = pytest.mark.django_db

ACTIONS = st.lists(
    st.tuples(st.sampled_from(["approve", "return", "withdraw", "read"]), st.integers(0, 11)), min_size=1, max_size=16
)
HYP = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))


@dataclass
class Model:
    """The expected flow: current step, open actors, the approvals of each step's latest visit, the log."""

    order: list
    state: str
    open: set
    finished: bool = False
    visits: dict = field(default_factory=dict)  # step -> [(person, role_note)] approvals of its latest visit
    log: list = field(default_factory=list)  # ("approve" | "return" | "read", step, person)

    def enter(self, step, people):
        self.state, self.open = step, set(people)
        self.visits[step] = []

    def approved(self, person, note=""):
        visit = self.visits.setdefault(self.state, [])
        visit[:] = [v for v in visit if v[0] != person] + [(person, note)]
        self.log.append(("approve", self.state, person))

    def earlier(self):
        return self.order[: self.order.index(self.state)]

    def withdrawable(self, not_withdrawable=()):
        """(step, person) to go back to, or None when 撤回 must be refused."""
        approvals = [i for i, entry in enumerate(self.log) if entry[0] == "approve"]
        if self.finished or not approvals:
            return None
        index = approvals[-1]
        _, step, person = self.log[index]
        if step == self.state or step in not_withdrawable or len(self.log) > index + 1:
            return None  # still at that step, a seal, or someone returned / read since
        return step, person


def _current(flow, pick):
    people = sorted(flow.tasks.filter(state=TaskState.OPEN).values_list("assignee_id", flat=True))
    return people[pick % len(people)] if people else None


def _check(flow, model):
    flow = Flow.objects.get(pk=flow.pk)
    assert_todos_match(flow)
    open_tasks = flow.tasks.filter(state=TaskState.OPEN)
    assert flow.state == model.state
    assert flow.finished == model.finished
    holders = list(open_tasks.values_list("assignee_id", flat=True))
    assert len(holders) == len(set(holders)), "one person holds two tasks of the same step"
    assert set(holders) == model.open, f"{flow.state}: {sorted(holders)} != {sorted(model.open)}"
    if flow.finished:
        assert not holders
    else:
        assert holders and set(open_tasks.values_list("step", flat=True)) == {flow.state}


def _expect(valid, action, *args, **kwargs):
    """Run the action; the model says whether it must succeed or be refused."""
    if valid:
        action(*args, **kwargs)
        return True
    with pytest.raises(ServiceError):
        action(*args, **kwargs)
    return False


@HYP
@given(actions=ACTIONS)
def test_outgoing_flow_matches_the_model(make_draft, personas, actions):
    from documents.models import Document

    by_pk = {p.pk: p for p in vars(personas).values() if hasattr(p, "pk") and hasattr(p, "username")}
    staff, clerk, mayor, vice, admin = (personas.yj_staff.pk, personas.yj_clerk.pk, personas.yj_mayor.pk,
                                        personas.yj_vice.pk, personas.yj_admin.pk)  # fmt: skip
    countersign_pool = [admin, vice]
    document = make_draft()
    flow = outgoing.submit(personas.yj_staff, document)
    model = Model(order=OUTGOING_ORDER, state="drafting", open={staff})
    model.approved(staff)
    model.enter("office_review", {clerk})
    chosen = []
    _check(flow, model)

    def seal_if_waiting():
        if model.state == "sealing":
            outgoing.mark_sealed(personas.yj_clerk, Document.objects.get(pk=document.pk))
            model.approved(clerk)
            model.enter("distributing", {clerk})

    for action, pick in actions:
        flow = Flow.objects.get(pk=flow.pk)
        actor = _current(flow, pick)
        if action == "approve" and actor is not None:
            extra = {}
            if model.state == "office_review":
                chosen[:] = countersign_pool[: pick % 3]  # none, one or both
                extra = {"countersigners": [by_pk[p] for p in chosen]}
            outgoing.approve(by_pk[actor], flow, **extra)
            step = model.state
            model.approved(actor)
            model.open.discard(actor)
            if step in ("office_review", "signoff", "numbering", "drafting", "distributing") or not model.open:
                # pools end with the first approval (any one); 会签 ends when all agreed
                nxt = {
                    "drafting": ("office_review", {clerk}),
                    "office_review": ("countersign", set(chosen)) if chosen else ("signoff", {mayor, vice}),
                    "countersign": ("signoff", {mayor, vice}),
                    "signoff": ("numbering", {clerk}),
                    "numbering": ("sealing", {clerk}),
                    "distributing": ("distributed", set()),
                }[step]
                model.enter(*nxt)
                model.finished = model.state == "distributed"
        elif action == "return" and actor is not None and not model.finished and model.earlier():
            targets = model.earlier()
            target = targets[pick % len(targets)]
            previous = {p for p, _ in model.visits.get(target, [])} if target != "drafting" else {staff}
            if _expect(previous, outgoing.return_to, by_pk[actor], flow, target, reason="退回重办"):
                model.log.append(("return", model.state, actor))
                model.enter(target, previous)
        elif action == "withdraw":
            back = model.withdrawable(not_withdrawable=("sealing",))
            last = flow.tasks.filter(decision="approve").order_by("-decided_at", "-id").first()
            if last is not None:
                if _expect(back is not None, common.withdraw, last.acted_by, flow):
                    model.visits[model.state] = []
                    model.state, model.open = back[0], {back[1]}
        elif action == "read" and actor is not None:
            with pytest.raises(ServiceError):
                incoming.read(by_pk[actor], flow)  # not a 收文
        seal_if_waiting()
        _check(flow, model)


@HYP
@given(actions=ACTIONS)
def test_incoming_flow_matches_the_model(personas, org_tree, actions):
    by_pk = {p.pk: p for p in vars(personas).values() if hasattr(p, "pk") and hasattr(p, "username")}
    clerk, mayor, staff, admin = personas.yj_clerk.pk, personas.yj_mayor.pk, personas.yj_staff.pk, personas.yj_admin.pk
    flow = incoming.receive(personas.yj_clerk, unit=org_tree.yj_gov, title="来文", sender_name="省政府")
    model = Model(order=INCOMING_ORDER, state="receiving", open={clerk})
    readers = []
    _check(flow, model)
    for action, pick in actions:
        flow = Flow.objects.get(pk=flow.pk)
        actor = _current(flow, pick)
        if action == "approve" and actor is not None:
            extra = {}
            if model.state == "instructing":
                readers[:] = [staff, admin, mayor][: pick % 4]  # none up to three readers
                extra = {
                    "lead": personas.yj_staff,
                    "assisting": [personas.yj_admin],
                    "readers": [by_pk[p] for p in readers],
                }
            valid = model.state != "circulating"
            if not _expect(valid, incoming.approve, by_pk[actor], flow, **extra):
                continue
            step = model.state
            note = {staff: "主办", admin: "协办"}.get(actor, "") if step == "handling" else ""
            model.approved(actor, note)
            model.open.discard(actor)
            if step != "handling" or not model.open:
                nxt = {
                    "receiving": ("registering", {clerk}),
                    "registering": ("initial_review", {clerk}),
                    "initial_review": ("proposing", {clerk}),
                    "proposing": ("instructing", {mayor}),
                    "instructing": ("handling", {staff, admin}),
                    "handling": ("circulating", set(readers)) if readers else ("done", set()),
                }[step]
                model.enter(*nxt)
                model.finished = model.state == "done"
        elif action == "read" and actor is not None:
            if _expect(model.state == "circulating", incoming.read, by_pk[actor], flow):
                model.log.append(("read", "circulating", actor))
                model.open.discard(actor)
                if not model.open:
                    model.enter("done", set())
                    model.finished = True
        elif action == "return" and actor is not None and not model.finished and model.earlier():
            targets = model.earlier()
            target = targets[pick % len(targets)]
            visit = model.visits.get(target, [])
            previous = {p for p, _ in visit} if target == "handling" else {p for p, _ in visit[-1:]}
            if _expect(previous, incoming.return_to, by_pk[actor], flow, target, reason="退回重办"):
                model.log.append(("return", model.state, actor))
                notes = dict(visit)
                model.enter(target, previous)
                if target == "handling":  # 主办 / 协办 survive the 退回
                    got = dict(flow.tasks.filter(state="open").values_list("assignee_id", "role_note"))
                    assert got == {p: notes[p] for p in previous}
        elif action == "withdraw":
            back = model.withdrawable()
            last = flow.tasks.filter(decision="approve").order_by("-decided_at", "-id").first()
            if last is not None:
                if _expect(back is not None, common.withdraw, last.acted_by, flow):
                    model.visits[model.state] = []
                    model.state, model.open = back[0], {back[1]}
        _check(flow, model)
