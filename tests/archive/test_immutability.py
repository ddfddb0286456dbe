"""An archived item never changes: the model refuses, the database refuses (triggers, any SQL client), and
an edit request through the pages or the API is refused with 409 and recorded in the audit trail."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from documents.archive import dbguard, services
from documents.archive.models import ArchiveFile, ArchiveImmutableError, ArchiveItem
from oa.audit.models import AuditEvent, Result

from .conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(finished_sent, people):
    return services.archive(people.yj_archivist, document=finished_sent(), retention="Y")


def test_model_and_queryset_refuse_changes(item):
    item.title = "改过的题名"
    with pytest.raises(ArchiveImmutableError):
        item.save()
    with pytest.raises(ArchiveImmutableError):
        item.delete()
    with pytest.raises(ArchiveImmutableError):
        ArchiveItem.objects.filter(pk=item.pk).update(title="改")
    with pytest.raises(ArchiveImmutableError):
        ArchiveItem.objects.filter(pk=item.pk).delete()
    archived = item.files.first()
    archived.sha256 = "0" * 64
    with pytest.raises(ArchiveImmutableError):
        archived.save()
    with pytest.raises(ArchiveImmutableError):
        archived.delete()
    with pytest.raises(ArchiveImmutableError):
        ArchiveFile.objects.filter(item=item).update(size=1)
    fresh = ArchiveItem.objects.get(pk=item.pk)
    assert fresh.title != "改过的题名" and fresh.files.count() == item.files.count()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE archive_archiveitem SET title = 'x' WHERE id = %s",
        "UPDATE archive_archiveitem SET archive_code = 'x' WHERE id = %s",
        "DELETE FROM archive_archiveitem WHERE id = %s",
        "UPDATE archive_archivefile SET sha256 = 'x' WHERE item_id = %s",
        "DELETE FROM archive_archivefile WHERE item_id = %s",
    ],
)
def test_database_triggers_refuse_raw_sql(item, sql):
    assert dbguard.installed(connection)
    with pytest.raises(DatabaseError, match="已归档的档案不能修改或删除"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [item.pk])
    fresh = ArchiveItem.objects.get(pk=item.pk)
    assert fresh.title == item.title and fresh.archive_code == item.archive_code
    assert sorted(fresh.files.values_list("sha256", flat=True)) == sorted(f.sha256 for f in item.files.all())


def test_service_refuses_an_edit_and_records_it(item, people):
    with pytest.raises(ArchiveImmutableError, match="不能修改"):
        services.refuse_change(people.yj_archivist, item)
    event = AuditEvent.objects.get(action="archive.change_refused")
    assert event.result == Result.DENIED and event.actor == people.yj_archivist and item.archive_code in event.summary


def test_page_edit_is_refused_with_409_and_audited(item, people, client):
    login(client, people.yj_archivist)
    response = client.post(reverse("archive:edit", args=[item.pk]), {"title": "新题名"})
    assert response.status_code == 409
    assert "不能修改" in response.content.decode()
    assert AuditEvent.objects.filter(action="archive.change_refused", result=Result.DENIED).count() == 1
    assert ArchiveItem.objects.get(pk=item.pk).title == item.title


def test_api_patch_put_delete_are_refused_with_409_and_audited(item, people, client):
    login(client, people.yj_archivist)
    url = f"/api/archive/items/{item.pk}/"
    patch = client.patch(url, {"title": "新题名"}, content_type="application/json")
    assert patch.status_code == 409 and "不能修改" in patch.json()["detail"]
    assert client.put(url, {"title": "新题名"}, content_type="application/json").status_code == 409
    delete = client.delete(url)
    assert delete.status_code == 409 and "不能删除" in delete.json()["detail"]
    assert AuditEvent.objects.filter(action="archive.change_refused", result=Result.DENIED).count() == 3
    assert ArchiveItem.objects.filter(pk=item.pk, title=item.title).exists()
