"""Private keys: generation, encryption at rest, and a per-process cache of parsed keys and signers.

Keys are EC P-256. Why not RSA: generating an RSA-2048 key takes ~100 ms and OpenSSL 3 checks an RSA key
for ~27 ms every time it is loaded; a P-256 key is generated and signs in well under a millisecond, its
signatures are 72 bytes instead of 256, and PAdES/Adobe Reader accept ECDSA. (SM2, the curve of
GB/T 38540, is a later goal; it is also an elliptic curve, so this keeps the code shaped for it.)

At rest a key is PKCS#8 DER sealed with AES-256-GCM under a key derived (HKDF-SHA256) from
``OA_KEY_ENCRYPTION_KEY``. Development falls back to a key derived from SECRET_KEY; production refuses to.
"""

import hashlib
import os
import threading

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing import conf

_FORMAT = b"OAK1"
_AAD = b"oa-signing-private-key"


class KeyDecryptionError(Exception):
    """The stored key cannot be decrypted: wrong OA_KEY_ENCRYPTION_KEY or damaged data."""


def _wrapping_key() -> bytes:
    secret = conf.key_encryption_secret()
    if not secret:
        if getattr(settings, "PRODUCTION", False):
            raise ImproperlyConfigured(
                "OA_PRODUCTION=true requires OA_KEY_ENCRYPTION_KEY (private keys are encrypted with it)"
            )
        secret = "dev-key-encryption:" + settings.SECRET_KEY
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"oa-signing", info=b"key-encryption").derive(
        secret.encode("utf-8")
    )


def generate_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def generate_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def encrypt_key(key) -> bytes:
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    nonce = os.urandom(12)
    return _FORMAT + nonce + AESGCM(_wrapping_key()).encrypt(nonce, der, _AAD)


def decrypt_key(blob: bytes):
    blob = bytes(blob)
    if not blob.startswith(_FORMAT):
        raise KeyDecryptionError("unknown key format")
    nonce, sealed = blob[4:16], blob[16:]
    try:
        der = AESGCM(_wrapping_key()).decrypt(nonce, sealed, _AAD)
    except Exception as exc:  # InvalidTag: wrong key or tampered blob
        raise KeyDecryptionError("cannot decrypt the private key") from exc
    return serialization.load_der_private_key(der, password=None)


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(bytes(der)).hexdigest()


class CachedKeySigner(SimpleSigner):
    """pyHanko's SimpleSigner re-parses the private key on every ``sign_raw``; this one keeps the parsed
    key object (parsing an RSA key costs ~27 ms under OpenSSL 3, twice per signature)."""

    def __init__(self, signing_cert, private_key, cert_registry):
        self._pyca_key = private_key
        key_info = asn1_keys.PrivateKeyInfo.load(
            private_key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        super().__init__(signing_cert=signing_cert, signing_key=key_info, cert_registry=cert_registry)

    def sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        key = self._pyca_key
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algo))
        if isinstance(key, rsa.RSAPrivateKey):
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            if mechanism == "rsassa_pkcs1v15":
                return key.sign(data, PKCS1v15(), hash_algo)
        # Anything unusual (PSS, EdDSA from an imported PKCS#12): pyHanko's own implementation.
        return super().sign_raw(data, digest_algorithm)


_cache: dict[tuple[int, str], CachedKeySigner] = {}
_cache_lock = threading.Lock()


def signer_for(certificate) -> CachedKeySigner:
    """The signer for a certificate we hold the key of, parsed once per process."""
    cache_key = (certificate.pk, certificate.fingerprint)
    signer = _cache.get(cache_key)
    if signer is not None:
        return signer
    chain = []
    issuer = certificate.issuer
    while issuer is not None:
        chain.append(asn1_x509.Certificate.load(bytes(issuer.der)))
        issuer = issuer.issuer
    signer = CachedKeySigner(
        signing_cert=asn1_x509.Certificate.load(bytes(certificate.der)),
        private_key=decrypt_key(certificate.encrypted_key),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )
    with _cache_lock:
        _cache[cache_key] = signer
    return signer


def forget_cached(certificate=None) -> None:
    with _cache_lock:
        if certificate is None:
            _cache.clear()
        else:
            for key in [k for k in _cache if k[0] == certificate.pk]:
                del _cache[key]
