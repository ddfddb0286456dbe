from django.urls import path

from oa.web.views import module_home

app_name = "documents"

urlpatterns = [
    path("", module_home, {"module": "documents"}, name="index"),
]
