from django.apps import AppConfig


class OrgConfig(AppConfig):
    verbose_name = "组织机构"
    name = "oa.org"
    label = "org"
