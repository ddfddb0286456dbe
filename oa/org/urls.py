from django.urls import path

from oa.org import views

app_name = "org"

urlpatterns = [
    path("", views.browser, name="browser"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/children/", views.children, name="children"),
]
