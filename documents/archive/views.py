"""档案 pages: thin views over ``documents.archive.services``.

Who sees what (``documents.archive.rules``): a unit's 档案员 and leaders (签发人) read its archive; only the
档案员 sees the 待归档 tab and files documents. The index answers 403 to everyone else, an item of a unit the
person may not read answers 404 (ids cannot be probed). Every edit/delete request is refused with 409 and
recorded in the audit trail; a mistake is put right by a 更正记录 (``correct``), 档案员 only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from documents.models import Document, IncomingDocument
from oa import permissions as perms
from oa.core.errors import NotFoundError, ServiceError

from . import corrections, evidence, services
from .models import ArchiveImmutableError, CorrectableField, Retention

PAGE_SIZE = 30


def _item_or_404(user, pk):
    try:
        return services.get_item(user, pk)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


@login_required
@require_GET
def index(request):
    user = request.user
    if not services.viewable_unit_ids(user):
        return render(
            request, "archive/denied.html", {"message": services.VIEW_DENIED, "nav_key": "archive"}, status=403
        )
    is_archivist = bool(services.archivist_unit_ids(user))
    tab = request.GET.get("tab") or ("pending" if is_archivist else "archived")
    if tab not in ("pending", "archived") or (tab == "pending" and not is_archivist):
        tab = "archived"
    year, retention = _int(request.GET.get("year")), request.GET.get("retention", "")
    retention = retention if retention in Retention.values else ""
    archived = services.items_for(user, year=year, retention=retention)
    page = Paginator(archived, PAGE_SIZE).get_page(request.GET.get("page"))
    pending = services.candidates(user) if is_archivist else []
    years = sorted(set(services.items_for(user).values_list("year", flat=True)), reverse=True)
    return render(
        request,
        "archive/index.html",
        {
            "nav_key": "archive",
            "tab": tab,
            "is_archivist": is_archivist,
            "pending": pending,
            "page": page,
            "archived_count": archived.count(),
            "retentions": Retention.choices,
            "years": years,
            "year": year,
            "retention": retention,
            "default_org_code": services.DEFAULT_ORG_CODE,
        },
    )


def _source(key: str):
    """'document:12' / 'incoming:7' → the object, or None."""
    kind, _, pk = (key or "").partition(":")
    if not pk.isdigit():
        return None
    model = {"document": Document, "incoming": IncomingDocument}.get(kind)
    obj = model.objects.filter(pk=pk).first() if model else None
    return {kind: obj} if obj is not None else None


@login_required
@require_POST
def archive_one(request):
    source = _source(request.POST.get("item", ""))
    if source is None:
        messages.error(request, "没有找到要归档的公文。")
        return redirect("archive:index")
    try:
        item = services.archive(
            request.user, retention=request.POST.get("retention"), org_code=request.POST.get("org_code"), **source
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("archive:index")
    messages.success(request, f"已归档，档号 {item.archive_code}。")
    return redirect("archive:detail", pk=item.pk)


@login_required
@require_POST
def archive_batch(request):
    documents, incomings = [], []
    for key in request.POST.getlist("items"):
        source = _source(key)
        if source:
            (documents if "document" in source else incomings).extend(source.values())
    if not documents and not incomings:
        messages.error(request, "请勾选要归档的公文。")
        return redirect("archive:index")
    items, errors = services.archive_many(
        request.user,
        documents=documents,
        incomings=incomings,
        retention=request.POST.get("retention"),
        org_code=request.POST.get("org_code"),
    )
    if items:
        messages.success(request, f"已归档 {len(items)} 件：" + "、".join(i.archive_code for i in items))
    for error in errors:
        messages.error(request, error)
    return redirect("archive:index")


def _display(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return "，".join(f"{k}：{v}" for k, v in value.items())
    if isinstance(value, list):
        return "；".join(_display(v) for v in value)
    return str(value)


def _detail_context(item, user) -> dict:
    verification = services.verify(item)
    files = [
        {"file": f, "status": verification.files.get(f.name, ""), "label": f.get_kind_display()}
        for f in item.files.order_by("id")
    ]
    metadata = [(key, value) for key, value in item.metadata.items() if isinstance(value, (str, int, float))]
    current = corrections.current_values(item)
    return {
        "item": item,
        "current": current,
        "corrected_fields": {c.field for c in item.corrections.all()},
        "corrections": item.corrections.order_by("seq"),
        "correctable": CorrectableField.choices,
        "can_correct": perms.can(user, "archive.correct_item", item),
        "files": files,
        "verification": verification,
        "metadata": metadata,
        "elements": [(k, _display(v)) for k, v in item.metadata.get("格式要素", {}).items() if k != "正文"],
        "process": item.metadata.get("办理过程", []),
        "exchange": item.metadata.get("公文交换", {}),
        "deliveries": [
            {
                "unit": d.get("收文单位"),
                "kind": d.get("主送/抄送"),
                "state": d.get("状态"),
                "reason": d.get("原因"),
                "at": d.get("时间"),
            }
            for d in item.metadata.get(evidence.SUMMARY_KEY, [])
        ],
        "receipts": evidence.receipt_rows(item, verification),
        "nav_key": "archive",
    }


@login_required
@require_GET
def detail(request, pk: int):
    return render(request, "archive/detail.html", _detail_context(_item_or_404(request.user, pk), request.user))


@login_required
@require_GET
def export(request, pk: int):
    item = _item_or_404(request.user, pk)
    try:
        data = services.export(request.user, item)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("archive:detail", pk=item.pk)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="archive-{item.pk}.zip"'
    return response


@login_required
@require_GET
def evidence_file(request, pk: int, ref: str):
    """Download one 回执 (or other archived file) of the item: those who read the item; audited."""
    item = _item_or_404(request.user, pk)
    try:
        name, data = services.evidence_file(request.user, item, ref)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    return _attachment(data, name)


def _attachment(data: bytes, name: str) -> HttpResponse:
    from urllib.parse import quote

    content_type = "application/json" if name.endswith(".json") else "application/octet-stream"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def edit(request, pk: int):
    """There is no editing an archived item: the request is recorded and refused."""
    item = _item_or_404(request.user, pk)
    try:
        services.refuse_change(request.user, item, "修改" if request.method != "DELETE" else "删除")
    except ArchiveImmutableError as exc:
        context = _detail_context(item, request.user)
        context["refusal"] = exc.message
        return render(request, "archive/detail.html", context, status=exc.status_code)
    raise AssertionError("unreachable")  # pragma: no cover


@login_required
@require_POST
def correct(request, pk: int):
    """登记更正: a correction record (the item and its files stay as archived). A leader who reads the item is
    refused with 403, a bad form (no reason, …) is shown again with the message (400)."""
    item = _item_or_404(request.user, pk)
    form = {key: request.POST.get(key, "") for key in ("field", "new_value", "reason")}
    try:
        correction = corrections.correct(request.user, item, **form)
    except ServiceError as exc:
        context = _detail_context(item, request.user)
        context.update(correction_error=exc.message, correction_form=form)
        return render(request, "archive/detail.html", context, status=exc.status_code)
    messages.success(
        request, f"已登记更正：{correction.get_field_display()}更正为“{correction.new_value}”。归档文件未作任何改动。"
    )
    return redirect("archive:detail", pk=item.pk)
