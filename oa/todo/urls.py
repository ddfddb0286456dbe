app_name = "todo"
urlpatterns = []
