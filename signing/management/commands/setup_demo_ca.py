"""Set up the internal CA (root + issuing CA + TSA certificate) and the demo seals and personal certificates.
Idempotent: running it again creates only what is missing."""

from django.core.management.base import BaseCommand

from signing import ca
from signing.demo import DEFAULT_LIMIT, ensure_demo_seals


class Command(BaseCommand):
    help = "建立内部证书机构，并为有印章管理员的单位生成公章、为签发人签发个人证书（可重复运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--ca-only", action="store_true", help="只建立证书机构")
        parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="最多处理的单位数")

    def handle(self, *args, **options):
        root, issuing = ca.ensure_internal_ca()
        tsa = ca.ensure_tsa_certificate()
        self.stdout.write(f"根证书：{root.subject}\n签发机构：{issuing.subject}\n时间戳证书：{tsa.subject}")
        if not options["ca_only"]:
            created = ensure_demo_seals(limit=options["limit"])
            self.stdout.write(f"新建公章 {created['seals']} 枚，个人签名证书 {created['personal_certificates']} 张。")
