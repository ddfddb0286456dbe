"""Read-only admin views of certificates, seals and the 用印登记 for the 安全管理员 and 审计管理员.
Changes go through the pages and services (permission, audit), never through the admin."""

from django.contrib import admin

from oa import permissions as perms
from signing.models import Certificate, RevocationList, Seal, SealUse


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return perms.is_security_admin(request.user) or perms.is_audit_admin(request.user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("subject", "kind", "source", "unit", "person", "not_after", "revoked_at", "is_trust_anchor")
    list_filter = ("kind", "source", "is_trust_anchor")
    search_fields = ("subject", "fingerprint", "serial")
    exclude = ("der", "encrypted_key")


@admin.register(RevocationList)
class RevocationListAdmin(ReadOnlyAdmin):
    list_display = ("issuer", "number", "this_update", "next_update")
    exclude = ("der",)


@admin.register(Seal)
class SealAdmin(ReadOnlyAdmin):
    list_display = ("name", "unit", "kind", "image_source", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "unit__name")
    exclude = ("image_png", "vector_ops")


@admin.register(SealUse)
class SealUseAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "seal", "actor", "approved_by", "purpose_ref", "page")
    list_filter = ("kind",)
    search_fields = ("purpose_ref", "seal__name", "actor__name")
