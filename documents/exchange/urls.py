from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("inbox.json", views.inbox_json, name="inbox_json"),
    path("sent/", views.sent, name="sent"),
    path("sent/<int:document_id>/", views.board, name="board"),
    path("sent/<int:document_id>.json", views.board_json, name="board_json"),
    path("dispatch/<int:document_id>/", views.dispatch, name="dispatch"),
    path("sent/<int:document_id>/package.zip", views.export_package, name="export"),
    path("import/", views.import_package, name="import"),
    path("d/<int:delivery_id>/sign", views.sign_for, name="sign_for"),
    path("d/<int:delivery_id>/return", views.return_delivery, name="return"),
    path("d/<int:delivery_id>/recall", views.recall, name="recall"),
    path("d/<int:delivery_id>/resend", views.resend, name="resend"),
    path("d/<int:delivery_id>/urge", views.urge, name="urge"),
    path("sent/<int:document_id>/urge", views.urge_unsigned, name="urge_unsigned"),
]
