import logging

from django.apps import AppConfig


class _DropMessage(logging.Filter):
    """Drops one known, expected log line (we never fetch revocation data: CRLs are given to pyHanko)."""

    def __init__(self, fragment: str):
        super().__init__()
        self.fragment = fragment

    def filter(self, record: logging.LogRecord) -> bool:
        return self.fragment not in record.getMessage()


class SigningConfig(AppConfig):
    name = "signing"
    verbose_name = "电子印章与签名"

    def ready(self):
        logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_DropMessage("fetching is not allowed"))
        # The Debian 宋体 (gbsn00lp) has 4 stray bytes at the end of its glyf table; harmless.
        logging.getLogger("fontTools.ttLib.tables._g_l_y_f").addFilter(_DropMessage("too much 'glyf' table data"))
