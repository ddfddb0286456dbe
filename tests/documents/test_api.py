"""/api/documents/: the same services and rules as the pages; refusals are 4xx with a Chinese detail."""

import pytest

from documents.models import Document

from .files import docx_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, personas):
    client.force_login(personas.yj_staff)
    return client


def _payload(org_tree, **extra):
    return {
        "doc_type": "通知",
        "title": "阳江市人民政府关于做好防汛工作的通知",
        "issuers": [org_tree.yj_gov.pk],
        "main_units": [org_tree.jc_gov.pk],
        "written_date": "2025-05-06",
        "printer": "阳江市人民政府办公室",
        "print_date": "2025-05-07",
        "body": [
            {"kind": "heading1", "text": "总体要求"},
            {"kind": "paragraph", "text": "压实责任。"},
            {"kind": "table", "rows": [["单位", "责任人"]]},
        ],
        **extra,
    }


def test_create_read_update_and_check(api, org_tree):
    response = api.post("/api/documents/", _payload(org_tree), content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["body"][0] == {"kind": "heading1", "text": "一、总体要求"}
    assert body["issuers"] == [{"id": org_tree.yj_gov.pk, "name": "阳江市人民政府"}]
    assert body["format"] == "general" and body["direction"] == "down" and body["version"] == 1
    pk = body["id"]
    patched = api.patch(
        f"/api/documents/{pk}/", {"title": "关于防汛的意见", "base_version": 1}, content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["version"] == 2
    findings = api.get(f"/api/documents/{pk}/check/").json()
    assert {
        "code": "title.doc_type",
        "severity": "error",
        "field": "title",
        "message_zh": "标题应以文种“通知”结尾（发文机关 + 事由 + 文种），如：关于……的通知。",
    } in findings
    assert [row["number"] for row in api.get(f"/api/documents/{pk}/versions/").json()] == [1, 2]
    restored = api.post(f"/api/documents/{pk}/restore/", {"version": 1}, content_type="application/json")
    assert restored.status_code == 200 and restored.json()["title"] == "阳江市人民政府关于做好防汛工作的通知"
    assert [d["id"] for d in api.get("/api/documents/").json()["results"]] == [pk]


@pytest.mark.parametrize("level", ["绝密", "机密", "秘密"])
def test_classified_is_a_400_with_the_reason(api, org_tree, level):
    response = api.post("/api/documents/", _payload(org_tree, secrecy=level), content_type="application/json")
    assert response.status_code == 400
    assert "涉密网络" in response.json()["detail"]
    assert not Document.objects.exists()


def test_bad_input_is_a_400_not_a_500(api, org_tree):
    cases = [
        _payload(org_tree, body=[{"kind": "paragraph", "text": "响铃\x07"}]),
        _payload(org_tree, body="not a list"),
        _payload(org_tree, doc_type="汇报"),
        _payload(org_tree, issuers=[999999]),
        _payload(org_tree, title=""),
        _payload(org_tree, written_date="2025-02-30"),
    ]
    for payload in cases:
        response = api.post("/api/documents/", payload, content_type="application/json")
        assert response.status_code == 400, (payload, response.content)
    assert not Document.objects.exists()


def test_other_unit_gets_404(client, personas, make_draft):
    doc = make_draft()
    client.force_login(personas.jy_staff)
    for url in (f"/api/documents/{doc.pk}/", f"/api/documents/{doc.pk}/check/", f"/api/documents/{doc.pk}/versions/"):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["detail"] == "没有找到该公文。"
    assert client.patch(f"/api/documents/{doc.pk}/", {"title": "x"}, content_type="application/json").status_code == 404
    assert client.get("/api/documents/").json()["results"] == []


def test_anonymous_is_refused(client, make_draft):
    doc = make_draft()
    assert client.get(f"/api/documents/{doc.pk}/check/").status_code == 403


def test_number_only_by_the_clerk(client, personas, make_draft):
    doc = make_draft()
    client.force_login(personas.yj_staff)
    denied = client.post(f"/api/documents/{doc.pk}/number/")
    assert denied.status_code == 403 and "收发员" in denied.json()["detail"]
    client.force_login(personas.yj_clerk)
    assert client.post(f"/api/documents/{doc.pk}/number/").json()["doc_number"].endswith("〕1号")


def test_attachments_and_docx_import(api, make_draft):
    doc = make_draft()
    ok = api.post(f"/api/documents/{doc.pk}/attachments/", {"file": [upload("名单.pdf", pdf_bytes())]})
    assert ok.status_code == 201 and [a["name"] for a in ok.json()["attachments"]] == ["名单.pdf"]
    fake = api.post(f"/api/documents/{doc.pk}/attachments/", {"file": [upload("假.docx", b"text" * 40)]})
    assert fake.status_code == 400 and "不是允许的类型" in fake.json()["detail"]
    imported = api.post(
        f"/api/documents/{doc.pk}/import-docx/",
        {"file": upload("b.docx", docx_bytes(lambda d: d.add_paragraph("（一）压实责任")))},
    )
    assert imported.status_code == 200 and imported.json()["body"] == [{"kind": "heading2", "text": "（一）压实责任"}]


def test_schema_documents_the_endpoints(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert "/api/documents/{id}/check/" in schema["paths"]
