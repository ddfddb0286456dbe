from django.urls import path

from oa.web.views import module_home

app_name = "signing"

urlpatterns = [
    path("", module_home, {"module": "signing"}, name="index"),
]
