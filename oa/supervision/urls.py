from django.urls import path

from oa.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.raise_item, name="raise"),
    path("stats/", views.stats, name="stats"),
    path("home-card/", views.home_card, name="home_card"),
    path("report/", views.export_report, name="report"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/sign/", views.sign, name="sign"),
    path("items/<int:pk>/progress/", views.progress, name="progress"),
    path("items/<int:pk>/request-close/", views.request_close, name="request_close"),
    path("items/<int:pk>/approve/", views.approve, name="approve"),
    path("items/<int:pk>/send-back/", views.send_back, name="send_back"),
    path("items/<int:pk>/remind/", views.remind, name="remind"),
    path("items/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
