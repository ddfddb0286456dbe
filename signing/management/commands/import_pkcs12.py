"""Import a unit's seal certificate from an external CA (PKCS#12) and register a seal on it."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from oa.org.models import Unit
from signing import ca
from signing.models import CertKind, SealKind
from signing.services.seals import create_seal


class Command(BaseCommand):
    help = "导入外部证书机构签发的印章证书（PKCS#12），并登记为该单位的印章。"

    def add_arguments(self, parser):
        parser.add_argument("unit_id", type=int)
        parser.add_argument("path")
        parser.add_argument("--trust-root", action="store_true", help="信任该证书机构的根证书")
        parser.add_argument("--special-name", default="", help="专用章名称（不填则登记为公章）")

    def handle(self, *args, **options):
        unit = Unit.objects.filter(pk=options["unit_id"]).first()
        if unit is None:
            raise CommandError("没有这个单位。")
        with open(options["path"], "rb") as fh:
            data = fh.read()
        password = getpass.getpass("PKCS#12 密码：")
        try:
            cert = ca.import_pkcs12(data, password, kind=CertKind.SEAL, unit=unit, trust_root=options["trust_root"])
        except ca.CertificateImportError as exc:
            raise CommandError(str(exc)) from exc
        kind = SealKind.SPECIAL if options["special_name"] else SealKind.OFFICIAL
        seal = create_seal(None, unit, kind=kind, special_name=options["special_name"], certificate=cert)
        self.stdout.write(f"已导入证书 {cert.subject}，登记印章 {seal.name}。")
