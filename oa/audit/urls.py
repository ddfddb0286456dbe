from django.urls import path

from oa.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.trail_view, name="trail"),
    path("verify/", views.verify_start, name="verify"),
    path("verify/<int:run_id>/", views.verify_status, name="verify_status"),
]
