"""Django admin for organisation management.

Every save goes through ``oa.org.services`` (validation, permission, audit); forms call the services'
``check_*`` functions so refusals appear on the form.  Access follows ``oa.permissions``: the 系统管理员
(and a 单位管理员 within their subtree) manage units, departments and people; the 安全管理员 (and a 单位管理员
within their subtree) grant roles; the 审计管理员 sees none of this.  Nothing here is deleted in bulk: units
and people are deactivated.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.utils import timezone

from oa import permissions as perms
from oa.core.errors import ServiceError
from oa.org import services
from oa.org.models import THREE_ADMINS, Delegation, Department, Person, RoleAssignment, Unit, UnitGuidance


def _is_org_admin(user) -> bool:
    return perms.is_active_person(user) and (
        perms.is_system_admin(user) or perms.is_security_admin(user) or bool(perms.admin_unit_paths(user))
    )


def _subtree_filter(user, prefix: str) -> Q | None:
    """None: the user sees everything; otherwise a filter on ``<prefix>path`` for their subtrees."""
    return perms.administered_q(user, prefix.removesuffix("__"))


class ServiceForm(forms.ModelForm):
    """A ModelForm whose ``clean`` asks the service layer; ``request`` is set by ``ServiceAdmin.get_form``."""

    request = None

    def service_check(self, check, *args, **kwargs) -> None:
        try:
            check(*args, **kwargs)
        except ServiceError as exc:
            if exc.field and exc.field in self.fields:
                self.add_error(exc.field, exc.message)
            else:
                raise ValidationError(exc.message) from exc


class ServiceAdmin(admin.ModelAdmin):
    """Refusals raised while saving (e.g. a concurrent change) become an error message, never a 500."""

    form = ServiceForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _refused(self, request, exc: ServiceError):
        self.message_user(request, exc.message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError as exc:
            return self._refused(request, exc)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceError as exc:
            return self._refused(request, exc)

    def has_module_permission(self, request):
        return _is_org_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return _is_org_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False

    def _each(self, request, queryset, fn, done: str):
        ok = 0
        for obj in queryset:
            try:
                fn(request.user, obj)
                ok += 1
            except ServiceError as exc:
                self.message_user(request, f"{obj}：{exc.message}", messages.ERROR)
        if ok:
            self.message_user(request, f"已{done} {ok} 项。", messages.SUCCESS)

    @staticmethod
    def _adopt(obj, saved) -> None:
        """Let the admin continue (log entry, redirect) with the object the service saved."""
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        obj._state.adding = False


# --- units ----------------------------------------------------------------------------------------------


class UnitForm(ServiceForm):
    class Meta:
        model = Unit
        fields = ("name", "short_name", "code", "kind", "level", "region", "fonds_number", "parent", "sort_order")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        user = self.request.user if self.request else None
        unit = self.instance if self.instance.pk else None
        if unit is None:
            self.service_check(
                services.check_create_unit,
                user,
                name=data["name"],
                short_name=data["short_name"],
                kind=data["kind"],
                level=data["level"],
                fonds_number=data["fonds_number"],
                parent=data.get("parent"),
            )
            return data
        original = Unit.objects.get(pk=unit.pk)
        changes = {f: data[f] for f in services.UNIT_EDITABLE_FIELDS if f in self.changed_data}
        if changes:
            self.service_check(services.check_update_unit, user, original, changes)
        if "parent" in self.changed_data:
            self.service_check(services.check_move_unit, user, original, data.get("parent"))
        return data


@admin.register(Unit)
class UnitAdmin(ServiceAdmin):
    form = UnitForm
    list_display = ("tree_name", "short_name", "code", "level", "kind", "fonds_number", "is_active")
    list_filter = ("level", "kind", "is_active")
    search_fields = ("name", "short_name", "code", "=fonds_number")
    ordering = ("path",)
    autocomplete_fields = ("parent",)
    readonly_fields = ("is_active", "path")
    list_per_page = 100
    show_full_result_count = False
    actions = ("deactivate_units", "reactivate_units")

    @admin.display(description="名称（按隶属关系排列）", ordering="path")
    def tree_name(self, obj):
        return "　" * obj.depth + obj.name

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = _subtree_filter(request.user, "")
        return qs if scope is None else qs.filter(scope)

    def has_add_permission(self, request):
        return perms.can(request.user, "org.manage_unit")

    def has_change_permission(self, request, obj=None):
        return perms.can(request.user, "org.manage_unit", obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            saved = services.create_unit(
                request.user,
                name=data["name"],
                short_name=data["short_name"],
                kind=data["kind"],
                level=data["level"],
                fonds_number=data["fonds_number"],
                parent=data.get("parent"),
                code=data.get("code", ""),
                region=data.get("region", ""),
                sort_order=data.get("sort_order") or 0,
            )
        else:
            saved = Unit.objects.get(pk=obj.pk)
            changes = {f: data[f] for f in services.UNIT_EDITABLE_FIELDS if f in form.changed_data}
            if changes:
                saved = services.update_unit(request.user, saved, **changes)
            if "parent" in form.changed_data:
                saved = services.move_unit(request.user, saved, data.get("parent"))
        self._adopt(obj, saved)

    @admin.action(description="停用所选单位")
    def deactivate_units(self, request, queryset):
        self._each(request, queryset, services.deactivate_unit, "停用")

    @admin.action(description="启用所选单位")
    def reactivate_units(self, request, queryset):
        self._each(request, queryset, services.reactivate_unit, "启用")


@admin.register(UnitGuidance)
class UnitGuidanceAdmin(ServiceAdmin):
    list_display = ("unit", "superior", "note")
    search_fields = ("unit__name", "superior__name")
    autocomplete_fields = ("unit", "superior")
    list_select_related = ("unit", "superior")

    class GuidanceForm(ServiceForm):
        class Meta:
            model = UnitGuidance
            fields = ("unit", "superior", "note")

        def clean(self):
            data = super().clean()
            if not self.errors and self.instance.pk is None:
                self.service_check(services.check_add_guidance, self.request.user, data["unit"], data["superior"])
            return data

    form = GuidanceForm

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = _subtree_filter(request.user, "unit__")
        return qs if scope is None else qs.filter(scope)

    def has_add_permission(self, request):
        return perms.can(request.user, "org.manage_unit")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return perms.can(request.user, "org.manage_unit", obj.unit if obj else None)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        self._adopt(obj, services.add_guidance(request.user, data["unit"], data["superior"], data.get("note", "")))

    def delete_model(self, request, obj):
        services.remove_guidance(request.user, obj)


# --- departments ----------------------------------------------------------------------------------------


class DepartmentForm(ServiceForm):
    class Meta:
        model = Department
        fields = ("unit", "name", "parent", "sort_order")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        unit = data["unit"] if self.instance.pk is None else self.instance.unit
        if self.instance.pk is None:
            if not perms.can(self.request.user, "org.manage_unit", unit):
                raise ValidationError(f"您无权在“{unit.name}”设置内设机构。")
            self.service_check(services.check_department, unit, data["name"], data.get("parent"))
        else:
            if data["unit"] != self.instance.unit:
                self.add_error("unit", "内设机构不能调到其他单位，请在新单位新建。")
                return data
            self.service_check(
                services.check_department, unit, data["name"], data.get("parent"), department=self.instance
            )
        return data


@admin.register(Department)
class DepartmentAdmin(ServiceAdmin):
    form = DepartmentForm
    list_display = ("name", "unit", "parent", "sort_order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "unit__name", "unit__short_name")
    autocomplete_fields = ("unit", "parent")
    list_select_related = ("unit", "parent")
    show_full_result_count = False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = _subtree_filter(request.user, "unit__")
        return qs if scope is None else qs.filter(scope)

    def has_add_permission(self, request):
        return perms.can(request.user, "org.manage_unit")

    def has_change_permission(self, request, obj=None):
        return perms.can(request.user, "org.manage_unit", obj.unit if obj else None)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            saved = services.create_department(
                request.user,
                data["unit"],
                data["name"],
                parent=data.get("parent"),
                sort_order=data.get("sort_order") or 0,
            )
        else:
            saved = services.update_department(
                request.user,
                Department.objects.get(pk=obj.pk),
                name=data["name"],
                parent=data.get("parent"),
                sort_order=data.get("sort_order") or 0,
            )
        self._adopt(obj, saved)

    def delete_model(self, request, obj):
        services.delete_department(request.user, obj)


# --- people ---------------------------------------------------------------------------------------------


class PersonForm(ServiceForm):
    password1 = forms.CharField(
        label="密码",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="新建时留空则账号暂不能登录；修改时填写即重置密码。",
    )
    password2 = forms.CharField(
        label="确认密码", required=False, strip=False, widget=forms.PasswordInput(render_value=False)
    )

    class Meta:
        model = Person
        fields = ("username", "name", "unit", "department", "title", "phone", "sort_order")

    def clean(self):
        data = super().clean()
        if data.get("password1") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致。")
        if self.errors:
            return data
        user = self.request.user
        if self.instance.pk is None:
            self.service_check(
                services.check_create_person,
                user,
                username=data["username"],
                name=data["name"],
                unit=data.get("unit"),
                department=data.get("department"),
                password=data.get("password1") or None,
            )
            return data
        original = Person.objects.get(pk=self.instance.pk)
        changes = {f: data.get(f) for f in services.PERSON_EDITABLE_FIELDS if f in self.changed_data}
        if changes:
            self.service_check(services.check_update_person, user, original, changes)
        if data.get("password1"):
            self.service_check(services.check_password_policy, data["password1"], original)
        return data


@admin.register(Person)
class PersonAdmin(ServiceAdmin):
    form = PersonForm
    list_display = ("name", "username", "unit", "department", "title", "is_active", "last_login")
    list_filter = ("is_active", "unit__level")
    search_fields = ("name", "username", "unit__name", "unit__short_name", "title")
    autocomplete_fields = ("unit", "department")
    list_select_related = ("unit", "department")
    readonly_fields = ("is_active", "is_staff", "last_login", "password_changed_at")
    show_full_result_count = False
    actions = ("deactivate_people", "reactivate_people")

    def get_fields(self, request, obj=None):
        fields = ["username", "name", "unit", "department", "title", "phone", "sort_order", "password1", "password2"]
        return fields + ([] if obj is None else list(self.readonly_fields))

    def get_readonly_fields(self, request, obj=None):
        return ("username", *self.readonly_fields) if obj else ()

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = _subtree_filter(request.user, "unit__")
        return qs if scope is None else qs.filter(scope)

    def has_add_permission(self, request):
        return perms.can(request.user, "org.manage_people")

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.role_assignments.filter(role__in=THREE_ADMINS).exists():
            return perms.can(request.user, "org.manage_admin_accounts", obj)
        return perms.can(request.user, "org.manage_people", obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            saved = services.create_person(
                request.user,
                username=data["username"],
                name=data["name"],
                unit=data["unit"],
                department=data.get("department"),
                title=data.get("title", ""),
                phone=data.get("phone", ""),
                sort_order=data.get("sort_order") or 0,
                password=data.get("password1") or None,
            )
        else:
            saved = Person.objects.get(pk=obj.pk)
            changes = {f: data.get(f) for f in services.PERSON_EDITABLE_FIELDS if f in form.changed_data}
            if changes:
                saved = services.update_person(request.user, saved, **changes)
            if data.get("password1"):
                services.set_password(request.user, saved, data["password1"])
                saved.refresh_from_db()
        self._adopt(obj, saved)

    @admin.action(description="停用所选人员账号")
    def deactivate_people(self, request, queryset):
        self._each(request, queryset, services.deactivate_person, "停用")

    @admin.action(description="启用所选人员账号")
    def reactivate_people(self, request, queryset):
        self._each(request, queryset, services.reactivate_person, "启用")


# --- roles and delegation -------------------------------------------------------------------------------


class RoleAssignmentForm(ServiceForm):
    class Meta:
        model = RoleAssignment
        fields = ("person", "unit", "role", "leader_kind")

    def clean(self):
        data = super().clean()
        if not self.errors:
            self.service_check(
                services.check_assign_role,
                self.request.user,
                data["person"],
                data["unit"],
                data["role"],
                data.get("leader_kind") or "",
            )
        return data

    def validate_unique(self):
        pass  # the service says it in Chinese with the names


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ServiceAdmin):
    form = RoleAssignmentForm
    list_display = ("person", "unit", "role", "leader_kind", "granted_by", "granted_at")
    list_filter = ("role", "leader_kind")
    search_fields = ("person__name", "person__username", "unit__name", "unit__short_name")
    autocomplete_fields = ("person", "unit")
    list_select_related = ("person", "unit", "granted_by")
    show_full_result_count = False
    actions = ("revoke_roles",)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = _subtree_filter(request.user, "unit__")
        return qs if scope is None else qs.filter(scope)

    def has_view_permission(self, request, obj=None):
        return perms.can(request.user, "org.view_roles", obj.unit if obj else None) or perms.can(
            request.user, "org.grant_role"
        )

    def has_add_permission(self, request):
        return perms.can(request.user, "org.grant_role")

    def has_change_permission(self, request, obj=None):
        return False  # revoke and grant again: each is an audited act

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return perms.can(request.user, "org.grant_role")
        return perms.can(request.user, "org.grant_role", perms.RoleScope(obj.person, obj.unit, obj.role))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.assign_role(
            request.user, data["person"], data["unit"], data["role"], data.get("leader_kind") or ""
        )
        self._adopt(obj, saved)

    def delete_model(self, request, obj):
        services.revoke_role(request.user, obj)

    @admin.action(description="撤销所选角色", permissions=["delete"])
    def revoke_roles(self, request, queryset):
        self._each(request, queryset.select_related("person", "unit"), services.revoke_role, "撤销")


class DelegationForm(ServiceForm):
    class Meta:
        model = Delegation
        fields = ("principal", "deputy", "unit", "role", "start_date", "end_date", "reason")

    def clean(self):
        data = super().clean()
        if not self.errors:
            self.service_check(
                services.check_create_delegation,
                self.request.user,
                principal=data["principal"],
                deputy=data["deputy"],
                unit=data["unit"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                role=data["role"],
            )
        return data


@admin.register(Delegation)
class DelegationAdmin(ServiceAdmin):
    form = DelegationForm
    list_display = ("principal", "deputy", "unit", "role", "start_date", "end_date", "status")
    list_filter = ("role",)
    search_fields = ("principal__name", "deputy__name", "unit__name")
    autocomplete_fields = ("principal", "deputy", "unit")
    list_select_related = ("principal", "deputy", "unit")
    actions = ("revoke_delegations",)

    @admin.display(description="状态")
    def status(self, obj):
        if obj.revoked_at:
            return "已撤销"
        today = timezone.localdate()
        if obj.end_date < today:
            return "已结束"
        return "生效中" if obj.start_date <= today else "未开始"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = _subtree_filter(request.user, "unit__")
        return qs if scope is None else qs.filter(scope)

    def has_add_permission(self, request):
        return perms.can(request.user, "org.delegate") and _is_org_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.create_delegation(
            request.user,
            principal=data["principal"],
            deputy=data["deputy"],
            unit=data["unit"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            role=data["role"],
            reason=data.get("reason", ""),
        )
        self._adopt(obj, saved)

    @admin.action(description="撤销所选代理")
    def revoke_delegations(self, request, queryset):
        self._each(request, queryset.select_related("principal", "deputy", "unit"), services.revoke_delegation, "撤销")
