from django.core.management.base import BaseCommand, CommandError

from search import services


class Command(BaseCommand):
    help = "检查全文检索索引与数据库是否一致：列出缺失、过期和多余的条目（发文 doc:、收文 in:、档案 arc:）。"

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="重新索引缺失和过期的公文，删除多余条目")

    def handle(self, *args, fix, **options):
        report = services.check_index()

        def ids(values):
            shown = ", ".join(map(str, values[:50]))
            return shown + (f" …（共 {len(values)} 条）" if len(values) > 50 else "")

        self.stdout.write(f"应索引条目 {report.total} 条（发文、收文、档案）。")
        self.stdout.write(f"缺失（未索引）：{len(report.missing)} {ids(report.missing)}")
        self.stdout.write(f"过期（索引内容与数据库不一致）：{len(report.stale)} {ids(report.stale)}")
        self.stdout.write(f"多余（已不存在或已归档）：{len(report.orphaned)} {ids(report.orphaned)}")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("索引与数据库一致。"))
            return
        if fix:
            services.index_documents(report.missing + report.stale + report.orphaned)
            self.stdout.write(self.style.SUCCESS("已修复。"))
            return
        raise CommandError("索引与数据库不一致；运行 search_check --fix 或 search_reindex 修复。")
