"""The tamper corpus: each manipulation of a sealed file is detected and explained in plain words."""

import io
import re

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.utils import timezone
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields

from signing import keystore, pdfsign, seal_image
from signing.services import revoke_certificate, verify_pdf
from tests.signing.conftest import make_pdf, seal_in_order


@pytest.fixture
def sealed(seals):
    """A three-page document with two seals, locked after the second."""
    return seal_in_order(make_pdf(3), seals.all[:2], seals.keepers[:2])


def _update(pdf: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return pdf + out.getvalue()[len(pdf) :] if out.getvalue().startswith(pdf) else out.getvalue()


def _codes(report) -> set[str]:
    return {p.code for p in report.all_problems}


def assert_rejected(report, verdict, code):
    assert report.verdict == verdict, report.summary
    assert code in _codes(report), (_codes(report), report.summary)
    assert report.summary.startswith(
        {"tampered": "已被篡改", "untrusted": "印章不受信任", "missing": "缺少印章"}[verdict]
    )


def test_untouched_document_is_ok(sealed):
    assert verify_pdf(sealed, expected_seals=2).verdict == "ok"


def test_bytes_changed_inside_signed_range(sealed):
    tampered = sealed.replace(b"Page 1 body text", b"Page 1 BODY text", 1)
    assert tampered != sealed
    assert_rejected(verify_pdf(tampered), "tampered", "digest_mismatch")


def test_incremental_update_that_changes_the_text(sealed):
    def change(w):
        page_ref, _ = w.find_page_for_modification(0)
        page = page_ref.get_object()
        page["/Contents"] = w.add_object(
            generic.StreamObject(stream_data=b"BT /F1 14 Tf 90 700 Td (Changed text) Tj ET")
        )
        w.update_container(page)

    assert_rejected(verify_pdf(_update(sealed, change)), "tampered", "modified_after_signing")


def test_added_annotation(sealed):
    def change(w):
        page_ref, _ = w.find_page_for_modification(0)
        page = page_ref.get_object()
        note = w.add_object(generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Text"),
            pdf_name("/Rect"): generic.ArrayObject([generic.NumberObject(n) for n in (100, 100, 120, 120)]),
            pdf_name("/Contents"): generic.TextStringObject("作废"),
        }))  # fmt: skip
        annots = page.get("/Annots")
        if annots is None:
            page["/Annots"] = generic.ArrayObject([note])
        else:
            raw = page.raw_get("/Annots")
            annots.append(note)
            if isinstance(raw, generic.IndirectObject):
                w.mark_update(raw)
        w.update_container(page)

    assert_rejected(verify_pdf(_update(sealed, change)), "tampered", "modified_after_signing")


def test_added_page(sealed):
    def change(w):
        w.insert_page(generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Page"),
            pdf_name("/MediaBox"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 595, 842)]),
        }))  # fmt: skip

    assert_rejected(verify_pdf(_update(sealed, change)), "tampered", "modified_after_signing")


def test_overlay_over_the_text(sealed):
    def change(w):
        stream = w.add_object(generic.StreamObject(stream_data=b"q 1 1 1 rg 80 690 300 30 re f Q"))
        w.add_stream_to_page(0, stream, prepend=False)

    assert_rejected(verify_pdf(_update(sealed, change)), "tampered", "modified_after_signing")


def test_new_empty_signature_field_covering_the_text(sealed):
    def change(w):
        fields.append_signature_field(
            w, fields.SigFieldSpec("Cover", on_page=0, box=(80, 690, 400, 720), empty_field_appearance=True)
        )

    report = verify_pdf(_update(sealed, change))
    assert_rejected(report, "tampered", "unsigned_field")


def test_removed_signature_by_truncation_is_missing_a_seal(sealed, seals):
    three = seal_in_order(make_pdf(3), seals.all[:3], seals.keepers[:3])
    ends = [m.end() for m in re.finditer(rb"%%EOF\r?\n?", three)]
    truncated = three[: ends[-2]]  # drop the last revision: the third seal
    assert verify_pdf(truncated).verdict == "ok"  # a valid two-seal file …
    assert_rejected(verify_pdf(truncated, expected_seals=3), "missing", "too_few_seals")  # … but one is missing


def test_removed_signature_by_update(seals):
    pdf = seal_in_order(make_pdf(3), seals.all[:2], seals.keepers[:2], lock=False)

    def change(w):
        acroform = w.root["/AcroForm"]
        kept = generic.ArrayObject(
            [f for f in acroform["/Fields"] if not str(f.get_object().get("/T", "")).startswith("Seal2")]
        )
        acroform["/Fields"] = kept
        w.update_container(acroform)

    report = verify_pdf(_update(pdf, change))
    assert report.verdict == "tampered", report.summary
    assert "signature_removed" in _codes(report)


def _contents_span(pdf: bytes, which: int = -1) -> tuple[int, int]:
    matches = list(re.finditer(rb"/Contents\s*<([0-9a-fA-F]+)>", pdf))
    m = matches[which]
    return m.start(1), m.end(1)


def test_zeroed_signature_contents(sealed):
    start, end = _contents_span(sealed)
    zeroed = sealed[:start] + b"0" * (end - start) + sealed[end:]
    report = verify_pdf(zeroed)
    assert report.verdict == "tampered", report.summary
    assert _codes(report) & {"validation_error", "signature_invalid", "digest_mismatch"}


def test_shortened_byte_range(sealed):
    matches = list(re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", sealed))
    m = matches[-1]
    old = m.group(4)
    new = str(int(old) - 200).encode().ljust(len(old))
    tampered = sealed[: m.start(4)] + new + sealed[m.end(4) :]
    report = verify_pdf(tampered)
    assert report.verdict == "tampered", report.summary


def test_junk_after_end_of_file(sealed):
    report = verify_pdf(sealed + b"\n% appended after signing\n" + b"x" * 100)
    assert_rejected(report, "tampered", "bytes_appended")
    assert "末尾被追加" in report.summary


def _untrusted_signer():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "伪造的印章")])
    now = timezone.now()
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now)
        .not_valid_after(now + timezone.timedelta(days=30))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = cert.public_bytes(encoding=__import__("cryptography").hazmat.primitives.serialization.Encoding.DER)
    return keystore.CachedKeySigner(asn1_x509.Certificate.load(der), key, SimpleCertificateStore())


def test_seal_from_an_untrusted_ca(signing_ca):
    pdf = pdfsign.sign(
        make_pdf(3),
        signer=_untrusted_signer(),
        field_name="Fake",
        box=pdfsign.Box(3, 100, 200, 42, 42),
        appearance=pdfsign.Appearance(vector_ops=seal_image.seal_vector_ops("阳江市人民政府")),
    )
    report = verify_pdf(pdf)
    assert_rejected(report, "untrusted", "untrusted_chain")
    assert report.signatures[0].intact and not report.signatures[0].trusted


def test_revoked_certificate(sealed, seals, personas):
    revoke_certificate(personas.secadmin, seals.yj.certificate, "印章遗失")
    report = verify_pdf(sealed)
    assert_rejected(report, "untrusted", "revoked")
    assert report.signatures[0].revoked and not report.signatures[1].revoked


def test_signature_moved_from_another_file(seals):
    a = seal_in_order(make_pdf(3, "AAAA"), seals.all[:1], seals.keepers[:1])
    b = seal_in_order(make_pdf(3, "BBBB"), seals.all[:1], seals.keepers[:1])
    a_start, a_end = _contents_span(a)
    b_start, b_end = _contents_span(b)
    # The reserved space differs by a few bytes between files; the signature itself fits, zero-padded.
    signature = b[b_start:b_end].rstrip(b"0")
    signature += b"0" * (len(signature) % 2)
    assert len(signature) <= a_end - a_start
    moved = a[:a_start] + signature.ljust(a_end - a_start, b"0") + a[a_end:]
    assert_rejected(verify_pdf(moved), "tampered", "digest_mismatch")


def test_unsealed_pdf_is_missing_seals(signing_ca):
    assert_rejected(verify_pdf(make_pdf(1)), "missing", "no_seals")


def test_more_seals_than_issuers(sealed):
    assert_rejected(verify_pdf(sealed, expected_seals=1), "tampered", "too_many_seals")
