"""Create the three platform administrators (三员) on a fresh installation.

Superuser accounts cannot sign in (oa.accounts.backends), so this is how a production system gets its
first 系统管理员, 安全管理员 and 审计管理员: three separate accounts in the unit that runs the platform,
each with a random initial password printed once.  The initial passwords count as expired, so each
administrator must choose their own at first sign-in.  It runs only while nobody holds a 三员 role;
afterwards roles are granted in the system by the 安全管理员.
"""

import secrets
import string
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from oa.audit.services import record
from oa.core.errors import ServiceError
from oa.org.models import THREE_ADMINS, Person, Role, RoleAssignment, Unit

# Far in the past: with password expiry on, the first sign-in goes straight to the password page.
INITIAL_PASSWORD_DATE = datetime(2000, 1, 1, tzinfo=UTC)


def random_password(length: int = 16) -> str:
    pools = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "!#$%&*+-=?@^_")
    chars = [secrets.choice(pool) for pool in pools]
    alphabet = "".join(pools)
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


class Command(BaseCommand):
    help = "创建三员账号（系统管理员、安全管理员、审计管理员），仅在尚无三员时可用。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="运维单位的全宗号（三员账号所属单位）")
        parser.add_argument("--system", default="sysadmin", help="系统管理员用户名")
        parser.add_argument("--security", default="secadmin", help="安全管理员用户名")
        parser.add_argument("--audit", default="auditadmin", help="审计管理员用户名")

    def handle(self, *args, **options):
        from oa.org import services as org

        unit = Unit.objects.filter(fonds_number=options["unit"], is_active=True).first()
        if unit is None:
            raise CommandError(f"找不到全宗号为“{options['unit']}”的启用单位。")
        if RoleAssignment.objects.filter(role__in=THREE_ADMINS, person__is_active=True).exists():
            raise CommandError("三员已经初始化；此后的角色授予请由安全管理员在系统中办理。")
        plan = (
            (options["system"], Role.SYSTEM_ADMIN),
            (options["security"], Role.SECURITY_ADMIN),
            (options["audit"], Role.AUDIT_ADMIN),
        )
        if len({username for username, _ in plan}) != len(plan):
            raise CommandError("三员必须是三个不同的账号。")
        created = []
        try:
            with transaction.atomic():
                for username, role in plan:
                    password = random_password()
                    person = org.create_person(
                        None, username=username, name=Role(role).label, unit=unit, title=Role(role).label,
                        password=password,
                    )
                    Person.objects.filter(pk=person.pk).update(password_changed_at=INITIAL_PASSWORD_DATE)
                    org.assign_role(None, person, unit, role)
                    created.append((username, Role(role).label, password))
                record("系统", "accounts.bootstrap_admins", unit, after={"usernames": [c[0] for c in created]},
                       summary="初始化三员账号")
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write("已创建三员账号（初始密码只显示这一次，首次登录须修改）：")
        for username, label, password in created:
            self.stdout.write(f"  {label}  用户名 {username}  初始密码 {password}")
