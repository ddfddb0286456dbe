from django.urls import path

from oa.todo import views

app_name = "todo"

urlpatterns = [
    path("", views.index, name="index"),
    path("counts", views.counts, name="counts"),
    path("latest", views.latest, name="latest"),
    path("<int:item_id>/done", views.complete, name="complete"),
    path("<int:item_id>/read", views.mark_read, name="read"),
]
