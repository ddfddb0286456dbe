"""REST API for flows: ``/api/flows/`` (start a 发文 flow), ``/api/flows/<id>/`` (state, tasks, my actions),
``/api/flows/<id>/act/`` (one action), ``/api/flows/<id>/sheet.pdf``. Same services and rules as the
pages: a flow the user may not see is a 404; acting without an open task is a 403."""

import base64
import binascii
import datetime

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from oa.core.errors import NotFoundError, ServiceError
from oa.org.models import Person, Unit

from ..selectors import get_document
from . import common, engine, incoming, outgoing, sealing, supervision
from .access import get_flow, mark_opened
from .models import FlowKind
from .sheets import render_sheet
from .tables import label


def flow_data(flow, user) -> dict:
    tasks = flow.tasks.select_related("assignee", "acted_by").order_by("id")
    principals = engine.principals_of(user)
    data = {
        "id": flow.pk,
        "kind": flow.kind,
        "state": flow.state,
        "state_label": label(flow.kind, flow.state),
        "finished": flow.finished,
        "title": flow.subject.title,
        "tasks": [
            {
                "id": t.pk,
                "step": t.step,
                "step_label": label(flow.kind, t.step),
                "assignee": t.assignee.get_full_name(),
                "state": t.state,
                "decision": t.decision,
                "opinion": t.opinion,
                "acted_by": engine.acted_label(t) if t.decided_at else "",
                "decided_at": t.decided_at,
                "has_handwriting": bool(t.handwriting_png),
            }
            for t in tasks
        ],
        "my_turn": any(t.state == "open" and (t.assignee_id == user.pk or t.assignee_id in principals) for t in tasks),
    }
    if flow.kind == FlowKind.INCOMING:
        data["replies"] = list(flow.incoming.replies.order_by("id").values_list("pk", flat=True))
        data["supervision_items"] = [
            {"id": item.pk, "title": item.title, "status": item.status} for item in supervision.items_for(user, flow)
        ]
    if flow.kind == FlowKind.OUTGOING:
        data["content_sha256"] = outgoing.current_sha256(flow.document)
        data["sealing"] = sealing_data(flow, user)
    return data


def sealing_data(flow, user) -> dict | None:
    """用印 progress and the 验章 verdict of the stored sealed file."""
    document = flow.document
    sealed = sealing.sealed_of(document)
    if sealed is None:
        if flow.state != "sealing":
            return None
        return {"can_seal": sealing.can_seal_now(user, document), "sealed_issuers": []}
    report = sealing.verification(sealed)
    return {
        "can_seal": sealing.can_seal_now(user, document),
        "sealed_issuers": [s.unit.name for s in sealed.issuer_seals.select_related("unit")],
        "issuer_count": sealed.issuer_count,
        "complete": sealed.complete,
        "locked": sealed.locked,
        "sha256": sealed.sha256,
        "verdict": report.verdict if report else None,
        "verdict_label": report.verdict_label if report else None,
        "seal_count": report.seal_count if report else 0,
        "summary": report.summary if report else "",
    }


def _person(value):
    if value in (None, ""):
        return None
    person = Person.objects.filter(pk=value, is_active=True).first() if str(value).isdigit() else None
    if person is None:
        raise ServiceError("所选人员不存在。")
    return person


def _people(values):
    return [_person(v) for v in (values or [])]


def _handwriting(data):
    if not data.get("strokes"):
        return None
    try:
        png = base64.b64decode(str(data.get("png", "")).split(",")[-1], validate=True)
    except (binascii.Error, ValueError):
        raise ServiceError("手写签批图片不正确。", field="png") from None
    return {"strokes": data.get("strokes"), "png": png}


def _unit(value):
    if value in (None, ""):
        return None
    unit = Unit.objects.filter(pk=value, is_active=True).first() if str(value).isdigit() else None
    if unit is None:
        raise ServiceError("所选单位不存在或已停用。", field="lead_unit")
    return unit


def _supervise(data, flow) -> dict | None:
    """列入督办 at 批办: {"supervise": true, "lead_unit": id, "cooperating_units": [ids], "deadline": "YYYY-MM-DD"}
    (牵头单位 defaults to the own unit, 办理时限 to the 收文's)."""
    if str(data.get("supervise", "")).lower() not in ("1", "true", "on", "yes"):
        return None
    deadline = data.get("supervise_deadline") or data.get("deadline") or None
    if deadline is not None:
        try:
            deadline = datetime.date.fromisoformat(str(deadline).strip())
        except ValueError:
            raise ServiceError("督办办理时限格式不正确，应为日期（如 2026-10-09）。", field="deadline") from None
    cooperating = data.get("cooperating_units") or []
    if not isinstance(cooperating, list | tuple):
        cooperating = [cooperating]
    return {
        "lead_unit": _unit(data.get("lead_unit")) or flow.unit,
        "cooperating_units": [u for u in (_unit(v) for v in cooperating) if u is not None],
        "deadline": deadline,
    }


ACT_SCHEMA = inline_serializer(
    "FlowAction",
    {
        "action": serializers.ChoiceField(
            [
                "approve",
                "read",
                "return",
                "return_to_sender",
                "withdraw",
                "transfer",
                "add_signer",
                "urge",
                "comment",
                "override",
                "seal",
            ]
        ),
        "opinion": serializers.CharField(required=False),
        "reason": serializers.CharField(required=False),
        "target": serializers.CharField(required=False),
        "to": serializers.IntegerField(required=False),
        "countersigners": serializers.ListField(child=serializers.IntegerField(), required=False),
        "seen_sha256": serializers.CharField(required=False),
        "strokes": serializers.JSONField(required=False),
        "png": serializers.CharField(required=False, help_text="base64 PNG"),
        "supervise": serializers.BooleanField(required=False, help_text="批办时列入督办"),
        "lead_unit": serializers.IntegerField(required=False, help_text="督办牵头单位（默认本单位）"),
        "cooperating_units": serializers.ListField(
            child=serializers.IntegerField(), required=False, help_text="督办协办（配合）单位"
        ),
        "supervise_deadline": serializers.DateField(required=False, help_text="督办办理时限（默认收文办理时限）"),
    },
)


def perform(user, flow, data) -> None:
    """One action on a flow from form/JSON data (shared by the page and the API)."""
    act = data.get("action", "")
    out = flow.kind == FlowKind.OUTGOING
    module = outgoing if out else incoming
    if act == "approve" and out:
        outgoing.approve(
            user,
            flow,
            opinion=data.get("opinion", ""),
            countersigners=_people(data.get("countersigners")),
            signer=_person(data.get("signer")),
            handwriting=_handwriting(data),
            seen_sha256=data.get("seen_sha256") or None,
        )
    elif act == "approve":
        incoming.approve(
            user,
            flow,
            opinion=data.get("opinion", ""),
            leader=_person(data.get("leader")),
            lead=_person(data.get("lead")),
            assisting=_people(data.get("assisting")),
            readers=_people(data.get("readers")),
            supervise=_supervise(data, flow),
        )
    elif act == "read" and not out:
        incoming.read(user, flow, opinion=data.get("opinion", ""))
    elif act == "return":
        module.return_to(user, flow, data.get("target", ""), reason=data.get("reason", ""))
    elif act == "return_to_sender" and not out:
        incoming.return_to_sender(user, flow, reason=data.get("reason", ""))
    elif act == "withdraw":
        common.withdraw(user, flow)
    elif act == "transfer":
        common.transfer(user, flow, _person(data.get("to")), reason=data.get("reason", ""))
    elif act == "add_signer":
        common.add_signer(user, flow, _person(data.get("to")))
    elif act == "urge":
        common.urge(user, flow, data.get("text", ""))
    elif act == "seal" and out:
        sealing.seal_document(user, flow.document)
    elif act == "comment":
        outgoing.comment(user, flow, data.get("text", ""))
    elif act == "override" and out:
        outgoing.override_rule(user, flow, rule=data.get("rule", ""), reason=data.get("reason", ""))
    else:
        raise ServiceError("不支持的操作。", field="action")


FLOW_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="流程编号")


class FlowViewSet(viewsets.ViewSet):
    """发文/收文办理流程。"""

    lookup_value_regex = r"\d+"

    @extend_schema(
        request=inline_serializer(
            "FlowStart",
            {
                "document": serializers.IntegerField(),
                "opinion": serializers.CharField(required=False),
                "important": serializers.BooleanField(required=False, help_text="重要公文：须由主要负责人签发"),
            },
        ),
        responses={201: None},
    )
    def create(self, request):
        """拟稿人提交公文，启动发文流程。"""
        document = get_document(request.user, request.data.get("document"))
        important = request.data.get("important")
        flow = outgoing.submit(
            request.user,
            document,
            opinion=request.data.get("opinion", ""),
            important=True if important in (True, "1", "true") else None,
        )
        return Response(flow_data(flow, request.user), status=201)

    @extend_schema(parameters=[FLOW_ID], responses={200: None})
    def retrieve(self, request, pk=None):
        flow = get_flow(request.user, pk)
        mark_opened(request.user, flow)
        return Response(flow_data(flow, request.user))

    @extend_schema(parameters=[FLOW_ID], request=ACT_SCHEMA, responses={200: None})
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        flow = get_flow(request.user, pk)
        perform(request.user, flow, request.data)
        flow.refresh_from_db()
        return Response(flow_data(flow, request.user))

    @extend_schema(parameters=[FLOW_ID], responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], url_path="sheet.pdf")
    def sheet(self, request, pk=None):
        flow = get_flow(request.user, pk)
        return HttpResponse(render_sheet(flow), content_type="application/pdf")

    @extend_schema(parameters=[FLOW_ID], responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"], url_path="sealed.pdf")
    def sealed_pdf(self, request, pk=None):
        """用印后的公文 PDF（能查看该公文的人可下载）。"""
        flow = get_flow(request.user, pk)
        sealed = sealing.sealed_of(flow.document) if flow.kind == FlowKind.OUTGOING else None
        if sealed is None or not sealed.file:
            raise NotFoundError("该公文尚未用印。")
        return HttpResponse(sealing.sealed_pdf(sealed), content_type="application/pdf")


def register(router) -> None:
    router.register("flows", FlowViewSet, basename="flow")
