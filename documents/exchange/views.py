"""Exchange pages: thin views over ``documents.exchange.services``. Both live pages render from the database
and resync from their .json twins, so they are whole after a reload and after a missed push."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from documents.models import Document
from oa.core.errors import NotFoundError, ServiceError
from oa.org.models import Level, Unit

from . import access, push, services, urging
from .models import Delivery, State

INBOX_LIMIT = 200


def _inbox_context(user) -> dict:
    unit_ids = sorted(access.watched_unit_ids(user))
    rows = list(services.inbox_for(user)[:INBOX_LIMIT])
    return {"unit_ids": unit_ids, "rows": rows, "streams": push.current(unit_ids)}


@login_required
@require_GET
def inbox(request):
    context = _inbox_context(request.user)
    context.update(
        units=access.units(context["unit_ids"]), nav_key="exchange", can_act=access.acting_unit_ids(request.user)
    )
    return render(request, "exchange/inbox.html", context)


@require_GET
def inbox_json(request):
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "请先登录。"}, status=401)
    context = _inbox_context(request.user)
    return JsonResponse({"streams": context["streams"], "rows": [services.row_json(row) for row in context["rows"]]})


@login_required
@require_GET
def sent(request):
    unit_ids = access.watched_unit_ids(request.user)
    documents = (
        Document.objects.filter(owner_unit_id__in=unit_ids, deliveries__isnull=False)
        .annotate(
            total=Count("deliveries"),
            signed=Count("deliveries", filter=Q(deliveries__state=State.SIGNED)),
            open=Count("deliveries", filter=Q(deliveries__state__in=[State.PENDING, State.DELIVERED])),
        )
        .order_by("-pk")[:200]
    )
    ready = Document.objects.filter(
        owner_unit_id__in=access.acting_unit_ids(request.user), status__in=services.DISPATCHABLE
    ).order_by("-pk")[:50]
    return render(request, "exchange/sent.html", {"documents": documents, "ready": ready, "nav_key": "exchange"})


def _board_or_404(user, document_id) -> Document:
    try:
        return services.get_document_for_board(user, document_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def board(request, document_id: int):
    document = _board_or_404(request.user, document_id)
    data = services.board(document)
    return render(
        request,
        "exchange/board.html",
        {
            "document": document,
            "board": data,
            "states": State.choices,
            "seq": push.current([document.owner_unit_id])[document.owner_unit_id],
            "can_act": access.can_act(request.user, document.owner_unit_id),
            "nav_key": "exchange",
        },
    )


@require_GET
def board_json(request, document_id: int):
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "请先登录。"}, status=401)
    try:
        document = services.get_document_for_board(request.user, document_id)
    except NotFoundError as exc:
        return JsonResponse({"detail": exc.message}, status=404)
    data = services.board(document)
    return JsonResponse(
        {
            "streams": push.current([document.owner_unit_id]),
            "total": data["total"],
            "by_state": data["by_state"],
            "by_level": data["by_level"],
            "rows": [services.row_json(row) for row in data["rows"]],
        }
    )


@login_required
def dispatch(request, document_id: int):
    document = Document.objects.filter(pk=document_id).first()
    if document is None or not access.can_act(request.user, document.owner_unit_id):
        raise Http404("该公文不存在或无权分发。")
    main, cc = services.addressee_units(document)
    if request.method == "POST":

        def units_of(key):
            ids = [v for v in request.POST.getlist(key) if v.isdigit()]
            return list(Unit.objects.filter(pk__in=ids))

        levels = []
        parent_id, level = request.POST.get("parent", ""), request.POST.get("level", "")
        if parent_id.isdigit() and level.isdigit():
            parent = Unit.objects.filter(pk=parent_id).first()
            if parent is not None:
                levels.append((parent, int(level)))
        try:
            created = services.dispatch(
                request.user,
                document,
                units_of("main"),
                cc=units_of("cc"),
                include_levels_under=levels,
                want_done_receipt=request.POST.get("want_done_receipt") == "1",
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已分发至 {len(created)} 个单位。")
            return redirect("exchange:board", document_id=document.pk)
    return render(
        request,
        "exchange/dispatch.html",
        {
            "document": document,
            "main": main,
            "cc": cc,
            "units": Unit.objects.filter(is_active=True).exclude(pk=document.owner_unit_id).order_by("path"),
            "levels": Level.choices,
            "nav_key": "exchange",
        },
    )


def _act(request, delivery_id, fn, success: str, back: str, **kwargs):
    try:
        fn(request.user, delivery_id, **kwargs)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    if back == "board":
        document_id = Delivery.objects.filter(pk=delivery_id).values_list("document_id", flat=True).first()
        return redirect("exchange:board", document_id=document_id)
    return redirect("exchange:inbox")


@login_required
@require_POST
def sign_for(request, delivery_id: int):
    return _act(request, delivery_id, services.sign_for, "已签收，已生成收文并发送回执。", "inbox")


@login_required
@require_POST
def return_delivery(request, delivery_id: int):
    return _act(
        request,
        delivery_id,
        services.return_delivery,
        "已退回发文单位。",
        "inbox",
        reason=request.POST.get("reason", ""),
    )


@login_required
@require_POST
def recall(request, delivery_id: int):
    return _act(request, delivery_id, services.recall, "已撤回。", "board", reason=request.POST.get("reason", ""))


@login_required
@require_POST
def resend(request, delivery_id: int):
    return _act(request, delivery_id, services.resend, "已重新发送。", "board")


@login_required
@require_POST
def urge(request, delivery_id: int):
    note = request.POST.get("note", "")
    return _act(request, delivery_id, urging.urge, "已催收，对方收发员已收到提醒。", "board", note=note)


@login_required
@require_POST
def urge_unsigned(request, document_id: int):
    document = _board_or_404(request.user, document_id)
    try:
        done = urging.urge_unsigned(request.user, document, note=request.POST.get("note", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        skipped = f"；{done['skipped']} 个单位 30 分钟内已催收，本次跳过" if done["skipped"] else ""
        messages.success(request, f"已向 {done['urged']} 个未签收单位催收{skipped}。")
    return redirect("exchange:board", document_id=document.pk)


@login_required
@require_GET
def export_package(request, document_id: int):
    from django.http import HttpResponse

    from . import transfer

    document = _board_or_404(request.user, document_id)
    response = HttpResponse(transfer.export(document, with_receipts=True), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="exchange-{document.pk}.zip"'
    return response


@login_required
def import_package(request):
    from . import transfer

    units = access.units(access.acting_unit_ids(request.user))
    if request.method == "POST":
        upload = request.FILES.get("package")
        unit = next((u for u in units if str(u.pk) == request.POST.get("unit", "")), None)
        if upload is None or unit is None:
            messages.error(request, "请选择收文单位和交换包文件。")
        else:
            try:
                transfer.import_package(request.user, upload.read(), unit=unit)
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, "交换包校验通过，已登记为收文。")
                return redirect("exchange:inbox")
    return render(request, "exchange/import.html", {"units": units, "nav_key": "exchange"})
