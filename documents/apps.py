from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "公文"

    def ready(self):
        # 公文卡片 in messages: shown to each viewer only while they may read the document.
        from django.urls import reverse

        from oa.messaging import cards

        from .models import Document

        cards.register(
            "documents",
            load=lambda pk: Document.objects.filter(pk=int(pk)).first() if str(pk).isdigit() else None,
            perm="documents.read_document",
            title=lambda document: document.title,
            url=lambda document: reverse("documents:preview", args=[document.pk]),
        )
