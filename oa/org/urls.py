from django.urls import path

from oa.web.views import module_home

app_name = "org"

urlpatterns = [
    path("", module_home, {"module": "org"}, name="browser"),
]
