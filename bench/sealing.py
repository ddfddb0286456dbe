"""Sealing and verification speed for a 3-page document, next to the raw signing rate.

    python bench/sealing.py [--quick]

Measures, on a fresh temporary SQLite database (embedded profile):
- seals applied per second through ``signing.services.apply_seals`` (custodian check, PAdES signature with
  the vector stamp, B-LT validation data, 用印登记 row, audit event), one seal per document;
- verifications per second of a one-seal document (``signing.verify.verify_pdf``: full report, diff analysis,
  trust chain and CRL);
- the time to verify a five-seal joint document;
- in the same run, raw ECDSA P-256 and RSA-2048 signatures per second over a 32-byte digest (the key
  already parsed), and what re-parsing the RSA key on every signature costs (what pyHanko's stock signer
  does).
Ends with one line ``RESULT key=value …``.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(workdir: str) -> None:
    sys.path.insert(0, str(ROOT))
    if not os.environ.get("OA_DB_ENGINE") or os.environ["OA_DB_ENGINE"] == "sqlite":
        os.environ["OA_SQLITE_PATH"] = os.path.join(workdir, "bench.sqlite3")
    os.environ.setdefault("OA_VAR_DIR", workdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "oa.settings"
    os.environ.setdefault("OA_LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_pdf(pages: int = 3) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=(595.28, 841.89))
    for i in range(pages):
        c.drawString(90, 700, f"Page {i + 1}")
        c.showPage()
    c.save()
    return out.getvalue()


def world(n_units: int):
    from oa.org.models import Person, Role, RoleAssignment, Unit
    from signing import ca
    from signing.services import create_seal

    ca.ensure_internal_ca()
    seals, keepers = [], []
    for i in range(n_units):
        unit = Unit.objects.create(name=f"测试市第{i + 1}人民政府", short_name=f"测{i}", kind="government", level=2,
                                   fonds_number=f"B{i:04d}")  # fmt: skip
        keeper = Person.objects.create(username=f"keeper{i}", name=f"印管{i}", unit=unit)
        RoleAssignment.objects.create(person=keeper, unit=unit, role=Role.SEAL_KEEPER)
        seals.append(create_seal(None, unit, custodians=[keeper]))
        keepers.append(keeper)
    return seals, keepers


def rate(fn, seconds: float, minimum: int = 3) -> float:
    count, start = 0, time.perf_counter()
    while count < minimum or time.perf_counter() - start < seconds:
        fn()
        count += 1
    return count / (time.perf_counter() - start)


def raw_rates(seconds: float) -> dict:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    digest = os.urandom(32)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_der = rsa_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return {
        "raw_ecdsa_p256_per_s": rate(lambda: ec_key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256()))), seconds),
        "raw_rsa2048_per_s": rate(
            lambda: rsa_key.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256())), seconds
        ),
        "rsa2048_parse_and_sign_per_s": rate(
            lambda: serialization.load_der_private_key(rsa_der, None).sign(
                digest, padding.PKCS1v15(), Prehashed(hashes.SHA256())
            ),
            seconds,
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seconds = 1.0 if args.quick else 4.0
    with tempfile.TemporaryDirectory() as workdir:
        setup_django(workdir)
        from signing.services import SealPlacement, apply_seals, verify_pdf

        seals, keepers = world(5)
        pdf = make_pdf(3)

        def place(i):
            return [SealPlacement(seals[i], 3, 60 + 45 * (i % 3), 200 + 45 * (i // 3))]

        apply_seals(keepers[0], pdf, place(0), purpose_ref="bench:0")  # warm the key cache and glyphs
        seal_rate = rate(lambda: apply_seals(keepers[0], pdf, place(0), purpose_ref="bench:1"), seconds)
        one = apply_seals(keepers[0], pdf, place(0), purpose_ref="bench:2").pdf
        assert verify_pdf(one).ok
        verify_rate = rate(lambda: verify_pdf(one), seconds)

        five = pdf
        for i in range(5):
            five = apply_seals(keepers[i], five, place(i), purpose_ref="bench:5", lock_after_last=i == 4).pdf
        start = time.perf_counter()
        report = verify_pdf(five, expected_seals=5)
        five_ms = (time.perf_counter() - start) * 1000
        assert report.ok, report.summary
        raw = raw_rates(seconds / 2)

    print(f"seals applied per second (3-page PDF, B-LT, logged): {seal_rate:.1f}")
    print(f"verifications per second (one seal):                {verify_rate:.1f}")
    print(f"verify a five-seal document:                        {five_ms:.0f} ms")
    print(f"raw ECDSA P-256 signatures per second:              {raw['raw_ecdsa_p256_per_s']:.0f}")
    print(f"raw RSA-2048 signatures per second:                 {raw['raw_rsa2048_per_s']:.0f}")
    print(f"RSA-2048 parse key + sign per second:               {raw['rsa2048_parse_and_sign_per_s']:.0f}")
    print(
        f"RESULT seals_per_s={seal_rate:.1f} verifications_per_s={verify_rate:.1f} verify_five_seals_ms={five_ms:.0f} "
        f"raw_ecdsa_p256_per_s={raw['raw_ecdsa_p256_per_s']:.0f} raw_rsa2048_per_s={raw['raw_rsa2048_per_s']:.0f} "
        f"rsa2048_parse_and_sign_per_s={raw['rsa2048_parse_and_sign_per_s']:.0f}"
    )


if __name__ == "__main__":
    main()
