"""``manage.py verify_archive [--unit ID] [--code 档号]``: re-hash every archived file against the manifest
frozen at 归档, every 回执's signature against the receiving unit's seal certificate over the package hash, and
the hash chains of each item's 更正记录 and 补充证据 (回执 appended after 归档, their files re-hashed too).
Exits non-zero when anything is missing, changed or does not verify."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from documents.archive.models import ArchiveItem, CorrectableField
from documents.archive.services import verify


class Command(BaseCommand):
    help = "校验归档文件：逐一重新计算 SHA-256，与归档时固化的清单比对。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", type=int, help="只校验该单位（id）的档案")
        parser.add_argument("--code", help="只校验该档号")

    def handle(self, *args, **options):
        items = ArchiveItem.objects.order_by("pk")
        if options.get("unit"):
            items = items.filter(unit_id=options["unit"])
        if options.get("code"):  # the 档号 as archived or as corrected
            code = options["code"]
            corrected = Q(corrections__field=CorrectableField.ARCHIVE_CODE, corrections__new_value=code)
            items = items.filter(Q(archive_code=code) | corrected).distinct()
        total = bad = files = 0
        for item in items.iterator():
            total += 1
            result = verify(item)
            files += result.checked
            if not result.ok:
                bad += 1
                self.stderr.write(f"{item.archive_code}：{result.summary}")
        if bad:
            raise CommandError(f"校验未通过：{total} 件中 {bad} 件有问题。")
        self.stdout.write(f"校验通过：{total} 件，{files} 个文件与归档清单一致。")
