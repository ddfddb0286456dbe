from django.urls import path

from oa.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    # 三员: one console per administrator role, each closed to the other two.
    path("admin/system/", views.system_console, name="system_console"),
    path("admin/system/people/<int:person_id>/active/", views.system_set_active, name="system_set_active"),
    path("admin/security/", views.security_console, name="security_console"),
    path("admin/security/unlock/", views.security_unlock, name="security_unlock"),
    path("admin/audit/", views.audit_console, name="audit_console"),
]
