"""回执 signatures: the receiving unit's official seal certificate signs
"oa-exchange-receipt|delivery|document|package hash|recipient|clerk|time" for a 签收 and
"oa-exchange-done-receipt|delivery|document|package hash|recipient|finisher|time" for a 办结 (ECDSA/RSA over
SHA-256, the key held by ``signing.keystore``). Units without a seal key get an unsigned record, marked as
such."""

import logging

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import load_der_x509_certificate

log = logging.getLogger(__name__)


def message_for(delivery, clerk_name: str, signed_at) -> str:
    return (
        f"oa-exchange-receipt|{delivery.pk}|{delivery.document_id}|{delivery.package_sha256}|"
        f"{delivery.recipient_id}|{clerk_name}|{signed_at.isoformat()}"
    )


def done_message_for(delivery, finisher_name: str, finished_at) -> str:
    return (
        f"oa-exchange-done-receipt|{delivery.pk}|{delivery.document_id}|{delivery.package_sha256}|"
        f"{delivery.recipient_id}|{finisher_name}|{finished_at.isoformat()}"
    )


def seal_certificate_of(unit):
    from signing.models import Seal, SealKind

    seal = (
        Seal.objects.filter(unit=unit, kind=SealKind.OFFICIAL, is_active=True)
        .select_related("certificate")
        .order_by("pk")
        .first()
    )
    certificate = seal.certificate if seal else None
    if certificate is None or not certificate.has_key or certificate.is_revoked:
        return None
    return certificate


def sign(unit, message: str):
    """(certificate, signature) or (None, None) when the unit holds no usable seal key."""
    certificate = seal_certificate_of(unit)
    if certificate is None:
        return None, None
    from signing.keystore import signer_for

    try:
        return certificate, signer_for(certificate).sign_raw(message.encode("utf-8"), "sha256")
    except Exception:  # a broken key must not block 签收; the receipt then says it is unsigned
        log.warning("receipt signing failed for unit %s", unit.pk, exc_info=True)
        return None, None


def verify(receipt) -> bool:
    if receipt.certificate is None or not receipt.signature:
        return False
    public_key = load_der_x509_certificate(bytes(receipt.certificate.der)).public_key()
    data, signature = receipt.message.encode("utf-8"), bytes(receipt.signature)
    try:
        if isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            return False
    except InvalidSignature:
        return False
    return True
