"""Admin: read-mostly views for support staff. Changes go through the pages (services, audit)."""

from django.contrib import admin

from .models import Document, DocumentVersion, NumberCounter, UnitTemplate


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "doc_type", "doc_number", "owner_unit", "drafter", "status", "updated_at")
    list_filter = ("doc_type", "status")
    search_fields = ("title", "doc_number")
    raw_id_fields = ("owner_unit", "drafter")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DocumentVersion)
class DocumentVersionAdmin(admin.ModelAdmin):
    list_display = ("document", "number", "author", "created_at", "note")
    raw_id_fields = ("document", "author")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UnitTemplate)
class UnitTemplateAdmin(admin.ModelAdmin):
    list_display = ("unit", "issuer_mark", "issuer_mark_suffix", "code_override", "letter_code", "default_printer")
    search_fields = ("unit__name", "issuer_mark")
    raw_id_fields = ("unit",)


@admin.register(NumberCounter)
class NumberCounterAdmin(admin.ModelAdmin):
    """Counters are read-only: editing one by hand would create gaps or reuse numbers."""

    list_display = ("code", "year", "last")
    search_fields = ("code",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


from .workflow.models import FlowSetting, StepActor  # noqa: E402


@admin.register(FlowSetting)
class FlowSettingAdmin(admin.ModelAdmin):
    """A unit's optional steps and 办理时限 (working days by 紧急程度)."""

    list_display = ("unit", "use_dept_review", "limit_extra_urgent", "limit_urgent", "limit_normal")
    raw_id_fields = ("unit",)


@admin.register(StepActor)
class StepActorAdmin(admin.ModelAdmin):
    """Who acts at a step of a unit's flows (otherwise the unit's role holders)."""

    list_display = ("unit", "kind", "step", "person", "department")
    list_filter = ("kind", "step")
    raw_id_fields = ("unit", "person", "department")
