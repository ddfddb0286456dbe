from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

admin.site.site_header = "协同办公与电子公文交换系统 · 管理"
admin.site.site_title = "协同办公管理"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("", include("oa.web.urls")),
    path("accounts/", include("oa.accounts.urls")),
    path("org/", include("oa.org.urls")),
    path("todo/", include("oa.todo.urls")),
    path("supervision/", include("oa.supervision.urls")),
    path("messages/", include("oa.messaging.urls")),
    path("audit/", include("oa.audit.urls")),
    path("documents/", include("documents.urls")),
    path("exchange/", include("documents.exchange.urls")),
    path("archive/", include("documents.archive.urls")),
    path("meetings/", include("meetings.urls")),
    path("search/", include("search.urls")),
    path("signing/", include("signing.urls")),
    path("api/", include("oa.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Split view: the init script is a separate file, as the CSP (script-src 'self') requires.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
