from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "oa.core"
    label = "core"
