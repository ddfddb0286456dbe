"""验章 page and API: open to everyone, clear errors for bad files (never a 500), stable codes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.signing.conftest import make_pdf, seal_in_order


def _upload(data: bytes, name="doc.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def sealed(seals):
    return seal_in_order(make_pdf(3), seals.all[:2], seals.keepers[:2])


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()


def test_anonymous_visitor_verifies_a_sealed_pdf(client, sealed):
    assert client.get(reverse("signing:index")).status_code == 200
    response = client.post(reverse("signing:index"), {"file": _upload(sealed), "expected_seals": "2"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-verdict="ok"' in html and "完好" in html and "阳江市教育局（公章）" in html


def test_page_reports_tampering_in_words(client, sealed):
    response = client.post(reverse("signing:index"), {"file": _upload(sealed + b"junk")})
    html = response.content.decode()
    assert 'data-verdict="tampered"' in html and "已被篡改" in html and "末尾被追加" in html


ENCRYPTED_TRAILER = b"trailer\n<< /Size 1 /Root 1 0 R /Encrypt 5 0 R >>\n"


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (b"", "file_empty", "请选择"),
        (b"PK\x03\x04 a zip file, not a pdf", "file_not_pdf", "不是 PDF"),
        (b"%PDF-1.7\n garbage garbage \n%%EOF", "file_malformed", "损坏"),
        (
            make_pdf(1).replace(b"trailer\n<<", b"trailer\n<< /Encrypt << /Filter /Standard >>", 1),
            "file_encrypted",
            "加密",
        ),
    ],
)
def test_bad_files_get_clear_errors_on_page_and_api(client, signing_ca, data, code, words):
    page = client.post(reverse("signing:index"), {"file": _upload(data)})
    assert page.status_code == 400 and words in page.content.decode()
    api = client.post("/api/signing/verify/", {"file": _upload(data)})
    assert api.status_code == 400 and api.json()["code"] == code and words in api.json()["detail"]


def test_oversized_file_is_refused(client, signing_ca, settings):
    settings.SIGNING_VERIFY_MAX_BYTES = 1000
    api = client.post("/api/signing/verify/", {"file": _upload(make_pdf(3))})
    assert api.status_code == 400 and api.json()["code"] == "file_too_large"


def test_api_report_has_stable_codes_and_expected_count(client, sealed):
    data = client.post("/api/signing/verify/", {"file": _upload(sealed), "expected_seals": 3}).json()
    assert data["verdict"] == "missing" and data["verdict_label"] == "缺少印章"
    assert data["problems"][0]["code"] == "too_few_seals"
    assert [s["seal_name"] for s in data["signatures"]] == ["阳江市人民政府（公章）", "阳江市教育局（公章）"]
    assert all(s["intact"] and s["trusted"] for s in data["signatures"])
    bad = client.post("/api/signing/verify/", {"file": _upload(sealed), "expected_seals": "abc"})
    assert bad.status_code == 400 and bad.json()["code"] == "bad_expected_seals"


def test_anonymous_use_is_rate_limited(client, signing_ca, settings):
    settings.SIGNING_VERIFY_ANON_PER_MINUTE = 2
    statuses = [client.post("/api/signing/verify/", {"file": _upload(b"x")}).status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_crl_is_published(client, signing_ca):
    from cryptography import x509

    _, issuing = signing_ca
    response = client.get(reverse("signing:crl", args=[issuing.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pkix-crl"
    assert "电子印章签发机构" in x509.load_der_x509_crl(response.content).issuer.rfc4514_string()


def test_seal_registry_is_scoped(client, seals, personas):
    client.force_login(seals.yj_keeper)
    html = client.get(reverse("signing:seals")).content.decode()
    assert "阳江市人民政府（公章）" in html and "阳江市教育局（公章）" not in html
    assert client.get(reverse("signing:seal_detail", args=[seals.edu.pk])).status_code == 404
    assert client.get(reverse("signing:seal_image", args=[seals.yj.pk]))["Content-Type"] == "image/png"
    client.force_login(personas.yj_admin)  # 单位管理员 of 阳江市人民政府: its subtree includes 江城区
    html = client.get(reverse("signing:seals")).content.decode()
    assert "江城区人民政府（公章）" in html and "揭阳市人民政府（公章）" not in html


def test_unit_admin_sets_custodians_and_revokes_on_the_page(client, seals, personas):
    from signing.models import SealUse

    client.force_login(personas.yj_admin)
    url = reverse("signing:seal_detail", args=[seals.yj.pk])
    client.post(url, {"action": "custodians"})
    assert not seals.yj.custodians.exists()
    client.post(url, {"action": "revoke", "reason": "测试吊销"})
    seals.yj.certificate.refresh_from_db()
    assert seals.yj.certificate.revoked_at is not None
    assert not SealUse.objects.exists()


def test_use_log_api_is_scoped(client, seals, personas, sealed):
    client.force_login(seals.yj_keeper)
    rows = client.get("/api/signing/uses/").json()["results"]
    assert {r["seal_name"] for r in rows} == {"阳江市人民政府（公章）"}
    client.force_login(personas.auditor)
    assert len(client.get("/api/signing/uses/").json()["results"]) == 2
    client.force_login(personas.jy_staff)
    assert client.get("/api/signing/uses/").json()["results"] == []
