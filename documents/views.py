"""Drafting pages. Thin: parse, call a service, render. A draft of another unit is a 404, never a 403."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from oa import permissions as perms
from oa.core.errors import NotFoundError, ServiceError
from oa.org.models import Person, Role, Unit

from . import services
from .body import KIND_LABELS, KINDS
from .checker import ERROR
from .forms import DocumentForm, UnitTemplateForm, initial_for
from .models import Document, UnitTemplate, template_of
from .render import (
    check_with_layout,
    page_png,
    preview_watermark,
    render_docx,
    render_pdf,
    renderer_available,
    state_key,
)
from .selectors import get_document, get_readable_document
from .services.drafting import attachment_filename
from .versions import changes_by_person, compare
from .workflow import lists
from .workflow.models import Flow

NAV = {"nav_key": "outgoing"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "ofd": "application/ofd",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "tiff": "image/tiff",
}
PREVIEW_CACHE_SECONDS = 120
# Checker findings shown next to a form field of another name.
FINDING_FIELD = {"main_units": "main_recipients", "attachments": "attachments"}
AUTHOR_COLOURS = 8


def _document_or_404(request, pk, perm="documents.view_document") -> Document:
    try:
        return get_document(request.user, pk, perm)
    except NotFoundError:
        raise Http404("没有找到该公文。") from None


def _readable_or_404(request, pk) -> Document:
    """Preview pages follow the flow: whoever may see the flow may read the draft (``documents.read_document``)."""
    try:
        return get_readable_document(request.user, pk)
    except NotFoundError:
        raise Http404("没有找到该公文。") from None


PAGE_SIZE = 20


@login_required
def index(request):
    """发文: every draft of the unit, filtered by 状态 (or 我的待办), searched by title, paged."""
    q = request.GET.get("q", "")
    mine = request.GET.get("mine") == "1"
    query, tabs, status = lists.outgoing(request.user, status=request.GET.get("status", ""), q=q, mine=mine)
    page = Paginator(query, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/index.html",
        {
            **NAV,
            "page": page,
            "tabs": tabs,
            "status": status,
            "q": q.strip(),
            "mine": mine,
            "can_draft": perms.can(request.user, "documents.add_document"),
            "template_units": _administered_units(request.user),
        },
    )


@login_required
def create(request):
    if not perms.can(request.user, "documents.add_document"):
        raise Http404("您没有拟稿权限。")
    unit = request.user.unit
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES, unit=unit)
        if form.is_valid():
            try:
                document = services.create_draft(
                    request.user,
                    form.changes(),
                    files=form.cleaned_data["attachments"],
                    docx=form.cleaned_data["import_docx"],
                )
            except ServiceError as exc:
                _add_error(form, exc)
            else:
                messages.success(request, "草稿已保存（第1版）。")
                return redirect("documents:edit", pk=document.pk)
        return _editor(request, form, None, status=400)
    template = template_of(unit)
    form = DocumentForm(
        unit=unit,
        initial={
            "issuers": [unit.pk],
            "printer": template.default_printer,
            "publicity": "主动公开",
            "doc_type": "通知",
        },
    )
    return _editor(request, form, None)


@login_required
def edit(request, pk):
    document = _document_or_404(request, pk)
    unit = document.owner_unit
    if request.method == "POST":
        if not perms.can(request.user, "documents.change_document", document):
            messages.error(request, "该公文当前不能修改。")
            return redirect("documents:edit", pk=pk)
        form = DocumentForm(request.POST, request.FILES, unit=unit, document=document)
        if form.is_valid():
            try:
                _, version = services.update_draft(
                    request.user,
                    document,
                    form.changes(),
                    files=form.cleaned_data["attachments"],
                    docx=form.cleaned_data["import_docx"],
                    base_version=form.cleaned_data.get("base_version"),
                )
            except ServiceError as exc:
                _add_error(form, exc)
            else:
                if version is None:
                    messages.info(request, "内容没有变化，未生成新版本。")
                else:
                    messages.success(request, f"已保存为第{version.number}版。")
                return redirect("documents:edit", pk=pk)
        return _editor(request, form, document, status=400)
    form = DocumentForm(unit=unit, document=document, initial=initial_for(document))
    return _editor(request, form, document)


def _add_error(form, exc: ServiceError) -> None:
    field = exc.field if exc.field in form.fields else None
    if exc.field == "file":
        field = "attachments" if "attachments" in form.fields else None
    if field is not None and form.fields[field].widget.is_hidden:
        field = None  # shown at the top of the form
    form.add_error(field, exc.message)


def _editor(request, form, document, status=200):
    findings = check_with_layout(document) if document is not None else []
    by_field: dict[str, list] = {}
    for finding in findings:
        by_field.setdefault(finding.field, []).append(finding)
    rows = {
        name: {"field": form[name], "findings": by_field.get(FINDING_FIELD.get(name, name), [])} for name in form.fields
    }
    context = {
        **NAV,
        "form": form,
        "rows": rows,
        "empty_block": {"kind": "paragraph", "text": ""},
        "document": document,
        "blocks": form.editor_blocks(),
        "block_kinds": [(k, KIND_LABELS[k]) for k in KINDS],
        "selected_issuers": form.selected_issuers() or [],
        "findings": findings,
        "findings_by_field": by_field,
        "has_blocking": any(f.severity == ERROR for f in findings),
        "attachments": list(document.active_attachments()) if document else [],
        "can_edit": document is None or perms.can(request.user, "documents.change_document", document),
        "can_number": document is not None
        and perms.can(request.user, "documents.assign_number", document)
        and not document.doc_number,
        "renderer": renderer_available(),
        "version": document.versions.order_by("-number").first() if document else None,
    }
    return render(request, "documents/edit.html", context, status=status)


@login_required
def attachment(request, pk, attachment_id):
    document = _document_or_404(request, pk)
    item = document.attachments.filter(pk=attachment_id).first()
    if item is None:
        raise Http404("没有找到该附件。")
    response = FileResponse(
        item.file.open("rb"),
        content_type=CONTENT_TYPES.get(item.kind, "application/octet-stream"),
        as_attachment=True,
        filename=attachment_filename(item),
    )
    return response


@login_required
@require_POST
def remove_attachment(request, pk, attachment_id):
    document = _document_or_404(request, pk)
    try:
        version = services.remove_attachment(request.user, document, attachment_id)
        messages.success(request, f"附件已删除（第{version.number}版，可从历史版本恢复）。")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("documents:edit", pk=pk)


@login_required
@require_POST
def assign_number(request, pk):
    document = _document_or_404(request, pk)
    try:
        number = services.assign_number(request.user, document)
        messages.success(request, f"已编发文字号：{number}")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("documents:edit", pk=pk)


# --- versions --------------------------------------------------------------------------------------------


def _authors(versions) -> dict[int, dict]:
    ids = sorted({v.author_id for v in versions})
    people = Person.objects.in_bulk(ids)
    return {pk: {"name": str(people.get(pk, "")), "colour": n % AUTHOR_COLOURS} for n, pk in enumerate(ids)}


def _range(request, document):
    versions = list(document.versions.select_related("author").order_by("number"))
    if not versions:
        raise Http404("该公文还没有版本。")
    try:
        start = int(request.GET.get("from", versions[0].number))
        end = int(request.GET.get("to", versions[-1].number))
    except ValueError:
        raise Http404("版本号不正确。") from None
    if start > end:
        start, end = end, start
    chosen = [v for v in versions if start <= v.number <= end]
    if not chosen or chosen[0].number != start or chosen[-1].number != end:
        raise Http404("没有找到该版本。")
    return versions, chosen


@login_required
def versions(request, pk):
    document = _document_or_404(request, pk)
    items = list(document.versions.select_related("author").order_by("-number"))
    return render(
        request,
        "documents/versions.html",
        {
            **NAV,
            "document": document,
            "versions": items,
            "can_edit": perms.can(request.user, "documents.change_document", document),
        },
    )


@login_required
def diff(request, pk):
    document = _document_or_404(request, pk)
    all_versions, chosen = _range(request, document)
    if len(chosen) == 1 and len(all_versions) > 1 and "from" not in request.GET:
        chosen = all_versions[-2:]
    authors = _authors(chosen[1:] or chosen)
    fields = compare(chosen, include_unchanged=request.GET.get("all") == "1")
    return render(
        request,
        "documents/diff.html",
        {
            **NAV,
            "document": document,
            "versions": all_versions,
            "start": chosen[0],
            "end": chosen[-1],
            "fields": fields,
            "authors": authors,
        },
    )


@login_required
def changes(request, pk):
    document = _document_or_404(request, pk)
    all_versions, chosen = _range(request, document)
    authors = _authors(chosen)
    people = changes_by_person(chosen)
    rows = [{"author": authors.get(a, {"name": "", "colour": 0}), "summary": s} for a, s in people.items()]
    return render(
        request,
        "documents/changes.html",
        {
            **NAV,
            "document": document,
            "versions": all_versions,
            "start": chosen[0],
            "end": chosen[-1],
            "people": rows,
        },
    )


@login_required
@require_POST
def restore(request, pk, number):
    document = _document_or_404(request, pk)
    try:
        version = services.restore_version(request.user, document, number)
        messages.success(request, f"已恢复为第{number}版的内容（保存为第{version.number}版）。")
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("documents:versions", pk=pk)
    return redirect("documents:edit", pk=pk)


# --- preview ---------------------------------------------------------------------------------------------


def preview_bytes(user, document) -> tuple[bytes, int]:
    """The watermarked PDF for this viewer, cached briefly so page images do not re-render it each.
    Callers check ``documents.read_document`` first (``get_readable_document``)."""
    key = f"documents:preview:{state_key(document)}:{user.pk}"
    cached = cache.get(key)
    if cached is None:
        result = render_pdf(document, watermark=preview_watermark(user))
        cached = (result.pdf, result.page_count)
        cache.set(key, cached, PREVIEW_CACHE_SECONDS)
    return cached


def _preview_pdf(request, document) -> tuple[bytes, int]:
    return preview_bytes(request.user, document)


def _renderer_or_503():
    if not renderer_available():
        return HttpResponse("排版组件尚未安装，暂时无法预览。", status=503, content_type="text/plain; charset=utf-8")
    return None


@login_required
def preview(request, pk):
    document = _readable_or_404(request, pk)
    unavailable = None
    pages = 0
    if not renderer_available():
        unavailable = "排版组件尚未安装，暂时无法预览。"
    else:
        try:
            _, pages = _preview_pdf(request, document)
        except ServiceError as exc:
            unavailable = exc.message
    return render(
        request,
        "documents/preview.html",
        {
            **NAV,
            "document": document,
            "pages": range(1, pages + 1),
            "unavailable": unavailable,
            "own_unit": perms.can(request.user, "documents.view_document", document),
            "flow": Flow.objects.filter(document=document).first(),
        },
        status=200 if unavailable is None else 503,
    )


@login_required
def preview_pdf(request, pk):
    document = _readable_or_404(request, pk)
    missing = _renderer_or_503()
    if missing:
        return missing
    try:
        pdf, _ = _preview_pdf(request, document)
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status_code, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=preview-{document.pk}.pdf"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def preview_page(request, pk, page):
    document = _readable_or_404(request, pk)
    missing = _renderer_or_503()
    if missing:
        return missing
    try:
        pdf, count = _preview_pdf(request, document)
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status_code, content_type="text/plain; charset=utf-8")
    if not 1 <= page <= count:
        raise Http404("没有这一页。")
    response = HttpResponse(page_png(pdf, page), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def export_docx(request, pk):
    document = _document_or_404(request, pk)
    missing = _renderer_or_503()
    if missing:
        return missing
    try:
        data = render_docx(document)
    except ServiceError as exc:
        return HttpResponse(exc.message, status=exc.status_code, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=CONTENT_TYPES["docx"])
    response["Content-Disposition"] = f"attachment; filename=document-{document.pk}.docx"
    return response


# --- per-unit templates ----------------------------------------------------------------------------------


def _administered_units(user) -> list[Unit]:
    ids = [unit_id for role, unit_id in perms.roles_of(user) if role == Role.UNIT_ADMIN]
    return list(Unit.objects.filter(pk__in=ids, is_active=True).order_by("path")) if ids else []


@login_required
def unit_template(request, unit_id):
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or not perms.can(request.user, "documents.manage_template", unit):
        raise Http404("没有找到该单位的发文模板。")
    template = template_of(unit)
    if request.method == "POST":
        form = UnitTemplateForm(request.POST, instance=UnitTemplate(unit=unit))
        if form.is_valid():
            try:
                services.update_unit_template(request.user, unit, form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "发文模板已保存。")
                return redirect(reverse("documents:unit_template", args=[unit.pk]))
        status = 400
    else:
        form = UnitTemplateForm(instance=template)
        status = 200
    children = unit.children.filter(is_active=True).order_by("sort_order", "path")[:200]
    return render(
        request,
        "documents/unit_template.html",
        {
            **NAV,
            "unit": unit,
            "form": form,
            "children": children,
        },
        status=status,
    )
