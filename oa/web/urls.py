from django.urls import path

from oa.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("m/<slug:module>/", views.module_home, name="module"),
    path("healthz", views.healthz, name="healthz"),
]
