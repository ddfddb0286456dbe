"""Flow pages (thin): the flow with the actions allowed to me now, one POST per action, the tablet
sign-off page, the processing sheet PDF and the overdue list. Flows the user may not see are 404s."""

import json
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from oa.core.errors import NotFoundError, ServiceError
from oa.org.models import Person

from ..selectors import get_document
from . import engine, incoming, lists, outgoing, sealing, signoff_signature, supervision
from .access import get_flow, mark_opened
from .api import perform
from .models import Flow, FlowKind
from .sheets import render_sheet
from .tables import LABELS, ORDER

COMMON_OPINIONS = ("同意", "阅", "请办公室阅办", "同意，请按程序办理")


def _flow_or_404(request, pk):
    try:
        return get_flow(request.user, pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from None


def _my_tasks(user, flow):
    principals = engine.principals_of(user)
    return [t for t in engine.open_tasks(flow) if t.assignee_id == user.pk or t.assignee_id in principals]


def _flow_context(request, flow) -> dict:
    tasks = list(flow.tasks.select_related("assignee", "acted_by").order_by("id"))
    labels = LABELS[flow.kind]
    order = ORDER[flow.kind]
    earlier = [(s, labels[s]) for s in order if s in {t.step for t in tasks} and s != flow.state]
    colleagues = Person.objects.filter(unit_id=flow.unit_id, is_active=True).order_by("sort_order", "pk")
    return {
        "flow": flow,
        "tasks": tasks,
        "mine": _my_tasks(request.user, flow),
        "labels": labels,
        "state_label": labels.get(flow.state, flow.state),
        "notes": flow.notes.select_related("author"),
        "earlier": earlier,
        "colleagues": colleagues,
        "steps": [(s, labels[s], s == flow.state) for s in order],
        "nav_key": "outgoing" if flow.kind == FlowKind.OUTGOING else "incoming",
        "signed_sheet": signoff_signature.latest_for(flow),
        **_sealing_context(request.user, flow),
        **_incoming_context(request.user, flow),
    }


def _incoming_context(user, flow) -> dict:
    if flow.kind != FlowKind.INCOMING:
        return {}
    item = flow.incoming
    context = {
        "replies": item.replies.select_related("drafter").order_by("id"),
        "can_reply": incoming.can_reply(user, flow),
        "supervision_items": list(supervision.items_for(user, flow)),
    }
    if flow.state == "instructing" and _my_tasks(user, flow):
        context["supervise_units"] = supervision.unit_choices(flow)
        context["supervise_deadline"] = item.deadline
    return context


@login_required
def flow_detail(request, pk):
    flow = _flow_or_404(request, pk)
    mark_opened(request.user, flow)
    return render(request, "documents/flow_detail.html", _flow_context(request, flow))


@login_required
def flow_panel(request, pk):
    """The live part of the flow page, refetched when /ws/flow/<id>/ says it changed. A background fetch: it
    does not count as the person opening the task (撤回 stays possible until they really open the page)."""
    flow = _flow_or_404(request, pk)
    response = render(request, "documents/_flow_panel.html", _flow_context(request, flow))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def reply(request, pk):
    """答复: start a draft answering this 收文 and open it."""
    flow = _flow_or_404(request, pk)
    data = incoming.reply_defaults(flow)
    title = request.POST.get("title", "").strip()
    if title:
        data["title"] = title
    if request.POST.get("doc_type"):
        data["doc_type"] = request.POST["doc_type"]
    try:
        document = incoming.start_reply(request.user, flow, data)
    except ServiceError as exc:
        if exc.status_code == 403:
            return render(request, "documents/flow_refused.html", {"message": exc.message}, status=403)
        messages.error(request, exc.message)
        return redirect("documents:flow", pk=flow.pk)
    messages.success(request, "已创建答复草稿。")
    return redirect("documents:edit", pk=document.pk)


def _sealing_context(user, flow) -> dict:
    if flow.kind != FlowKind.OUTGOING:
        return {}
    document = flow.document
    sealed = sealing.sealed_of(document)
    return {
        "sealed": sealed,
        "sealed_issuers": list(sealed.issuer_seals.select_related("unit", "seal", "actor")) if sealed else [],
        "seal_report": sealing.verification(sealed),
        "can_seal": sealing.can_seal_now(user, document),
        "next_issuer": sealing.next_issuer(document) if flow.state == "sealing" else None,
    }


@login_required
def sealed_pdf(request, pk):
    """The sealed PDF, for whoever may see the flow (the document's unit and everyone who acted on it)."""
    flow = _flow_or_404(request, pk)
    sealed = sealing.sealed_of(flow.document) if flow.kind == FlowKind.OUTGOING else None
    if sealed is None or not sealed.file:
        raise Http404("该公文尚未用印。")
    response = HttpResponse(sealing.sealed_pdf(sealed), content_type="application/pdf")
    name = f"{flow.document.doc_number or flow.document.title}（用印）.pdf"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def signed_sheet_pdf(request, pk):
    """The 发文稿纸 signed by the leader at 签发, for whoever may see the flow."""
    flow = _flow_or_404(request, pk)
    sheet = signoff_signature.latest_for(flow)
    if sheet is None or not sheet.signed:
        raise Http404("发文稿纸尚未电子签名。")
    response = HttpResponse(signoff_signature.sheet_pdf(sheet), content_type="application/pdf")
    name = f"{flow.document.doc_number or flow.document.title}（签发稿纸）.pdf"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_POST
def sign_sheet_again(request, pk):
    flow = _flow_or_404(request, pk)
    try:
        signoff_signature.sign_again(request.user, flow)
        messages.success(request, "发文稿纸已电子签名。")
    except ServiceError as exc:
        if exc.status_code == 403:
            return render(request, "documents/flow_refused.html", {"message": exc.message}, status=403)
        messages.error(request, exc.message)
    return redirect("documents:flow", pk=flow.pk)


def _form_data(post) -> dict:
    data = {key: post.get(key) for key in post}
    for key in ("countersigners", "assisting", "readers", "cooperating_units"):
        data[key] = post.getlist(key)
    if post.get("strokes"):
        try:
            data["strokes"] = json.loads(post["strokes"])
        except ValueError:
            data["strokes"] = None
    return data


@login_required
@require_POST
def flow_action(request, pk):
    flow = _flow_or_404(request, pk)
    try:
        perform(request.user, flow, _form_data(request.POST))
        messages.success(request, "已办理。")
    except ServiceError as exc:
        if exc.status_code == 403:
            return render(request, "documents/flow_refused.html", {"message": exc.message}, status=403)
        messages.error(request, exc.message)
    if request.POST.get("next") == "sign":
        return redirect("documents:sign_queue")
    return redirect("documents:flow", pk=flow.pk)


@login_required
@require_POST
def submit(request, pk):
    """拟稿人 sends the draft into the 发文 flow (the button on the drafting page)."""
    try:
        document = get_document(request.user, pk)
        flow = outgoing.submit(
            request.user,
            document,
            opinion=request.POST.get("opinion", ""),
            important=True if request.POST.get("important") == "1" else None,
        )
    except NotFoundError as exc:
        raise Http404(exc.message) from None
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("documents:edit", pk=pk)
    messages.success(request, "已提交。")
    return redirect("documents:flow", pk=flow.pk)


@login_required
def sheet_pdf(request, pk):
    flow = _flow_or_404(request, pk)
    name = "发文稿纸" if flow.kind == FlowKind.OUTGOING else "收文处理笺"
    response = HttpResponse(render_sheet(flow), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{name}-{flow.pk}.pdf".encode().decode(
        "latin-1", "ignore"
    )
    return response


URGENCY_RANK = {"特急": 0, "加急": 1}


@login_required
def sign_queue(request):
    """领导签批 on a tablet: my 签发/复核 tasks, most urgent first; the first one opens by itself."""
    principals = engine.principals_of(request.user)
    flows = (
        Flow.objects.filter(
            kind=FlowKind.OUTGOING,
            finished_at__isnull=True,
            state__in=("signoff", "recheck", "countersign"),
            tasks__state="open",
            tasks__assignee_id__in={request.user.pk, *principals},
        )
        .select_related("document")
        .distinct()
    )
    queue = sorted(flows, key=lambda f: (URGENCY_RANK.get(f.document.urgency, 2), f.started_at))
    if queue and request.GET.get("list") != "1":
        return redirect("documents:sign", pk=queue[0].pk)
    return render(request, "documents/sign_queue.html", {"queue": queue, "nav_key": "outgoing"})


@login_required
def sign(request, pk):
    flow = _flow_or_404(request, pk)
    if flow.kind != FlowKind.OUTGOING:
        raise Http404("没有找到该办理流程。")
    mark_opened(request.user, flow)
    return render(
        request,
        "documents/sign.html",
        {
            "flow": flow,
            "document": flow.document,
            "mine": _my_tasks(request.user, flow),
            "sha": outgoing.current_sha256(flow.document),
            "opinions": COMMON_OPINIONS,
            "state_label": LABELS[flow.kind].get(flow.state, flow.state),
            "nav_key": "outgoing",
        },
    )


@login_required
def overdue(request):
    if not request.user.unit_id:
        raise Http404("没有单位。")
    items = incoming.overdue(request.user.unit).select_related("flow")
    return render(request, "documents/overdue.html", {"items": items, "nav_key": "incoming"})


@login_required
def incoming_list(request):
    """本单位收文: filtered by 状态 (or 我的待办 / 已超期), searched by title, paged; the 收文登记 form for the
    收发员."""
    from django.core.paginator import Paginator

    from oa import permissions as perms

    if not request.user.unit_id:
        message = "您的账号未归属任何单位，没有收文可以查看。请联系单位管理员。"
        return render(request, "documents/flow_refused.html", {"message": message}, status=403)
    unit = request.user.unit
    can_receive = perms.can(request.user, "documents.receive_document", unit)
    if request.method == "POST":
        try:
            flow = incoming.receive(
                request.user,
                unit=unit,
                title=request.POST.get("title", ""),
                sender_name=request.POST.get("sender_name", ""),
                doc_type=request.POST.get("doc_type", "")[:4],
                source_number=request.POST.get("source_number", "")[:60],
                urgency=request.POST.get("urgency", ""),
            )
        except ServiceError as exc:
            if exc.status_code == 403:
                return render(request, "documents/flow_refused.html", {"message": exc.message}, status=403)
            messages.error(request, exc.message)
        else:
            messages.success(request, "已登记收文，请签收。")
            return redirect("documents:flow", pk=flow.pk)
    q = request.GET.get("q", "")
    query, tabs, status, today = lists.incoming(request.user, status=request.GET.get("status", ""), q=q)
    page = Paginator(query, INCOMING_PAGE_SIZE).get_page(request.GET.get("page"))
    items = lists.mark_overdue(list(page.object_list), today)
    return render(
        request,
        "documents/incoming_list.html",
        {
            "page": page,
            "items": items,
            "tabs": tabs,
            "status": status,
            "q": q.strip(),
            "can_receive": can_receive,
            "labels": LABELS[FlowKind.INCOMING],
            "nav_key": "incoming",
        },
    )


INCOMING_PAGE_SIZE = 20
