from django.urls import path

from oa.messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("groups/", views.groups, name="groups"),
    path("people", views.people, name="people"),
    path("unread", views.unread, name="unread"),
    path("share", views.share, name="share"),
    path("share/targets", views.share_targets, name="share_targets"),
    path("c/<int:conversation_id>/", views.conversation, name="conversation"),
    path("c/<int:conversation_id>/send", views.send, name="send"),
    path("c/<int:conversation_id>/members", views.add_members, name="add_members"),
    path("c/<int:conversation_id>/leave", views.leave, name="leave"),
    path("m/<int:message_id>/recall", views.recall, name="recall"),
    path("m/<int:message_id>/receipts", views.receipts, name="receipts"),
    path("m/<int:message_id>/file", views.download, name="file"),
]
