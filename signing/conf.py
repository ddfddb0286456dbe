"""Signing settings, read from the environment (Django settings of the same name win, for tests).

OA_KEY_ENCRYPTION_KEY       secret that encrypts private keys at rest (required when OA_PRODUCTION=true)
OA_SIGNING_TSA              "" (no timestamp), "local" (the internal TSA certificate) or an RFC 3161 URL
OA_SIGNING_EMBED_VALIDATION embed certificates and CRLs (PAdES-B-LT) when the chain is ours (default true)
OA_SIGNING_CRL_BASE_URL     base URL written into certificates as CRL distribution point
OA_VERIFY_MAX_BYTES         largest PDF accepted by 验章 (default 20 MB)
OA_VERIFY_ANON_PER_MINUTE   验章 requests per minute per client address for visitors not signed in
"""

from django.conf import settings

from oa.env import env_bool, env_int, env_str


def _get(name: str, default):
    return getattr(settings, name, default)


def key_encryption_secret() -> str:
    return _get("SIGNING_KEY_ENCRYPTION_KEY", env_str("OA_KEY_ENCRYPTION_KEY", ""))


def tsa() -> str:
    return _get("SIGNING_TSA", env_str("OA_SIGNING_TSA", ""))


def embed_validation() -> bool:
    return _get("SIGNING_EMBED_VALIDATION", env_bool("OA_SIGNING_EMBED_VALIDATION", True))


def crl_base_url() -> str:
    return _get("SIGNING_CRL_BASE_URL", env_str("OA_SIGNING_CRL_BASE_URL", "http://localhost:8000")).rstrip("/")


def verify_max_bytes() -> int:
    return _get("SIGNING_VERIFY_MAX_BYTES", env_int("OA_VERIFY_MAX_BYTES", 20 * 1024 * 1024))


def verify_anon_per_minute() -> int:
    return _get("SIGNING_VERIFY_ANON_PER_MINUTE", env_int("OA_VERIFY_ANON_PER_MINUTE", 20))
