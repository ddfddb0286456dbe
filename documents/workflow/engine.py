"""What both flows share: locking the flow, handing tasks out (each task is one todo item, created and
closed together, so no todo is ever lost or left behind), finding the task the actor may act on (directly
or as a deputy: 代签), and moving the state along the transition table.

Callers (``outgoing`` / ``incoming``) run all of this inside one ``transaction.atomic()`` after
``lock()``; the todo service pushes the live hints after commit."""

import hashlib
import json

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from oa.audit.models import Result
from oa.audit.services import record, record_outside
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.org import roles as org_roles
from oa.org.models import Person, Role
from oa.todo import services as todo
from oa.todo.models import Kind
from oa.todo.push import todo_changed_on_commit

from .models import Decision, Flow, FlowKind, FlowTask, TaskState  # noqa: F401
from .push import flow_changed_on_commit
from .tables import TOREAD_STEPS, label

SOURCE_APP = "documents.flow"
DELEGABLE_ROLES = (Role.SIGNER, Role.REVIEWER, Role.CLERK, Role.SEAL_KEEPER)
# Changing these does not change what the signer approved (the number is given after 签发).
NOT_CONTENT = ("doc_number", "number_code", "number_year", "number_seq")


def lock(flow: Flow) -> Flow:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock() must run inside transaction.atomic()")
    # of=self: PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins.
    return Flow.objects.select_for_update(of=("self",)).select_related("unit", "document", "incoming").get(pk=flow.pk)


def todo_kind(flow: Flow, step: str) -> str:
    return Kind.TOREAD if step in TOREAD_STEPS[flow.kind] else Kind.TODO


def flow_url(flow: Flow) -> str:
    return reverse("documents:flow", args=[flow.pk])


def _urgency(flow: Flow) -> str:
    return getattr(flow.subject, "urgency", "") or "平件"


def assign(flow: Flow, step: str, people, actor, *, pool: str = "", role_note: str = "", deadline=None):
    """Open one task (and its todo item) per person at ``step``; duplicates of an open task are skipped."""
    people = list(dict.fromkeys(people))
    if not people:
        raise ServiceError(f"“{label(flow.kind, step)}”环节没有可用的办理人，请单位管理员配置。")
    open_ids = set(flow.tasks.filter(step=step, state=TaskState.OPEN).values_list("assignee_id", flat=True))
    subject = flow.subject
    created = []
    for person in people:
        if person.pk in open_ids:
            continue
        task = FlowTask.objects.create(
            flow=flow,
            step=step,
            assignee=person,
            pool=pool,
            role_note=role_note,
            created_by=actor if isinstance(actor, Person) else None,
        )
        todo.create_todo(
            actor,
            owner=person,
            kind=todo_kind(flow, step),
            title=subject.title,
            step=label(flow.kind, step),
            url=flow_url(flow),
            source_app=SOURCE_APP,
            source_id=task.pk,
            category=getattr(subject, "doc_type", "") or "",
            sender=_sender(flow),
            urgency=_urgency(flow),
            deadline=getattr(subject, "deadline", None) if flow.kind == FlowKind.INCOMING else None,
            manual_close=False,
        )
        created.append(task)
    return created


def _sender(flow: Flow) -> str:
    if flow.kind == FlowKind.INCOMING:
        return flow.incoming.sender_name[:100]
    return flow.document.drafter.get_full_name()[:100]


def close(task: FlowTask, decision: str, actor, *, opinion: str = "", state: str = TaskState.DONE, sha: str = ""):
    task.state = state
    task.decision = decision
    task.opinion = opinion
    task.decided_at = timezone.now()
    task.acted_by = actor if isinstance(actor, Person) else None
    task.content_sha256 = sha
    task.save()
    todo.complete_for_source(
        SOURCE_APP, task.pk, kind=todo_kind(task.flow, task.step), actor=actor if isinstance(actor, Person) else None
    )


def cancel_open(flow: Flow, actor, decision: str, *, step: str | None = None, exclude=()) -> list[FlowTask]:
    query = flow.tasks.filter(state=TaskState.OPEN).exclude(pk__in=[t.pk for t in exclude])
    if step is not None:
        query = query.filter(step=step)
    tasks = list(query)
    for task in tasks:
        close(task, decision, actor, state=TaskState.CANCELLED)
    return tasks


def open_tasks(flow: Flow, step: str | None = None):
    query = flow.tasks.filter(state=TaskState.OPEN).select_related("assignee")
    return query.filter(step=step) if step else query


def principals_of(actor) -> set[int]:
    """People ``actor`` may act for today (代理 of any of the workflow roles)."""
    ids: set[int] = set()
    for role in DELEGABLE_ROLES:
        ids.update(p.pk for p in org_roles.acting_principals(actor, role))
    return ids


def task_for(flow: Flow, actor, action: str, *, step: str | None = None) -> FlowTask:
    """The open task of the current step ``actor`` may act on: their own first, else one of a person they
    act for (代签). Anyone else is refused (and the refusal recorded)."""
    step = step or flow.state
    tasks = list(open_tasks(flow, step))
    own = [t for t in tasks if t.assignee_id == getattr(actor, "pk", None)]
    if own:
        return own[0]
    if tasks and getattr(actor, "is_active", False):
        principals = principals_of(actor)
        for task in tasks:
            if task.assignee_id in principals:
                return task
    record_outside(actor, f"documents.flow.{action}", flow, result=Result.DENIED, summary="非当前环节办理人")
    raise PermissionDeniedError("您不是当前环节的办理人，不能办理。")


def latest_round(flow: Flow, step: str) -> list[FlowTask]:
    """The approvals of the latest visit to ``step``, newest first, one per assignee: who gets a 退回 back.

    Tasks are created in order, so one visit is a run of tasks of ``step`` (with its 转办 and 加签); the tasks
    a 撤回 cancelled never happened and do not end the run. Earlier visits (before an older 退回) do not
    count: someone dropped from 会签 in the next round is not asked again."""
    found: list[FlowTask] = []
    started = False
    for task in flow.tasks.select_related("assignee").order_by("-id"):
        if task.step == step:
            started = True
            if task.decision == Decision.APPROVE and all(t.assignee_id != task.assignee_id for t in found):
                found.append(task)
        elif started and task.decision != Decision.WITHDRAWN:
            break
    return found


def move(flow: Flow, target: str) -> None:
    flow.move(target)
    flow.revision += 1
    flow.save()


def finish(flow: Flow, target: str) -> None:
    move(flow, target)
    flow.finished_at = timezone.now()
    flow.save(update_fields=["finished_at"])


def siblings_done(flow: Flow, task: FlowTask, actor) -> None:
    """A pool task is "any one of them": the others' tasks end when one acts."""
    if task.pool:
        for other in flow.tasks.filter(step=task.step, pool=task.pool, state=TaskState.OPEN).exclude(pk=task.pk):
            close(other, Decision.SUPERSEDED, actor, state=TaskState.CANCELLED)


def flow_changed(flow: Flow) -> None:
    """Open pages of this flow refetch it once the change is committed."""
    flow_changed_on_commit(flow.pk)


def audit(actor, action: str, flow: Flow, summary: str, **after) -> None:
    """Every action on a flow writes its audit line here, and so tells the flow's open pages."""
    flow_changed(flow)
    record(
        actor,
        f"documents.flow.{action}",
        flow.subject,
        after={"flow": flow.pk, "state": flow.state, **after},
        summary=summary,
    )


def push(people_ids) -> None:
    for person_id in sorted(set(people_ids)):
        todo_changed_on_commit(person_id)


def content_sha256(snapshot: dict) -> str:
    data = {k: v for k, v in snapshot.items() if k not in NOT_CONTENT}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def acted_label(task: FlowTask) -> str:
    """Name shown on the processing sheet: '吴市长' or '郑副市长（代签 吴市长）'."""
    if task.by_delegation:
        return f"{task.acted_by.get_full_name()}（代签 {task.assignee.get_full_name()}）"
    return (task.acted_by or task.assignee).get_full_name()
