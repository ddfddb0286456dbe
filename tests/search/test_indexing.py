"""Documents reach the index after their transaction commits, through the Celery task; commands repair."""

import datetime
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from documents import services as documents
from documents.models import Document
from search import services
from search.backends.base import SearchQuery
from search.query import parse

DATA = {
    "doc_type": "通知",
    "title": "阳江市人民政府关于推进漠阳江碧道建设的通知",
    "body": [{"kind": "paragraph", "text": "加快推进漠阳江碧道建设，打造滨水生态空间。"}],
    "written_date": datetime.date(2024, 3, 5),
}


def found(backend, q, unit_id):
    return [h.id for h in backend.search(SearchQuery(tree=parse(q), keys=[f"unit:{unit_id}"])).hits]


def test_a_draft_is_indexed_only_after_commit(embedded, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = documents.create_draft(personas.yj_staff, DATA)
        assert found(embedded, "碧道", personas.yj_staff.unit_id) == []
    assert len(callbacks) == 1  # one task per transaction, however many rows changed
    callbacks[0]()
    assert found(embedded, "碧道", personas.yj_staff.unit_id) == [document.pk]


def test_changes_reach_the_index_and_numbering_too(embedded, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = documents.create_draft(personas.yj_staff, DATA)
    with django_capture_on_commit_callbacks(execute=True):
        documents.update_draft(personas.yj_staff, document, {"title": "阳江市人民政府关于推进海陵岛旅游发展的通知"})
    assert found(embedded, "海陵岛", personas.yj_staff.unit_id) == [document.pk]
    with django_capture_on_commit_callbacks(execute=True):
        number = documents.assign_number(personas.yj_clerk, document, year=2024)
    assert found(embedded, number, personas.yj_staff.unit_id) == [document.pk]
    assert services.check_index().ok


def test_a_rolled_back_change_is_never_indexed(embedded, personas, django_capture_on_commit_callbacks):
    with mock.patch("search.tasks.index_documents.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError):
                with transaction.atomic():
                    documents.create_draft(personas.yj_staff, DATA)
                    raise RuntimeError("boom")
        delay.assert_not_called()


def test_deleting_a_document_removes_it(embedded, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = documents.create_draft(personas.yj_staff, DATA)
    with django_capture_on_commit_callbacks(execute=True):
        Document.objects.filter(pk=document.pk).delete()
    assert embedded.fingerprints() == {}


def test_a_failing_index_never_breaks_the_users_change(embedded, personas, django_capture_on_commit_callbacks):
    with mock.patch("search.services.index_documents", side_effect=OSError("disk full")):
        with django_capture_on_commit_callbacks(execute=True):
            document = documents.create_draft(personas.yj_staff, DATA)
    assert Document.objects.filter(pk=document.pk).exists()
    assert services.check_index().missing == [f"doc:{document.pk}"]


def test_check_reports_missing_stale_and_orphaned_and_reindex_repairs(embedded, personas, capsys):
    a = documents.create_draft(personas.yj_staff, DATA)  # no on-commit capture: never indexed
    b = documents.create_draft(personas.yj_staff, {**DATA, "title": "关于第二件事的通知"})
    services.index_documents([b.pk])
    Document.objects.filter(pk=b.pk).update(title="关于第二件事的通知（修改）")
    embedded.index([{**services.indexing.build(b), "id": 9999, "key": "doc:9999"}])
    report = services.check_index()
    assert (report.missing, report.stale, report.orphaned) == ([f"doc:{a.pk}"], [f"doc:{b.pk}"], ["doc:9999"])
    with pytest.raises(CommandError):
        call_command("search_check")
    out = capsys.readouterr().out
    assert f"缺失（未索引）：1 doc:{a.pk}" in out and "多余" in out

    call_command("search_reindex")
    out = capsys.readouterr().out
    assert "2/2" in out and "索引完成" in out
    assert services.check_index().ok
    call_command("search_check")
    assert "一致" in capsys.readouterr().out


def test_check_fix_repairs(embedded, personas, capsys):
    a = documents.create_draft(personas.yj_staff, DATA)
    call_command("search_check", "--fix")
    assert services.check_index().ok and f"doc:{a.pk}" in embedded.fingerprints()


def test_changes_made_with_update_are_caught_through_the_audit_event(
    embedded, personas, django_capture_on_commit_callbacks
):
    from oa.audit.services import record

    with django_capture_on_commit_callbacks(execute=True):
        document = documents.create_draft(personas.yj_staff, DATA)
    # Workflow services change the row with update() (no post_save) and audit the step.
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            Document.objects.filter(pk=document.pk).update(title="阳江市人民政府关于闸坡渔港升级改造的通知")
            record(personas.yj_staff, "documents.test_step", document, summary="步骤")
    assert found(embedded, "闸坡渔港", personas.yj_staff.unit_id) == [document.pk]
    assert services.check_index().ok


def test_reindex_shows_a_progress_bar_batch_by_batch(embedded, personas, capsys):
    for title in ("关于第一件事的通知", "关于第二件事的通知", "关于第三件事的通知"):
        documents.create_draft(personas.yj_staff, {**DATA, "title": title})
    call_command("search_reindex", "--batch", "1", "--clear")
    frames = [f for f in capsys.readouterr().out.split("\r") if f.startswith("[")]
    counts = [f.split("]")[1].split()[0] for f in frames]
    assert counts == ["1/3", "2/3", "3/3"]  # one frame per batch
    bars = [f[1:31] for f in frames]
    assert bars[0] == "#" * 10 + "." * 20 and bars[-1] == "#" * 30
    assert "件/秒" in frames[-1]
    assert services.check_index().ok


@pytest.mark.django_db(transaction=True)
def test_a_save_outside_any_transaction_after_one_that_committed_is_indexed(embedded, personas):
    """Autocommit saves (scripts, the shell, fixtures) follow transactions on the same connection: the finished
    transaction's bookkeeping must not break them."""
    with transaction.atomic():
        first = documents.create_draft(personas.yj_staff, DATA)
    second = Document.objects.create(
        owner_unit=personas.yj_staff.unit, drafter=personas.yj_staff, title="关于开展河湖清漂专项行动的通知"
    )
    assert found(embedded, "碧道", personas.yj_staff.unit_id) == [first.pk]
    assert found(embedded, "河湖清漂", personas.yj_staff.unit_id) == [second.pk]


def test_an_index_of_an_older_layout_is_refilled_after_migrate(
    embedded, personas, django_capture_on_commit_callbacks, capsys
):
    import sqlite3
    from pathlib import Path

    from search.apps import refill_outdated_index

    with django_capture_on_commit_callbacks(execute=True):
        document = documents.create_draft(personas.yj_staff, DATA)
    embedded.close()
    path = Path(embedded.path)
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    old = sqlite3.connect(str(path))
    old.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY)")  # what an older release left behind
    old.execute("PRAGMA user_version = 3")
    old.commit()
    old.close()

    assert embedded.layout_outdated()
    assert refill_outdated_index(verbosity=1) >= 1
    assert "检索索引已重建" in capsys.readouterr().out
    assert found(embedded, "碧道", personas.yj_staff.unit_id) == [document.pk]
    assert not embedded.layout_outdated() and refill_outdated_index() == 0  # nothing to do the second time
