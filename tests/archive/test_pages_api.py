"""Pages and API: the 档案员 archives from the 待归档 tab (one or a batch), reads the item with its checksums
and downloads the export; leaders read only; colleagues without the role and other units see nothing (403 on
the index, 404 on an item)."""

import pytest
from django.urls import reverse

from documents.archive import services
from documents.archive.models import ArchiveItem

from .conftest import login

pytestmark = pytest.mark.django_db


def test_archivist_archives_from_the_pending_tab_and_reads_the_item(finished_sent, people, client):
    document = finished_sent(doc_type="函", title="关于商请支持的函")
    login(client, people.yj_archivist)
    page = client.get(reverse("archive:index")).content.decode()
    assert "待归档" in page and document.title in page
    assert f'value="document:{document.pk}"' in page and '<option value="D10" selected>' in page

    response = client.post(
        reverse("archive:archive"), {"item": f"document:{document.pk}", "retention": "D10", "org_code": "BGS"}
    )
    item = ArchiveItem.objects.get(document=document)
    assert response.status_code == 302 and response["Location"] == reverse("archive:detail", args=[item.pk])
    detail = client.get(response["Location"]).content.decode()
    assert item.archive_code in detail and "校验通过" in detail
    assert all(f.sha256 in detail for f in item.files.all())
    listing = client.get(reverse("archive:index") + "?tab=archived&year=2025&retention=D10").content.decode()
    assert item.archive_code in listing
    assert item.archive_code not in client.get(reverse("archive:index") + "?tab=archived&retention=Y").content.decode()
    export = client.get(reverse("archive:export", args=[item.pk]))
    assert export.status_code == 200 and export["Content-Type"] == "application/zip"


def test_batch_archive_page(finished_sent, people, client):
    one, two = finished_sent(title="甲通知"), finished_sent(title="乙通知")
    login(client, people.yj_archivist)
    response = client.post(
        reverse("archive:batch"),
        {"items": [f"document:{one.pk}", f"document:{two.pk}"], "retention": "Y", "org_code": "BGS"},
        follow=True,
    )
    assert "已归档 2 件" in response.content.decode()
    assert sorted(ArchiveItem.objects.values_list("piece_number", flat=True)) == [1, 2]


def test_refusal_is_shown_on_the_page(finished_sent, make_draft, people, personas, client):
    draft = make_draft()
    login(client, people.yj_archivist)
    response = client.post(reverse("archive:archive"), {"item": f"document:{draft.pk}", "retention": "Y"}, follow=True)
    assert "尚未办结" in response.content.decode() and not ArchiveItem.objects.exists()


def test_who_sees_the_archive_pages(finished_sent, people, personas, client):
    item = services.archive(people.yj_archivist, document=finished_sent(), retention="Y")
    detail = reverse("archive:detail", args=[item.pk])
    login(client, personas.yj_mayor)  # a leader reads, without the 待归档 tab
    page = client.get(reverse("archive:index"))
    assert (
        page.status_code == 200 and item.archive_code in page.content.decode() and "待归档" not in page.content.decode()
    )
    assert client.get(detail).status_code == 200
    for outsider in (personas.yj_staff, people.jc_archivist, personas.jy_staff):
        login(client, outsider)
        assert client.get(detail).status_code == 404
        assert client.get(reverse("archive:export", args=[item.pk])).status_code == 404
        assert client.post(reverse("archive:edit", args=[item.pk])).status_code == 404
    login(client, personas.yj_staff)
    assert client.get(reverse("archive:index")).status_code == 403
    login(client, people.jc_archivist)  # another unit's archivist: their own, empty archive
    index = client.get(reverse("archive:index") + "?tab=archived")
    assert index.status_code == 200 and item.archive_code not in index.content.decode()


def test_api_list_detail_archive_export_and_isolation(finished_sent, people, personas, client):
    document = finished_sent()
    login(client, people.yj_archivist)
    created = client.post(
        "/api/archive/items/", {"document": document.pk, "retention": "D30"}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["archive_code"].endswith("-D30-BGS-0001") and body["metadata"]["档号"] == body["archive_code"]
    pk = body["id"]
    again = client.post(
        "/api/archive/items/", {"document": document.pk, "retention": "D30"}, content_type="application/json"
    )
    assert again.status_code == 400 and "已归档" in again.json()["detail"]
    assert [row["id"] for row in client.get("/api/archive/items/?year=2025").json()["results"]] == [pk]
    assert client.get(f"/api/archive/items/{pk}/").json()["files"]
    assert client.get(f"/api/archive/items/{pk}/export/").content[:2] == b"PK"
    assert client.get(f"/api/archive/items/{pk}/verify/").json()["ok"] is True

    login(client, people.jc_archivist)
    assert client.get("/api/archive/items/").json()["results"] == []
    assert client.get(f"/api/archive/items/{pk}/").status_code == 404
    assert client.get(f"/api/archive/items/{pk}/export/").status_code == 404
    assert client.patch(f"/api/archive/items/{pk}/", {}, content_type="application/json").status_code == 404
    login(client, personas.yj_staff)
    assert client.get("/api/archive/items/").status_code == 403
    assert client.get(f"/api/archive/items/{pk}/").status_code == 404
    refused = client.post(
        "/api/archive/items/", {"document": document.pk, "retention": "Y"}, content_type="application/json"
    )
    assert refused.status_code == 403 and "档案员" in refused.json()["detail"]
