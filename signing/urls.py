from django.urls import path

from signing import views

app_name = "signing"

urlpatterns = [
    path("", views.verify_page, name="index"),
    path("crl/<int:issuer_id>.crl", views.crl, name="crl"),
    path("seals/", views.seal_list, name="seals"),
    path("seals/new/", views.seal_create, name="seal_create"),
    path("seals/<int:seal_id>/", views.seal_detail, name="seal_detail"),
    path("seals/<int:seal_id>/image.png", views.seal_image, name="seal_image"),
    path("uses/", views.use_list, name="uses"),
]
