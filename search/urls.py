from django.urls import path

from oa.web.views import module_home

app_name = "search"

urlpatterns = [
    path("", module_home, {"module": "search"}, name="index"),
]
