"""Generate a large synthetic organisation for benchmarks: five levels, valid tree, fast bulk inserts."""

import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError

from oa.org.demo import generator


class Command(BaseCommand):
    help = "生成大规模测试组织机构（五级单位树、人员、内设机构与角色），用于性能测试"

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=20000, help="单位数量（至少 5）")
        parser.add_argument("--people", type=int, default=50000, help="人员数量")
        parser.add_argument("--seed", type=int, default=1, help="随机数种子（相同参数生成相同结构）")
        parser.add_argument("--fonds-prefix", default="G", help="全宗号与用户名前缀（字母或数字，避免与已有数据冲突）")
        parser.add_argument("--password", default="", help="为生成的账号设置的密码（默认不可登录）")
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, units, people, seed, fonds_prefix, password, batch_size, **options):
        started = time.monotonic()
        levels = "/".join(map(str, generator.level_counts(units))) if units >= 5 else "?"
        self.stdout.write(f"生成 {units} 个单位（省/市/县/镇/村：{levels}）、{people} 名人员，种子 {seed}……")

        def progress(message):
            self.stdout.write(f"  {message}（{time.monotonic() - started:.1f} 秒）")

        try:
            org = generator.create(
                units=units,
                people=people,
                seed=seed,
                fonds_prefix=fonds_prefix,
                password_hash=make_password(password) if password else generator.UNUSABLE_PASSWORD,
                batch_size=batch_size,
                progress=progress,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        root = org.units[0]
        self.stdout.write(
            self.style.SUCCESS(
                f"完成（{time.monotonic() - started:.1f} 秒）。根单位：{root.name}（全宗号 {root.fonds_number}）"
            )
        )
