from django.core.management.base import BaseCommand

from oa.messaging.orgsync import sync_all


class Command(BaseCommand):
    help = "按组织机构重新同步单位群、科室群的成员（加入/退出均记入审计）。"

    def handle(self, *args, **options):
        totals = sync_all()
        self.stdout.write(
            f"已检查 {totals['people']} 人：加入 {totals['joined']} 人次，退出 {totals['left']} 人次。"
        )
