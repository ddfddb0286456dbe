from django.core.management.base import BaseCommand, CommandError

from documents.exchange import ledger


class Command(BaseCommand):
    help = "校验公文交换台账的哈希链（完整时返回 0）。"

    def handle(self, *args, **options):
        report = ledger.verify()
        if not report.ok:
            raise CommandError(report.message)
        self.stdout.write(report.message)
