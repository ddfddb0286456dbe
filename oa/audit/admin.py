"""Read-only admin for the audit tables: nobody — superusers included — adds, changes or deletes here, and
only the 审计管理员 sees them at all (三员: the system administrator does not read the audit trail)."""

from django.contrib import admin

from oa.audit.models import AuditEvent, Checkpoint, VerificationRun
from oa.audit.services import record
from oa.permissions import can


class ReadOnlyAuditAdmin(admin.ModelAdmin):
    actions = None

    def has_module_permission(self, request):
        return can(request.user, "audit.view_trail")

    def has_view_permission(self, request, obj=None):
        return can(request.user, "audit.view_trail")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAuditAdmin):
    list_display = ("seq", "created_at", "actor_name", "action", "object_repr", "result", "client_address", "summary")
    list_filter = ("result", "action", ("created_at", admin.DateFieldListFilter))
    search_fields = ("actor_name", "object_repr", "=object_id", "action")
    date_hierarchy = "created_at"
    show_full_result_count = False
    ordering = ("-seq",)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if getattr(response, "status_code", None) == 200 and self.has_view_permission(request):
            query = request.GET.urlencode()
            summary = f"在管理后台查看审计日志（{query or '全部'}）"
            record(request.user, "audit.view_trail", None, after={"admin": query}, summary=summary)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if getattr(response, "status_code", None) == 200 and self.has_view_permission(request):
            summary = f"在管理后台查看审计事件 {object_id}"
            record(request.user, "audit.view_event", None, after={"id": object_id}, summary=summary)
        return response


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAuditAdmin):
    list_display = ("seq", "hash", "signed_at", "key_id")


@admin.register(VerificationRun)
class VerificationRunAdmin(ReadOnlyAuditAdmin):
    list_display = ("created_at", "requested_by", "status", "checked", "total", "first_broken_seq", "finished_at")
    list_filter = ("status",)
