import sys

from django.core.management.base import BaseCommand

from oa.audit.signing import ChainNotSigned, key_path, sign_chain_head


class Command(BaseCommand):
    help = "立即用审计签名密钥对审计链头签名（链头未变化时不重复签名）。"

    def handle(self, *args, **options):
        try:
            checkpoint = sign_chain_head()
        except ChainNotSigned as exc:
            self.stderr.write(self.style.ERROR(str(exc)))
            sys.exit(1)
        if checkpoint is None:
            self.stdout.write("链头自上次签名后没有变化（或尚无审计记录），无需签名。")
            return
        text = f"已签名：第 {checkpoint.seq} 条，哈希 {checkpoint.hash[:16]}…，密钥 {checkpoint.key_id}（{key_path()}）"
        self.stdout.write(self.style.SUCCESS(text))
