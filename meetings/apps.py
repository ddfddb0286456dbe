from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "会议"

    def ready(self):
        from django.db.models.signals import post_save

        from .services.notices import delivery_saved

        # A 会议通知 signed for in the 公文交换 opens the invited unit's nomination.
        post_save.connect(delivery_saved, sender="exchange.Delivery", dispatch_uid="meetings.notice_signed")
