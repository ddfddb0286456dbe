from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.index, name="index"),
    path("calendar/<str:scope>/", views.calendar_view, name="calendar"),
    path("calendar/<str:scope>/<int:pk>/", views.calendar_view, name="calendar_of"),
    path("calendar.ics", views.my_ics, name="my_ics"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/meeting.ics", views.meeting_ics, name="meeting_ics"),
    path("<int:pk>/board/", views.counts, name="board"),
    path("<int:pk>/facts/", views.facts, name="facts"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/invite-units/", views.invite_units, name="invite_units"),
    path("<int:pk>/agenda/", views.add_agenda, name="add_agenda"),
    path("<int:pk>/materials/", views.upload, name="upload"),
    path("<int:pk>/materials/<int:material_id>/", views.material, name="material"),
    path("<int:pk>/materials/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/mark/", views.mark, name="mark"),
    path("<int:pk>/decisions/", views.add_decision, name="add_decision"),
    path("<int:pk>/decisions/<int:decision_id>/supervise/", views.decision_supervise, name="supervise"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/screen/", views.screen, name="screen"),
    path("<int:pk>/screen/token/", views.screen_token, name="screen_token"),
    path("<int:pk>/signin/", views.signin, name="signin"),
    path("invitations/<int:invitation_id>/", views.nominate, name="nominate"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/agenda/<int:item_id>/remove/", views.remove_agenda, name="remove_agenda"),
    path("<int:pk>/agenda/<int:item_id>/move/", views.move_agenda, name="move_agenda"),
    path("<int:pk>/notice/", views.notice, name="notice"),
    path("<int:pk>/units/<int:invitation_id>/by-todo/", views.unit_by_todo, name="unit_by_todo"),
    path("<int:pk>/units/<int:invitation_id>/withdraw/", views.unit_withdraw, name="unit_withdraw"),
    path("<int:pk>/notices/<int:notice_id>/resend/", views.notice_resend, name="notice_resend"),
    path("rooms/", views.rooms, name="rooms"),
    path("rooms/<int:room_id>/", views.room_edit, name="room_edit"),
    path("rooms/<int:room_id>/active/", views.room_active, name="room_active"),
]
