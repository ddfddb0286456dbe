"""The key that signs the chain head, and the signing itself.

The Ed25519 private key lives in a file (``settings.AUDIT_SIGNING_KEY_FILE``), never in the database: someone
who can rewrite every audit row still cannot produce a valid checkpoint signature.  The file is created with
0600 permissions on first use.  Several hosts share one key by pointing the setting at the same secret file.
"""

import base64
import hashlib
import logging
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from oa.audit.models import GENESIS_HASH, ChainHead, Checkpoint

logger = logging.getLogger(__name__)


class SigningKeyMissing(Exception):
    pass


class ChainNotSigned(Exception):
    """The head was not signed because the events since the last checkpoint do not verify."""


def key_path() -> Path:
    return Path(settings.AUDIT_SIGNING_KEY_FILE)


def load_private_key(*, create: bool = True) -> Ed25519PrivateKey:
    path = key_path()
    if not path.exists():
        if not create:
            raise SigningKeyMissing(f"审计签名密钥文件不存在：{path}")
        _generate(path)
    if path.stat().st_mode & 0o077:
        logger.warning("audit signing key %s is readable by group/others; chmod 600 it", path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(f"审计签名密钥不是 Ed25519 私钥：{path}")
    return key


def _generate(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Write a private temp file, then link it into place: concurrent first users never see half a key,
    # and the loser of the race keeps the winner's key.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
            logger.info("generated audit signing key %s", path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)


def key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def signature_valid(checkpoint: Checkpoint, public_key: Ed25519PublicKey) -> bool:
    if checkpoint.key_id != key_id(public_key):
        return False
    try:
        public_key.verify(base64.b64decode(checkpoint.signature), checkpoint.message())
    except (InvalidSignature, ValueError):
        return False
    return True


def sign_chain_head() -> Checkpoint | None:
    """Sign the current head unless it is already signed. The events since the last checkpoint are verified
    first, so a checkpoint never vouches for a chain that was already broken. Returns the new checkpoint."""
    from oa.audit.verify import verify_segment

    head = ChainHead.objects.filter(pk=1).first()
    if head is None or head.last_seq == 0:
        return None
    last = Checkpoint.objects.order_by("-seq").first()
    if last is not None and last.seq >= head.last_seq:
        return None
    private_key = load_private_key()
    public_key = private_key.public_key()
    if last is not None and not signature_valid(last, public_key):
        raise ChainNotSigned(f"上一个签名点（第 {last.seq} 条）签名无效，拒绝签名")
    problem = verify_segment(
        after_seq=last.seq if last else 0,
        after_hash=last.hash if last else GENESIS_HASH,
        upto_seq=head.last_seq,
        expected_hash=head.last_hash,
    )
    if problem is not None:
        raise ChainNotSigned(f"审计链在第 {problem.seq} 条处异常（{problem.detail}），拒绝签名")
    checkpoint = Checkpoint(seq=head.last_seq, hash=head.last_hash, signed_at=timezone.now(), key_id=key_id(public_key))
    checkpoint.signature = base64.b64encode(private_key.sign(checkpoint.message())).decode("ascii")
    try:
        with transaction.atomic():
            checkpoint.save(force_insert=True)
    except IntegrityError:
        return None  # another signer got there first
    return checkpoint
