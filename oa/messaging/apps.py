from django.apps import AppConfig


class MessagingConfig(AppConfig):
    verbose_name = "消息"
    name = "oa.messaging"
    label = "messaging"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from oa.messaging import signals  # noqa: F401  (keeps unit/department groups in step with org)
