from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("", views.index, name="index"),
    path("archive/", views.archive, name="archive"),
    path("archive/export/", views.export, name="export"),
    path("preview/<str:key>/", views.preview, name="preview"),
]
