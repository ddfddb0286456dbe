from django.urls import path

from oa.web.views import module_home

app_name = "meetings"

urlpatterns = [
    path("", module_home, {"module": "meetings"}, name="index"),
]
