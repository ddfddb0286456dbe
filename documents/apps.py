from django.apps import AppConfig


def _by_pk(model):
    return lambda pk: model.objects.filter(pk=int(pk)).first() if str(pk).isdigit() else None


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "公文"

    def ready(self):
        # 公文卡片 in messages: shown to each viewer only while they may read the document.
        from django.urls import reverse

        from oa.messaging import cards

        from .archive.corrections import current_values
        from .archive.models import ArchiveItem
        from .models import Document, IncomingDocument

        cards.register(
            "documents",
            load=_by_pk(Document),
            perm="documents.read_document",
            title=lambda document: document.title,
            url=lambda document: reverse("documents:preview", args=[document.pk]),
        )

        # A 收文: whoever may see its flow (documents.rules); its page is the flow.
        cards.register(
            "incoming",
            load=_by_pk(IncomingDocument),
            perm="documents.view_incoming",
            title=lambda incoming: incoming.title,
            url=lambda incoming: reverse("documents:flow", args=[incoming.flow.pk]),
            label="收文",
        )
        # An archived item: its unit's 档案员 and leaders (as on the archive pages); the title as corrected.
        cards.register(
            "archive",
            load=_by_pk(ArchiveItem),
            perm="archive.view_archive",
            title=lambda item: current_values(item)["title"],
            url=lambda item: reverse("archive:detail", args=[item.pk]),
            label="档案",
        )
