import sys
import time

from django.core.management.base import BaseCommand

from search import services
from search.backends import get_backend


class Command(BaseCommand):
    help = "重建全文检索索引（全部发文、收文和档案），显示进度。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500, help="每批索引的公文数")
        parser.add_argument("--clear", action="store_true", help="先清空索引")

    def handle(self, *args, batch, clear, **options):
        backend = get_backend()
        if clear:
            backend.clear()
        started = time.monotonic()
        out = self.stdout

        def progress(done, total):
            width = 30
            filled = width * done // total if total else width
            rate = done / max(time.monotonic() - started, 1e-6)
            out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} 件 {rate:.0f} 件/秒", ending="")
            out.flush()

        total = services.reindex_all(progress=progress, batch=batch)
        out.write("")
        self.stdout.write(
            self.style.SUCCESS(f"索引完成：{total} 件（{backend.name}），用时 {time.monotonic() - started:.1f} 秒。")
        )
        sys.stdout.flush()
