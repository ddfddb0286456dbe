"""验章 page (open to everyone), the public CRL, and the seal registry pages.

验章 is open without signing in: a sealed PDF travels to people outside the platform (other units,
citizens, auditors) and anyone holding it must be able to check who sealed it and whether it changed
(architecture: "every sealed PDF can be verified by anyone holding it"). The report reveals nothing beyond
what is in the file and in the public CRL. Anonymous use is rate-limited per client address and bounded
by the size limit, so it cannot be used to load the server.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from oa import permissions as perms
from oa.core.context import current_request_info
from oa.core.errors import ServiceError
from oa.org.models import Person, Role, Unit
from signing import conf
from signing.models import Certificate, RevocationList, Seal, SealKind, SealUse
from signing.services import seals as seal_services
from signing.verify import VerificationInputError, verify_pdf


def anonymous_rate_limited(request) -> bool:
    if request.user.is_authenticated:
        return False
    address = current_request_info().client_address or request.META.get("REMOTE_ADDR", "")
    key = f"signing:verify:{address}"
    count = cache.get_or_set(key, 0, timeout=60)
    if count >= conf.verify_anon_per_minute():
        return True
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=60)
    return False


def parse_expected(raw) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 20:
        raise VerificationInputError("bad_expected_seals", "应有印章数须为 1～20 之间的整数。")
    return int(raw)


@require_http_methods(["GET", "POST"])
def verify_page(request):
    context = {"nav_key": "", "max_mb": conf.verify_max_bytes() // (1024 * 1024)}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if anonymous_rate_limited(request):
                raise VerificationInputError("rate_limited", "验章请求过于频繁，请稍后再试或登录后使用。")
            expected = parse_expected(request.POST.get("expected_seals"))
            if upload is None:
                raise VerificationInputError("file_empty", "请选择要验证的 PDF 文件。")
            if upload.size > conf.verify_max_bytes():
                raise VerificationInputError(
                    "file_too_large", f"文件太大，验章最多接受 {context['max_mb']} MB 的 PDF。"
                )
            report = verify_pdf(upload.read(), expected_seals=expected)
            context.update(report=report, filename=upload.name)
        except VerificationInputError as exc:
            context.update(error=exc.message, error_code=exc.code)
            status = 429 if exc.code == "rate_limited" else 400
    return render(request, "signing/verify.html", context, status=status)


def crl(request, issuer_id: int):
    """The CRL of one of our CAs (DER), public like any CRL distribution point."""
    issuer = get_object_or_404(Certificate, pk=issuer_id)
    from signing.ca import current_crl

    crl_obj: RevocationList | None = current_crl(issuer)
    if crl_obj is None:
        raise Http404("没有证书吊销列表。")
    response = HttpResponse(bytes(crl_obj.der), content_type="application/pkix-crl")
    response["Content-Disposition"] = f'attachment; filename="ca-{issuer_id}.crl"'
    return response


# --- seal registry ---------------------------------------------------------------------------------------


def visible_seals(user):
    """Seals a person may see in the registry: their units' (as 印章管理员 or 单位管理员 over it);
    the 安全管理员 and 审计管理员 see all."""
    qs = Seal.objects.select_related("unit", "certificate")
    if perms.is_security_admin(user) or perms.is_audit_admin(user):
        return qs
    q = Q(custodians=user) | Q(unit_id__in=[u for r, u in perms.roles_of(user) if r == Role.SEAL_KEEPER])
    for path in perms.admin_unit_paths(user):
        q |= perms.subtree_q(path)
    return qs.filter(q).distinct()


@login_required
def seal_list(request):
    seals = visible_seals(request.user).prefetch_related("custodians")
    can_create = perms.can(request.user, "signing.manage_seals")
    return render(request, "signing/seals.html", {"seals": seals, "can_create": can_create, "nav_key": ""})


def _manageable_units(user):
    units = Unit.objects.filter(is_active=True)
    q = perms.administered_q(user, "")
    return units if q is None else units.filter(q)


@login_required
@require_http_methods(["GET", "POST"])
def seal_create(request):
    units = _manageable_units(request.user) if perms.can(request.user, "signing.manage_seals") else Unit.objects.none()
    if not units.exists():
        raise Http404("没有可以登记印章的单位。")
    if request.method == "POST":
        try:
            unit = units.filter(pk=request.POST.get("unit")).first()
            if unit is None:
                raise ServiceError("请选择单位。")
            image = request.FILES.get("image")
            seal = seal_services.create_seal(
                request.user,
                unit,
                kind=request.POST.get("kind") or SealKind.OFFICIAL,
                special_name=request.POST.get("special_name", ""),
                image_png=image.read() if image else None,
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已登记印章：{seal.name}")
            return redirect("signing:seal_detail", seal.pk)
    return render(request, "signing/seal_create.html", {"units": units[:500], "kinds": SealKind.choices, "nav_key": ""})


def _seal_for(request, seal_id: int) -> Seal:
    seal = visible_seals(request.user).filter(pk=seal_id).first()
    if seal is None:
        raise Http404("没有这枚印章。")
    return seal


@login_required
@require_http_methods(["GET", "POST"])
def seal_detail(request, seal_id: int):
    seal = _seal_for(request, seal_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "custodians":
                people = Person.objects.filter(pk__in=request.POST.getlist("custodians"), unit=seal.unit)
                seal_services.set_custodians(request.user, seal, people)
                messages.success(request, "已更新印章管理员。")
            elif action == "image":
                image = request.FILES.get("image")
                seal_services.replace_image(request.user, seal, image.read() if image else None)
                messages.success(request, "已更换印章图样。")
            elif action == "deactivate":
                seal_services.deactivate_seal(request.user, seal)
                messages.success(request, "印章已停用。")
            elif action == "revoke":
                seal_services.revoke_certificate(request.user, seal.certificate, request.POST.get("reason", ""))
                messages.success(request, "证书已吊销，证书吊销列表已更新。")
            else:
                raise ServiceError("未知操作。")
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("signing:seal_detail", seal.pk)
    keepers = Person.objects.filter(
        is_active=True, role_assignments__unit=seal.unit, role_assignments__role=Role.SEAL_KEEPER
    ).distinct()
    return render(
        request,
        "signing/seal_detail.html",
        {
            "seal": seal,
            "keepers": keepers,
            "custodian_ids": set(seal.custodians.values_list("pk", flat=True)),
            "can_manage": perms.can(request.user, "signing.manage_seals", seal.unit),
            "uses": seal.uses.select_related("actor", "approved_by")[:20]
            if perms.can(request.user, "signing.view_uses", seal.unit)
            else None,
            "nav_key": "",
        },
    )


@login_required
def seal_image(request, seal_id: int):
    seal = _seal_for(request, seal_id)
    response = HttpResponse(bytes(seal.image_png), content_type="image/png")
    response["Cache-Control"] = "private, max-age=300"
    return response


def visible_uses(user):
    """用印登记 rows a person may read: their own uses, their units' as 印章管理员, the subtrees they
    administer; the 审计管理员 reads all."""
    uses = SealUse.objects.select_related("seal", "certificate", "actor", "approved_by")
    if perms.is_audit_admin(user):
        return uses
    q = Q(seal__unit_id__in=[u for r, u in perms.roles_of(user) if r == Role.SEAL_KEEPER]) | Q(actor=user)
    for path in perms.admin_unit_paths(user):
        q |= perms.subtree_q(path, "certificate__unit")
    return uses.filter(q)


@login_required
def use_list(request):
    """用印登记 of the units the person may audit."""
    uses = visible_uses(request.user)
    return render(request, "signing/uses.html", {"uses": uses[:200], "nav_key": ""})
