from django.urls import path

from . import views

app_name = "archive"

urlpatterns = [
    path("", views.index, name="index"),
    path("file/", views.archive_one, name="archive"),
    path("batch/", views.archive_batch, name="batch"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/export.zip", views.export, name="export"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/evidence/<str:ref>/", views.evidence_file, name="evidence"),
    path("<int:pk>/correct/", views.correct, name="correct"),
]
