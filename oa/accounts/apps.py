from django.apps import AppConfig


class AccountsConfig(AppConfig):
    verbose_name = "登录与安全"
    name = "oa.accounts"
    label = "accounts"

    def ready(self):
        from oa.accounts import signals

        signals.connect()
