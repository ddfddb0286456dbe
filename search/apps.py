from django.apps import AppConfig
from django.db.models.signals import post_migrate


def refill_outdated_index(sender=None, verbosity=1, stdout=None, **kwargs) -> int:
    """After ``migrate``: an index file of an older layout is rebuilt empty when opened, which would leave
    search blank after an upgrade until someone thought of ``search_reindex``. Refill it here, with progress.
    Returns the number of rows indexed (0 when nothing was outdated)."""
    from . import services
    from .backends import get_backend

    if not get_backend().layout_outdated():
        return 0

    def say(text: str) -> None:
        if verbosity:
            (stdout.write(text + "\n") if stdout else print(text))

    say("检索索引格式已更新，正在重建索引……")
    done = services.reindex_all(progress=lambda n, total: say(f"  已索引 {n}/{total}"))
    say(f"检索索引已重建：{done} 条。")
    return done


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "检索"

    def ready(self):
        from . import receivers

        receivers.connect()
        post_migrate.connect(refill_outdated_index, sender=self, dispatch_uid="search.refill_outdated_index")
