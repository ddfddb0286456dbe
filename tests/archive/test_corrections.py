"""档号 / metadata 更正: the 档案员 records a correction (field, old value, new value, reason, who, when) that is
appended, shown on the detail page, exported and audited; the archived item and its frozen files never change.
Anyone else is refused (403; 404 for those who cannot see the item), an empty reason gets a clear message."""

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from documents.archive import corrections, dbguard, services
from documents.archive.models import ArchiveCorrection, ArchiveImmutableError, ArchiveItem
from oa.audit.models import AuditEvent, Result
from oa.core.errors import PermissionDeniedError, ServiceError

from .conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(finished_sent, people):
    return services.archive(people.yj_archivist, document=finished_sent(), retention="D30")


def _frozen(item):
    fresh = ArchiveItem.objects.get(pk=item.pk)
    return (
        fresh.archive_code,
        fresh.title,
        fresh.doc_number,
        fresh.written_date,
        fresh.manifest,
        sorted(fresh.files.values_list("name", "sha256", "size")),
    )


def test_archivist_records_corrections_that_chain_and_leave_the_item_untouched(item, people):
    before = _frozen(item)
    first = corrections.correct(
        people.yj_archivist, item, field="title", new_value="关于做好2025年防汛工作的通知", reason="题名漏写年份"
    )
    second = corrections.correct(
        people.yj_archivist, item, field="title", new_value="关于做好2025年防汛防风工作的通知", reason="据原件核对"
    )
    dated = corrections.correct(people.yj_archivist, item, field="written_date", new_value="2025-05-07", reason="笔误")

    assert (first.seq, first.old_value, first.new_value) == (1, item.title, "关于做好2025年防汛工作的通知")
    assert (second.seq, second.old_value) == (2, first.new_value)  # the old value is the value as corrected so far
    assert (dated.old_value, dated.new_value) == ("2025-05-06", "2025-05-07")
    assert first.corrected_by == people.yj_archivist and first.corrected_by_name == "林档案" and first.corrected_at
    assert second.prev_hash == first.hash and dated.prev_hash == second.hash
    current = corrections.current_values(item)
    assert current["title"] == second.new_value and current["written_date"] == "2025-05-07"
    assert current["archive_code"] == item.archive_code
    assert _frozen(item) == before and services.verify(item).ok

    events = AuditEvent.objects.filter(action="archive.correct").order_by("seq")
    assert events.count() == 3
    assert events[0].before == {"title": item.title}
    assert events[0].after["title"] == first.new_value and events[0].after["reason"] == "题名漏写年份"
    assert events[0].actor == people.yj_archivist and item.archive_code in events[0].summary


def test_archive_code_correction_is_checked_and_shows_everywhere(item, finished_sent, people, client):
    other = services.archive(people.yj_archivist, document=finished_sent(title="另一件通知"), retention="D30")
    fonds = item.fonds_code
    for bad, message in [
        ("Z109-WS-2025", "档号格式"),
        (f"X{fonds}-WS·2025-D30-BGS-0009", "本全宗"),
        (other.archive_code, "已被其他档案使用"),
        (item.archive_code, "与当前值相同"),
    ]:
        with pytest.raises(ServiceError, match=message):
            corrections.correct(people.yj_archivist, item, field="archive_code", new_value=bad, reason="核对")
    new_code = f"{fonds}-WS·2025-Y-BGS-0001"
    corrections.correct(
        people.yj_archivist, item, field="archive_code", new_value=new_code.lower(), reason="保管期限应为永久"
    )
    assert corrections.current_values(item)["archive_code"] == new_code
    out = io.StringIO()
    call_command("verify_archive", "--code", new_code, stdout=out)  # found by its corrected 档号 too
    assert "校验通过：1 件" in out.getvalue()
    with pytest.raises(ServiceError, match="已被其他档案使用"):
        corrections.correct(people.yj_archivist, other, field="archive_code", new_value=new_code, reason="核对")

    login(client, people.yj_archivist)
    page = client.get(reverse("archive:detail", args=[item.pk])).content.decode()
    assert new_code in page and f"已更正，归档时为 {item.archive_code}" in page
    assert "保管期限应为永久" in page and "林档案" in page
    listing = client.get(reverse("archive:index") + "?tab=archived").content.decode()
    assert new_code in listing and other.archive_code in listing

    package = zipfile.ZipFile(io.BytesIO(client.get(reverse("archive:export", args=[item.pk])).content))
    manifest = json.loads(package.read("manifest.json"))
    assert manifest["archive_code"] == item.archive_code and manifest["current"]["archive_code"] == new_code
    records = json.loads(package.read("corrections.json"))
    assert [(r["field"], r["old_value"], r["new_value"], r["reason"], r["corrected_by"]) for r in records] == [
        ("archive_code", item.archive_code, new_code, "保管期限应为永久", "林档案")
    ]
    assert manifest["corrections"]["count"] == 1
    assert new_code in package.read("说明.txt").decode()
    assert {f["name"] for f in manifest["files"]} == set(item.manifest)  # the frozen files, unchanged


def test_invalid_values_and_an_empty_reason_are_refused_with_clear_messages(item, people):
    archivist = people.yj_archivist
    cases = [
        ({"field": "title", "new_value": "新题名", "reason": "  "}, "请填写更正原因"),
        ({"field": "title", "new_value": "", "reason": "核对"}, "请填写更正后的值"),
        ({"field": "retention", "new_value": "Y", "reason": "核对"}, "请选择要更正的项目"),
        ({"field": "doc_type", "new_value": "通告书", "reason": "核对"}, "15种"),
        ({"field": "written_date", "new_value": "2025年5月7日", "reason": "核对"}, "2025-05-06"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ServiceError, match=message):
            corrections.correct(archivist, item, **kwargs)
    assert not ArchiveCorrection.objects.exists() and not AuditEvent.objects.filter(action="archive.correct").exists()


def test_only_the_units_archivist_may_correct(item, people, personas):
    for leader_or_colleague in (personas.yj_mayor, personas.yj_staff, people.jc_archivist):
        with pytest.raises(PermissionDeniedError, match="只有本单位档案员可以更正档案"):
            corrections.correct(leader_or_colleague, item, field="title", new_value="改", reason="想改")
    assert AuditEvent.objects.filter(action="archive.correct_item", result=Result.DENIED).count() == 3
    assert not ArchiveCorrection.objects.exists()


def test_pages_correct_for_the_archivist_refuse_others_and_show_errors(item, people, personas, client):
    url = reverse("archive:correct", args=[item.pk])
    form = {"field": "doc_number", "new_value": "阳府〔2025〕99号", "reason": "文号登记错误"}

    login(client, personas.yj_mayor)  # reads the archive, may not correct it
    detail = client.get(reverse("archive:detail", args=[item.pk])).content.decode()
    assert "更正记录" in detail and f'action="{url}"' not in detail  # no correction form for a leader
    refused = client.post(url, form)
    assert refused.status_code == 403 and "只有本单位档案员可以更正档案" in refused.content.decode()
    login(client, people.jc_archivist)  # another unit: the item does not exist for them
    assert client.post(url, form).status_code == 404

    login(client, people.yj_archivist)
    empty = client.post(url, {**form, "reason": ""})
    assert empty.status_code == 400 and "请填写更正原因" in empty.content.decode()
    assert "阳府〔2025〕99号" in empty.content.decode()  # the form keeps what was typed
    done = client.post(url, form, follow=True)
    page = done.content.decode()
    assert done.status_code == 200 and "已登记更正" in page and "文号登记错误" in page and "阳府〔2025〕99号" in page
    assert ArchiveCorrection.objects.get().old_value == item.doc_number
    assert ArchiveItem.objects.get(pk=item.pk).doc_number == item.doc_number


def test_api_lists_and_records_corrections_for_the_archivist_only(item, people, personas, client):
    url = f"/api/archive/items/{item.pk}/corrections/"
    body = {"field": "issuer_name", "new_value": "阳江市人民政府办公室", "reason": "责任者应为办公室"}
    login(client, personas.yj_mayor)
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403 and "档案员" in refused.json()["detail"]
    assert client.get(url).json() == []
    login(client, people.jc_archivist)
    assert client.post(url, body, content_type="application/json").status_code == 404

    login(client, people.yj_archivist)
    empty = client.post(url, {**body, "reason": ""}, content_type="application/json")
    assert empty.status_code == 400 and "请填写更正原因" in empty.json()["detail"]
    created = client.post(url, body, content_type="application/json")
    assert created.status_code == 201 and created.json()["new_value"] == "阳江市人民政府办公室"
    assert created.json()["old_value"] == item.issuer_name
    detail = client.get(f"/api/archive/items/{item.pk}/").json()
    assert detail["current"]["issuer_name"] == "阳江市人民政府办公室" and detail["issuer_name"] == item.issuer_name
    assert [c["reason"] for c in detail["corrections"]] == ["责任者应为办公室"]


def test_corrections_are_immutable_and_a_tampered_one_is_detected(item, people):
    correction = corrections.correct(people.yj_archivist, item, field="title", new_value="新题名", reason="核对")
    correction.reason = "改过的原因"
    with pytest.raises(ArchiveImmutableError):
        correction.save()
    with pytest.raises(ArchiveImmutableError):
        ArchiveCorrection.objects.filter(pk=correction.pk).delete()
    for sql in (
        "UPDATE archive_archivecorrection SET new_value = 'x' WHERE id = %s",
        "DELETE FROM archive_archivecorrection WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="已归档的档案不能修改或删除"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [correction.pk])
    assert services.verify(item).ok

    # Someone who owns the database drops the triggers and rewrites the record: verification notices.
    tables = ("archive_archivecorrection",)
    dbguard.remove(connection, tables)
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE archive_archivecorrection SET new_value = 'x' WHERE id = %s", [correction.pk])
    finally:
        dbguard.install(connection, tables)
    result = services.verify(item)
    assert not result.ok and "更正记录第 1 条已被改动" in result.summary
    with pytest.raises(CommandError, match="校验未通过"):
        call_command("verify_archive")
