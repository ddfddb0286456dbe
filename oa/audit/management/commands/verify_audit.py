import sys
import time

from django.core.management.base import BaseCommand

from oa.audit.verify import CHUNK_SIZE, verify_chain


class Command(BaseCommand):
    help = "重新计算审计哈希链并核验签名点；链被破坏时指出第一条异常记录并以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="每批读取的记录数")
        parser.add_argument("--progress", action="store_true", help="在标准错误输出显示进度")

    def handle(self, *args, chunk_size, progress, **options):
        started = time.monotonic()

        def show(checked: int, total: int) -> None:
            if progress:
                sys.stderr.write(f"\r已校验 {checked}/{total}")
                sys.stderr.flush()

        report = verify_chain(show, chunk_size=chunk_size)
        if progress:
            sys.stderr.write("\n")
        elapsed = time.monotonic() - started
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"{report.message}（用时 {elapsed:.1f} 秒）"))
            return
        self.stderr.write(self.style.ERROR(report.message))
        sys.exit(1)
