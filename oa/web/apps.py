from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "oa.web"
    label = "web"
