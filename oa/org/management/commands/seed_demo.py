"""Load the demo organisation (广东省 → 阳江市/揭阳市/江门市 → … → 村(居)). Safe to run again: it only adds
what is missing."""

import time

from django.core.management.base import BaseCommand

from oa.org.demo import DEMO_PASSWORD
from oa.org.demo.plan import DEFAULT_SEED, build_plan
from oa.org.demo.seed import seed

_LABELS = {
    "units": "单位",
    "departments": "内设机构",
    "people": "人员",
    "roles": "角色分配",
    "guidance": "双重领导关系",
    "delegations": "代理授权",
}


class Command(BaseCommand):
    help = "载入演示组织机构、人员与角色（可重复执行，不会重复创建）"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="姓名等随机数据的种子（默认固定）")

    def handle(self, *args, seed: int, **options):
        started = time.monotonic()
        created = seed_demo(seed)
        elapsed = time.monotonic() - started
        if created:
            parts = "，".join(f"{_LABELS.get(k, k)} {v}" for k, v in created.items())
            self.stdout.write(self.style.SUCCESS(f"演示数据已载入（{elapsed:.1f} 秒）：新增{parts}。"))
            self.stdout.write(f"演示账号统一密码：{DEMO_PASSWORD}（运行 manage.py demo_logins 查看账号）")
        else:
            self.stdout.write(f"演示数据已是最新，无需新增（{elapsed:.1f} 秒）。")


def seed_demo(seed_value: int):
    return seed(build_plan(seed_value))
