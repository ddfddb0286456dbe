"""The internal CA: keys encrypted at rest, idempotent setup, CRLs, PKCS#12 import, the seal images."""

import io

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from oa.core.errors import PermissionDeniedError, ServiceError
from oa.org.models import Role
from signing import ca, keystore, seal_image
from signing.models import Certificate, CertKind, Seal
from signing.services import apply_seals, create_seal, import_pkcs12, verify_pdf
from tests.factories import PersonFactory, RoleAssignmentFactory
from tests.signing.conftest import make_pdf, place


def test_private_keys_are_encrypted_at_rest(signing_ca, settings):
    _, issuing = signing_ca
    blob = bytes(issuing.encrypted_key)
    key = keystore.decrypt_key(blob)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    assert der not in blob
    settings.SIGNING_KEY_ENCRYPTION_KEY = "another secret"
    with pytest.raises(keystore.KeyDecryptionError):
        keystore.decrypt_key(blob)


def test_production_refuses_the_default_encryption_key(settings):
    settings.PRODUCTION = True
    settings.SIGNING_KEY_ENCRYPTION_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        keystore.encrypt_key(keystore.generate_key())
    settings.SIGNING_KEY_ENCRYPTION_KEY = "a long random production secret"
    assert keystore.encrypt_key(keystore.generate_key()).startswith(b"OAK1")


def test_setup_demo_ca_is_idempotent(signing_ca, personas, org_tree):
    keeper = PersonFactory(unit=org_tree.yj_gov, name="印管")
    RoleAssignmentFactory(person=keeper, unit=org_tree.yj_gov, role=Role.SEAL_KEEPER)
    out = io.StringIO()
    call_command("setup_demo_ca", stdout=out)
    assert "新建公章 1 枚，个人签名证书 2 张" in out.getvalue()  # 阳江市人民政府's seal; 吴市长, 郑副市长
    counts = (Certificate.objects.count(), Seal.objects.count())
    call_command("setup_demo_ca", stdout=io.StringIO())
    assert (Certificate.objects.count(), Seal.objects.count()) == counts
    seal = Seal.objects.get()
    assert list(seal.custodians.all()) == [keeper]
    assert ca.personal_certificate_of(personas.yj_mayor) is not None


def test_revocation_is_published_in_the_crl(signing_ca, org_tree):
    cert = ca.issue_seal_certificate(org_tree.yj_gov, "测试章")
    ca.revoke(cert, "测试")
    crl = x509.load_der_x509_crl(bytes(ca.current_crl(cert.issuer).der))
    assert crl.get_revoked_certificate_by_serial_number(int(cert.serial, 16)) is not None


def _external_p12(password: bytes) -> bytes:
    now = timezone.now()

    def cert(subject, issuer, pub, signing_key, is_ca):
        return (
            x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(pub)
            .serial_number(x509.random_serial_number()).not_valid_before(now - timezone.timedelta(minutes=5))
            .not_valid_after(now + timezone.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(not is_ca, not is_ca, False, False, False, is_ca, is_ca, False, False), critical=True
            )
            .sign(signing_key, hashes.SHA256())
        )  # fmt: skip

    root_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "外部CA根证书")])
    root = cert(root_name, root_name, root_key.public_key(), root_key, True)
    leaf_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "揭阳市人民政府（公章）")])
    leaf = cert(leaf_name, root_name, key.public_key(), root_key, False)
    return pkcs12.serialize_key_and_certificates(
        b"seal", key, leaf, [root], serialization.BestAvailableEncryption(password)
    )


def test_pkcs12_import_and_trust_decision(signing_ca, personas, org_tree):
    data = _external_p12(b"Secret-123")
    keeper = PersonFactory(unit=org_tree.jy_gov)
    RoleAssignmentFactory(person=keeper, unit=org_tree.jy_gov, role=Role.SEAL_KEEPER)
    with pytest.raises(ServiceError, match="密码错误"):
        import_pkcs12(personas.secadmin, org_tree.jy_gov, data, "wrong")
    with pytest.raises(PermissionDeniedError):
        import_pkcs12(personas.yj_admin, org_tree.jy_gov, data, "Secret-123")  # not their unit
    cert = import_pkcs12(personas.secadmin, org_tree.jy_gov, data, "Secret-123")
    seal = create_seal(personas.secadmin, org_tree.jy_gov, certificate=cert, custodians=[keeper])
    pdf = apply_seals(keeper, make_pdf(3), [place(seal)], purpose_ref="x:1").pdf
    assert verify_pdf(pdf).verdict == "untrusted"  # the external root is not trusted yet
    Certificate.objects.filter(kind=CertKind.EXTERNAL_CA).update(is_trust_anchor=True)
    assert verify_pdf(pdf).verdict == "ok"


def test_generated_seal_is_vector_paths_and_a_transparent_png(signing_ca):
    ops = seal_image.seal_vector_ops("阳江市人民政府", "合同专用章")
    assert " c\n" in ops or " c" in ops
    assert "Do" not in ops.split() and "Tf" not in ops.split() and "BT" not in ops.split()  # no images, no fonts
    image = Image.open(io.BytesIO(seal_image.render_png(ops)))
    assert image.mode == "RGBA"
    assert image.getpixel((2, 2))[3] == 0  # transparent corner
    red = image.getpixel((image.width // 2, image.height // 2))  # the star
    assert red[3] > 200 and red[0] > 150 and red[1] < 80


def _png(mode="RGBA", size=(200, 200), color=(200, 0, 0, 0)):
    out = io.BytesIO()
    Image.new(mode, size, color if mode == "RGBA" else color[:3]).save(out, format="PNG")
    return out.getvalue()


def test_uploaded_seal_png_is_validated(signing_ca, org_tree, personas):
    with pytest.raises(ServiceError, match="PNG"):
        create_seal(personas.yj_admin, org_tree.yj_gov, image_png=b"GIF89a....")
    with pytest.raises(ServiceError, match="透明"):
        create_seal(personas.yj_admin, org_tree.yj_gov, image_png=_png("RGB"))
    with pytest.raises(ServiceError, match="像素"):
        create_seal(personas.yj_admin, org_tree.yj_gov, image_png=_png(size=(50, 50)))
    seal = create_seal(personas.yj_admin, org_tree.yj_gov, image_png=_png())
    assert seal.image_source == "uploaded" and not seal.vector_ops


def test_uploaded_image_seal_applies_and_validates(signing_ca, org_tree, personas):
    keeper = PersonFactory(unit=org_tree.yj_gov)
    RoleAssignmentFactory(person=keeper, unit=org_tree.yj_gov, role=Role.SEAL_KEEPER)
    seal = create_seal(personas.yj_admin, org_tree.yj_gov, image_png=_png(), custodians=[keeper])
    pdf = apply_seals(keeper, make_pdf(3), [place(seal)], purpose_ref="x:1").pdf
    assert verify_pdf(pdf).verdict == "ok"


def test_only_unit_admins_register_seals(signing_ca, org_tree, personas):
    with pytest.raises(PermissionDeniedError):
        create_seal(personas.yj_staff, org_tree.yj_gov)
    with pytest.raises(PermissionDeniedError):
        create_seal(personas.jc_admin, org_tree.yj_gov)  # a superior unit is outside their subtree
    create_seal(personas.yj_admin, org_tree.yj_gov)
    with pytest.raises(ServiceError, match="已有启用的公章"):
        create_seal(personas.yj_admin, org_tree.yj_gov)
