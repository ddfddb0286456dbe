from django.apps import AppConfig


class TodoConfig(AppConfig):
    verbose_name = "待办中心"
    name = "oa.todo"
    label = "todo"

    def ready(self):
        from oa.todo import signals  # noqa: F401  (connects the logout receiver)
