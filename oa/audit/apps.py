from django.apps import AppConfig


class AuditConfig(AppConfig):
    verbose_name = "审计"
    name = "oa.audit"
    label = "audit"
