"""Print where the server listens and which demo accounts to try (``make run`` calls this)."""

import unicodedata

from django.core.management.base import BaseCommand
from django.utils import timezone

from oa.org.demo import DEMO_PASSWORD
from oa.org.demo.plan import DemoLogin, build_plan
from oa.org.models import Delegation, LeaderKind, Person


def demo_login_rows(logins: list[DemoLogin] | None = None) -> list[dict[str, str]]:
    """One row per demo account that exists in the database: username, name, unit, roles, password."""
    logins = logins if logins is not None else build_plan().demo_logins
    people = {
        p.username: p
        for p in Person.objects.filter(username__in=[login.username for login in logins])
        .select_related("unit")
        .prefetch_related("role_assignments")
    }
    leader_kinds = dict(LeaderKind.choices)
    rows = []
    for login in logins:
        person = people.get(login.username)
        if person is None:
            continue
        roles = []
        for assignment in sorted(person.role_assignments.all(), key=lambda a: a.pk):
            label = assignment.get_role_display()
            if assignment.leader_kind:
                label += f"（{leader_kinds[assignment.leader_kind]}）"
            roles.append(label)
        rows.append(
            {
                "username": person.username,
                "name": person.name,
                "unit": person.unit.name if person.unit else "",
                "roles": "、".join(roles),
                "password": DEMO_PASSWORD,
                "purpose": login.purpose,
            }
        )
    return rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(rows: list[dict[str, str]]) -> str:
    columns = (("username", "用户名"), ("name", "姓名"), ("unit", "单位"), ("roles", "角色"), ("password", "密码"))
    widths = {key: max([_width(title)] + [_width(row[key]) for row in rows]) for key, title in columns}
    lines = ["  ".join(_pad(title, widths[key]) for key, title in columns).rstrip()]
    lines.append("  ".join("-" * widths[key] for key, _ in columns))
    lines.extend("  ".join(_pad(row[key], widths[key]) for key, _ in columns).rstrip() for row in rows)
    return "\n".join(lines)


class Command(BaseCommand):
    help = "显示访问地址和演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="系统访问地址")

    def handle(self, *args, url: str, **options):
        self.stdout.write(f"访问地址：{url}")
        rows = demo_login_rows()
        if not rows:
            self.stdout.write("尚未载入演示数据，请先运行：python manage.py seed_demo")
            return
        self.stdout.write(f"演示账号（统一密码 {DEMO_PASSWORD}）：")
        self.stdout.write(format_table(rows))
        usernames = [row["username"] for row in rows]
        delegations = Delegation.objects.filter(
            principal__username__in=usernames, revoked_at__isnull=True, end_date__gte=timezone.localdate()
        ).select_related("principal", "deputy")
        for d in delegations:
            self.stdout.write(
                f"代理：{d.deputy.username}（{d.deputy.name}）在 {d.start_date}～{d.end_date} 代理 "
                f"{d.principal.username}（{d.principal.name}）的{d.get_role_display()}职责"
            )
