from django.apps import AppConfig


class AuditConfig(AppConfig):
    verbose_name = "审计"
    name = "oa.audit"
    label = "audit"

    def ready(self) -> None:
        from oa.audit import checks, signals  # noqa: F401  (registers the system check)

        signals.connect()
