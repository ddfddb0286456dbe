from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "documents.exchange"
    label = "exchange"
    verbose_name = "公文交换"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401  (办结回执: post_save receivers on the 收文 workflow)
