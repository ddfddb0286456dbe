"""The search box, the archive search (档案员 only), exports and the API — one service behind all."""

import csv
import datetime
import io
import zipfile

import pytest
from django.urls import reverse

from documents import services as documents
from oa.audit.models import AuditEvent
from oa.org.models import Role
from search import services
from tests.factories import PersonFactory, RoleAssignmentFactory


@pytest.fixture
def archivist(personas, org_tree):
    person = PersonFactory(username="yj_archivist", name="林档案", unit=org_tree.yj_gov, title="档案员")
    RoleAssignmentFactory(person=person, role=Role.ARCHIVIST)
    return person


@pytest.fixture
def corpus(embedded, personas):
    made = []
    for i, (title, text) in enumerate(
        [
            ("阳江市关于推进一网通办改革的通知", '政务服务一网通办，=HYPERLINK("x")'),
            ("阳江市关于数字政府建设的通知", "数字政府建设要点。"),
        ]
    ):
        made.append(
            documents.create_draft(
                personas.yj_staff,
                {
                    "doc_type": "通知",
                    "title": title,
                    "body": [{"kind": "paragraph", "text": text}],
                    "written_date": datetime.date(2023, 5, i + 1),
                },
            )
        )
    documents.create_draft(personas.jy_staff, {"doc_type": "通知", "title": "揭阳市一网通办工作的通知"})
    services.reindex_all()
    return made


def test_search_box_shows_highlighted_hits_with_preview_link(client, personas, corpus):
    client.force_login(personas.yj_staff)
    page = client.get(reverse("search:index"), {"q": "一网通办"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "<mark>一网通办</mark>" in html
    assert reverse("documents:preview", args=[corpus[0].pk]) in html
    assert "揭阳" not in html
    assert "data-total>1<" in html


def test_search_box_without_query_is_just_the_form(client, personas, corpus):
    client.force_login(personas.yj_staff)
    page = client.get(reverse("search:index"))
    assert page.status_code == 200 and "data-total" not in page.content.decode()


def test_bad_input_is_a_message_not_a_500(client, personas, corpus):
    client.force_login(personas.yj_staff)
    page = client.get(reverse("search:index"), {"q": "-深圳"})
    assert page.status_code == 400 and "排除词" in page.content.decode()
    page = client.get(reverse("search:index"), {"q": "x", "year_from": "abc"})
    assert page.status_code == 400 and "年份" in page.content.decode()


def test_anonymous_is_sent_to_login(client):
    page = client.get(reverse("search:index"), {"q": "x"})
    assert page.status_code == 302 and "login" in page["Location"]


def test_archive_search_is_for_archivists(client, personas, archivist, corpus):
    client.force_login(personas.yj_staff)
    assert client.get(reverse("search:archive")).status_code == 403
    assert client.get(reverse("search:export"), {"format": "csv"}).status_code == 403
    client.force_login(archivist)
    page = client.get(reverse("search:archive"), {"q": "数字政府", "doc_type": "通知", "year_from": "2023"})
    assert page.status_code == 200 and "<mark>数字政府</mark>" in page.content.decode()
    assert "导出 Excel" in page.content.decode()


def test_archivist_exports_csv_and_xlsx_and_the_export_is_audited(client, archivist, corpus):
    client.force_login(archivist)
    response = client.get(reverse("search:export"), {"q": "一网通办 OR 数字政府", "format": "csv", "sort": "date_asc"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["发文字号", "标题", "文种"]
    assert [r[1] for r in rows[1:]] == ["阳江市关于推进一网通办改革的通知", "阳江市关于数字政府建设的通知"]
    assert AuditEvent.objects.filter(action="search.export").count() == 1

    response = client.get(reverse("search:export"), {"q": "一网通办", "format": "xlsx"})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
        assert "xl/workbook.xml" in zf.namelist()
    assert "阳江市关于推进一网通办改革的通知" in sheet and "揭阳" not in sheet


def test_csv_cells_cannot_start_formulas():
    from search.export import to_csv

    text = to_csv(["a"], [["=1+1"], ["-2"], ["正常"]]).decode("utf-8-sig")
    assert "'=1+1" in text and "'-2" in text


def test_api_returns_the_same_visible_results(client, personas, corpus):
    client.force_login(personas.yj_staff)
    data = client.get("/api/search/", {"q": "一网通办"}).json()
    assert data["total"] == 1 and data["hits"][0]["id"] == corpus[0].pk
    assert "<mark>" in data["hits"][0]["title_html"]
    assert data["facets"]["doc_type"] == [{"value": "通知", "label": "通知", "count": 1}]
    client.force_login(personas.jy_staff)
    data = client.get("/api/search/", {"q": "一网通办"}).json()
    assert data["total"] == 1 and data["hits"][0]["id"] != corpus[0].pk


def test_api_refuses_bad_input_with_a_chinese_detail(client, personas, corpus):
    client.force_login(personas.yj_staff)
    response = client.get("/api/search/", {"q": "x", "doc_number": "不是字号"})
    assert response.status_code == 400 and "发文字号" in response.json()["detail"]
    response = client.get("/api/search/", {"q": "x", "sort": "random"})
    assert response.status_code == 400
    assert client.get("/api/search/", {"doc_number": "阳府办2021-7"}).json()["total"] == 0


def test_api_schema_lists_search(client, personas):
    client.force_login(personas.yj_staff)
    assert "/api/search/" in client.get("/api/schema/").content.decode()


@pytest.fixture
def archived(embedded, personas, org_tree, archivist):
    from .archive_helpers import archive_item, receive, sent_document

    sent = sent_document(personas.yj_staff, "阳江市关于推进漠阳江碧道建设的通知", "加快推进漠阳江碧道建设。")
    item = archive_item(archivist, document=sent, retention="Y", code="Q109-WS·2024-Y-BGS-0001")
    received = receive(org_tree.yj_gov, "揭阳市关于碧道建设经验交流的函", sender="揭阳市人民政府", doc_type="函")
    services.reindex_all()
    return item, received


def test_archive_page_lists_archived_and_received_entries_with_their_box_and_preview(client, archivist, archived):
    item, received = archived
    client.force_login(archivist)
    html = client.get(reverse("search:archive"), {"q": "碧道"}).content.decode()
    assert f'data-key="arc:{item.pk}"' in html and f'data-key="in:{received.pk}"' in html
    assert "档号：Q109-WS·2024-Y-BGS-0001" in html and "保管期限：永久" in html
    assert reverse("search:preview", args=[f"arc:{item.pk}"]) in html
    assert reverse("documents:flow", args=[received.flow.pk]) in html
    preview = client.get(reverse("search:preview", args=[f"arc:{item.pk}"]))
    body = preview.content.decode()
    assert preview.status_code == 200 and "Q109-WS·2024-Y-BGS-0001" in body and "加快推进漠阳江碧道建设。" in body
    assert reverse("documents:edit", args=[item.document_id]) in body  # 打开公文
    assert reverse("archive:detail", args=[item.pk]) in body  # 档案详情: the 档案员 reads the archive
    response = client.get(reverse("search:export"), {"q": "碧道", "format": "csv", "box": "archived"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "档号" and rows[1][-1] == "Q109-WS·2024-Y-BGS-0001" and len(rows) == 2


def test_preview_is_not_found_for_other_units_and_for_bad_keys(client, personas, archived):
    item, received = archived
    client.force_login(personas.jy_staff)
    for key in (f"arc:{item.pk}", f"in:{received.pk}", "nonsense", "doc:999999", str(item.pk)):
        assert client.get(reverse("search:preview", args=[key])).status_code == 404, key
    client.force_login(personas.yj_staff)
    assert client.get(reverse("search:preview", args=[f"in:{received.pk}"])).status_code == 200
    body = client.get(reverse("search:preview", args=[f"arc:{item.pk}"])).content.decode()
    assert "加快推进漠阳江碧道建设。" in body  # the unit's own document, which they may read anyway
    assert reverse("archive:detail", args=[item.pk]) not in body  # but not the archive's pages


def test_api_hits_carry_their_entry_and_pages(client, personas, archived):
    item, received = archived
    client.force_login(personas.yj_staff)
    data = client.get("/api/search/", {"q": "碧道", "sort": "date_asc"}).json()
    by_key = {h["key"]: h for h in data["hits"]}
    assert set(by_key) == {f"arc:{item.pk}", f"in:{received.pk}"}
    assert by_key[f"arc:{item.pk}"]["entry"] == "arc" and by_key[f"arc:{item.pk}"]["archive_code"]
    assert by_key[f"in:{received.pk}"]["url"] == reverse("documents:flow", args=[received.flow.pk])
    assert {f["value"]: f["count"] for f in data["facets"]["box"]} == {"archived": 1, "received": 1}


def test_archive_form_filters_by_status_and_keeps_the_choice(client, archivist, archived):
    item, received = archived
    client.force_login(archivist)
    page = client.get(reverse("search:archive"), {"q": "碧道", "status": "archived"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-key="arc:{item.pk}"' in html and f'data-key="in:{received.pk}"' not in html
    assert '<option value="archived" selected>已归档</option>' in html
    html = client.get(reverse("search:archive"), {"q": "碧道", "status": "receiving"}).content.decode()
    assert f'data-key="in:{received.pk}"' in html and f'data-key="arc:{item.pk}"' not in html
