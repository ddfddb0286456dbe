from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "documents.archive"
    label = "archive"
    verbose_name = "档案"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save

        from documents.exchange.models import DoneReceipt, Receipt

        from .evidence import on_receipt_saved

        # A 回执 that comes back after its 发文 was archived is appended to the archive (补充证据).
        for model in (Receipt, DoneReceipt):
            post_save.connect(on_receipt_saved, sender=model, dispatch_uid=f"archive-late-{model.__name__}")
