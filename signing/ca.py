"""The internal certificate authority: a root, an issuing CA under it, and what it issues.

    root CA (20 years, trust anchor)
      └── issuing CA (10 years, path length 0)       ← publishes the CRL of what it issued
            ├── 印章证书 per seal (3 years)
            ├── 个人签名证书 per 签发人 (3 years)
            └── 时间戳证书 for the local TSA (PAdES-B-T)

Certificates carry a CRL distribution point (``/signing/crl/<id>.crl``); the verifier is given the current
CRLs directly (government intranets fetch nothing), so revocation takes effect at once.
Imported PKCS#12 files (an external CA) keep their own chain; their root is trusted only when an
administrator says so.

These functions do no permission checks: callers are the management command, the demo seeder and
``signing.services``.
"""

import datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from signing import conf, keystore
from signing.models import Certificate, CertKind, CertSource, RevocationList

ROOT_NAME = "广东省协同办公平台根证书"
ISSUING_NAME = "广东省协同办公平台电子印章签发机构"
TSA_NAME = "广东省协同办公平台时间戳服务"
CRL_VALIDITY = datetime.timedelta(days=7)
CRL_REFRESH_MARGIN = datetime.timedelta(days=1)
_YEAR = datetime.timedelta(days=365)


class CertificateImportError(Exception):
    """A PKCS#12 file that cannot be used (message in Chinese)."""


def _name(common_name: str, organisation: str = "") -> x509.Name:
    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "广东省"),
    ]
    if organisation:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attrs)


def _crl_url(issuer: Certificate) -> str:
    return conf.crl_base_url() + reverse("signing:crl", args=[issuer.pk])


def _save(cert: x509.Certificate, kind: str, key=None, *, issuer=None, **fields) -> Certificate:
    der = cert.public_bytes(serialization.Encoding.DER)
    return Certificate.objects.create(
        kind=kind,
        subject=cert.subject.rfc4514_string()[:300],
        issuer_name=cert.issuer.rfc4514_string()[:300],
        issuer=issuer,
        serial=format(cert.serial_number, "x"),
        fingerprint=keystore.fingerprint(der),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        der=der,
        encrypted_key=keystore.encrypt_key(key) if key is not None else None,
        **fields,
    )


def load_x509(certificate: Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(bytes(certificate.der))


def asn1_cert(certificate: Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(bytes(certificate.der))


def _builder(subject: x509.Name, issuer_name: x509.Name, public_key, days: float, now=None):
    now = now or timezone.now()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _signing_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
    )  # fmt: skip


def internal_root() -> Certificate | None:
    return (
        Certificate.objects.filter(kind=CertKind.ROOT_CA, source=CertSource.INTERNAL, revoked_at__isnull=True)
        .order_by("id")
        .first()
    )


def internal_issuing_ca() -> Certificate | None:
    return (
        Certificate.objects.filter(kind=CertKind.ISSUING_CA, source=CertSource.INTERNAL, revoked_at__isnull=True)
        .exclude(encrypted_key=None)
        .order_by("-id")
        .first()
    )


@transaction.atomic
def ensure_internal_ca() -> tuple[Certificate, Certificate]:
    """The root and the issuing CA, created on first call (idempotent)."""
    root = internal_root()
    if root is None:
        key = keystore.generate_key()
        name = _name(ROOT_NAME, "广东省协同办公平台")
        cert = (
            _builder(name, name, key.public_key(), 20 * 365)
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(_ca_key_usage(), critical=True)
            .sign(key, hashes.SHA256())
        )
        root = _save(cert, CertKind.ROOT_CA, key, is_trust_anchor=True)
        publish_crl(root)
    issuing = internal_issuing_ca()
    if issuing is None:
        issuing = _issue(
            root,
            _name(ISSUING_NAME, "广东省协同办公平台"),
            CertKind.ISSUING_CA,
            days=10 * 365,
            extensions=[
                (x509.BasicConstraints(ca=True, path_length=0), True),
                (_ca_key_usage(), True),
            ],
        )
        publish_crl(issuing)
    return root, issuing


def _issue(
    issuer: Certificate, subject: x509.Name, kind: str, *, days: float, extensions, rsa=False, **fields
) -> Certificate:
    issuer_key = keystore.decrypt_key(issuer.encrypted_key)
    issuer_cert = load_x509(issuer)
    key = keystore.generate_rsa_key() if rsa else keystore.generate_key()
    builder = _builder(subject, issuer_cert.subject, key.public_key(), days).add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
    )
    builder = builder.add_extension(
        x509.CRLDistributionPoints(
            [x509.DistributionPoint([x509.UniformResourceIdentifier(_crl_url(issuer))], None, None, None)]
        ),
        critical=False,
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    cert = builder.sign(issuer_key, hashes.SHA256())
    return _save(cert, kind, key, issuer=issuer, **fields)


def issue_seal_certificate(unit, seal_name: str, *, days: float = 3 * 365) -> Certificate:
    _, issuing = ensure_internal_ca()
    return _issue(
        issuing,
        _name(seal_name, unit.name),
        CertKind.SEAL,
        days=days,
        extensions=[(x509.BasicConstraints(ca=False, path_length=None), True), (_signing_key_usage(), True)],
        unit=unit,
    )


def issue_personal_certificate(person, *, days: float = 3 * 365) -> Certificate:
    _, issuing = ensure_internal_ca()
    unit = person.unit
    return _issue(
        issuing,
        _name(person.get_full_name(), unit.name if unit else ""),
        CertKind.PERSONAL,
        days=days,
        extensions=[(x509.BasicConstraints(ca=False, path_length=None), True), (_signing_key_usage(), True)],
        unit=unit,
        person=person,
    )


def ensure_tsa_certificate() -> Certificate:
    existing = (
        Certificate.objects.filter(kind=CertKind.TSA, revoked_at__isnull=True, not_after__gt=timezone.now())
        .exclude(encrypted_key=None)
        .order_by("-id")
        .first()
    )
    if existing is not None:
        return existing
    _, issuing = ensure_internal_ca()
    return _issue(
        issuing,
        _name(TSA_NAME, "广东省协同办公平台"),
        CertKind.TSA,
        days=5 * 365,
        extensions=[
            (x509.BasicConstraints(ca=False, path_length=None), True),
            (_signing_key_usage(), True),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True),
        ],
        rsa=True,  # pyHanko's local timestamper signs with RSA only
    )


def personal_certificate_of(person) -> Certificate | None:
    return (
        Certificate.objects.filter(
            kind=CertKind.PERSONAL, person=person, revoked_at__isnull=True, not_after__gt=timezone.now()
        )
        .exclude(encrypted_key=None)
        .order_by("-id")
        .first()
    )


# --- revocation -------------------------------------------------------------------------------------------


@transaction.atomic
def revoke(certificate: Certificate, reason: str = "") -> Certificate:
    """Mark revoked and publish the issuer's new CRL (when we run the issuer)."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is None:
        certificate.revoked_at = timezone.now()
        certificate.revocation_reason = reason[:200]
        certificate.save(update_fields=["revoked_at", "revocation_reason"])
    keystore.forget_cached(certificate)
    if certificate.issuer_id and certificate.issuer.has_key:
        publish_crl(certificate.issuer)
    return certificate


def publish_crl(issuer: Certificate) -> RevocationList:
    key = keystore.decrypt_key(issuer.encrypted_key)
    issuer_cert = load_x509(issuer)
    last = issuer.crls.order_by("-number").first()
    number = (last.number + 1) if last else 1
    now = timezone.now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_cert.subject)
        .last_update(now - datetime.timedelta(minutes=1))
        .next_update(now + CRL_VALIDITY)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
    )
    for cert in issuer.issued.filter(revoked_at__isnull=False):
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(int(cert.serial, 16))
            .revocation_date(cert.revoked_at)
            .build()
        )
    crl = builder.sign(key, hashes.SHA256())
    return RevocationList.objects.create(
        issuer=issuer,
        number=number,
        this_update=now,
        next_update=now + CRL_VALIDITY,
        der=crl.public_bytes(serialization.Encoding.DER),
    )


def current_crl(issuer: Certificate) -> RevocationList | None:
    """The CRL in force, re-published when it is about to go stale (a stale CRL would be ignored)."""
    crl = issuer.crls.order_by("-number").first()
    if issuer.has_key and (crl is None or crl.next_update - CRL_REFRESH_MARGIN < timezone.now()):
        crl = publish_crl(issuer)
    return crl


# --- PKCS#12 import --------------------------------------------------------------------------------------


@transaction.atomic
def import_pkcs12(
    data: bytes, password: str, *, kind: str, unit=None, person=None, trust_root: bool = False
) -> Certificate:
    """Store the key and certificate of a PKCS#12 file (an external CA's seal or personal certificate), with
    the CA certificates it carries. Their root becomes a trust anchor only with ``trust_root``."""
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password.encode("utf-8") if password else None)
    except Exception as exc:
        raise CertificateImportError("无法读取证书文件：文件损坏或密码错误。") from exc
    if key is None or cert is None:
        raise CertificateImportError("证书文件中没有私钥或证书。")
    if cert.not_valid_after_utc <= timezone.now():
        raise CertificateImportError("证书已过期。")
    fp = keystore.fingerprint(cert.public_bytes(serialization.Encoding.DER))
    if Certificate.objects.filter(fingerprint=fp).exists():
        raise CertificateImportError("该证书已导入。")
    issuer = _store_chain(cert, list(extra or ()), trust_root)
    return _save(cert, kind, key, issuer=issuer, source=CertSource.PKCS12, unit=unit, person=person)


def _store_chain(cert: x509.Certificate, extra: list[x509.Certificate], trust_root: bool) -> Certificate | None:
    """Find or store the issuer chain of ``cert`` among ``extra``; returns the direct issuer's record."""
    by_subject = {c.subject: c for c in extra}
    issuer_cert = by_subject.get(cert.issuer) if cert.issuer != cert.subject else None
    if issuer_cert is None:
        return None
    der = issuer_cert.public_bytes(serialization.Encoding.DER)
    existing = Certificate.objects.filter(fingerprint=keystore.fingerprint(der)).first()
    if existing is not None:
        return existing
    is_root = issuer_cert.issuer == issuer_cert.subject
    parent = None if is_root else _store_chain(issuer_cert, extra, trust_root)
    return _save(
        issuer_cert, CertKind.EXTERNAL_CA, None, issuer=parent, source=CertSource.PKCS12,
        is_trust_anchor=is_root and trust_root,
    )  # fmt: skip


# --- what the verifier trusts -----------------------------------------------------------------------------


def trust_anchors() -> list[asn1_x509.Certificate]:
    return [asn1_cert(c) for c in Certificate.objects.filter(is_trust_anchor=True, revoked_at__isnull=True)]


def intermediate_certs() -> list[asn1_x509.Certificate]:
    kinds = [CertKind.ISSUING_CA, CertKind.EXTERNAL_CA, CertKind.TSA]
    return [asn1_cert(c) for c in Certificate.objects.filter(kind__in=kinds, is_trust_anchor=False)]


def current_crls() -> list[bytes]:
    issuers = Certificate.objects.filter(kind__in=[CertKind.ROOT_CA, CertKind.ISSUING_CA]).exclude(encrypted_key=None)
    crls = []
    for issuer in issuers:
        crl = current_crl(issuer)
        if crl is not None:
            crls.append(bytes(crl.der))
    return crls
