"""归档 through the service: 档号 per DA/T 22-2015, consecutive 件号, what the item holds, candidates, and
every refusal (not the 档案员, not finished, already archived, another unit's document)."""

import json
import re

import pytest

from documents.archive import services
from documents.archive.models import ArchiveItem, FileKind, PieceCounter, Retention, format_archive_code
from oa.audit.models import AuditEvent, Result
from oa.core.errors import PermissionDeniedError, ServiceError

from .conftest import receive_to_the_end

pytestmark = pytest.mark.django_db

CODE = re.compile(r"^(?P<fonds>[A-Z0-9]+)-WS·(?P<year>\d{4})-(?P<ret>Y|D30|D10)-(?P<org>[A-Z0-9]+)-(?P<piece>\d{4})$")


def test_archive_code_follows_da_t_22():
    assert format_archive_code("Z109", 2021, Retention.PERMANENT, "BGS", 1) == "Z109-WS·2021-Y-BGS-0001"
    assert format_archive_code("X001", 2025, Retention.D10, "ZZK", 37) == "X001-WS·2025-D10-ZZK-0037"


def test_sent_document_is_archived_with_code_files_metadata_and_audit(finished_sent, people, org_tree):
    document = finished_sent()
    item = services.archive(people.yj_archivist, document=document, retention=Retention.D30, org_code="bgs")

    assert item.archive_code == f"{org_tree.yj_gov.fonds_number}-WS·2025-D30-BGS-0001"
    assert CODE.match(item.archive_code)
    assert (item.unit, item.fonds_code, item.year, item.piece_number) == (
        org_tree.yj_gov,
        org_tree.yj_gov.fonds_number,
        2025,
        1,
    )
    assert (item.title, item.doc_number, item.doc_type) == (document.title, document.doc_number, "通知")
    assert item.archived_by == people.yj_archivist and item.document == document and item.incoming is None
    kinds = {f.kind for f in item.files.all()}
    assert {FileKind.SEALED_PDF, FileKind.SHEET, FileKind.METADATA} <= kinds
    for archived in item.files.all():
        assert item.manifest[archived.name] == {"kind": archived.kind, "sha256": archived.sha256, "size": archived.size}
        assert archived.file.name.startswith(f"archive/{item.fonds_code}/2025/")
    metadata = json.loads(item.files.get(kind=FileKind.METADATA).file.read())
    assert metadata["档号"] == item.archive_code and metadata["保管期限"] == "30年"
    assert metadata["格式要素"]["发文字号"] == document.doc_number
    assert metadata["格式要素"]["成文日期"] == "2025年5月6日"
    steps = {(step["环节"], step["意见"]) for step in metadata["办理过程"]}
    assert ("办公室核稿", "核稿无误") in steps and ("签发", "同意印发") in steps
    event = AuditEvent.objects.get(action="archive.archive")
    assert event.result == Result.SUCCESS and item.archive_code in event.summary


def test_piece_numbers_are_consecutive_per_year_retention_and_org_code(finished_sent, people):
    docs = [finished_sent(title=f"关于事项{i}的通知") for i in range(4)]
    a = services.archive(people.yj_archivist, document=docs[0], retention="Y")
    b = services.archive(people.yj_archivist, document=docs[1], retention="Y")
    c = services.archive(people.yj_archivist, document=docs[2], retention="D10")
    d = services.archive(people.yj_archivist, document=docs[3], retention="Y", org_code="ZZK")
    assert [a.piece_number, b.piece_number, c.piece_number, d.piece_number] == [1, 2, 1, 1]
    assert a.archive_code.endswith("-Y-BGS-0001") and b.archive_code.endswith("-Y-BGS-0002")
    assert c.archive_code.endswith("-D10-BGS-0001") and d.archive_code.endswith("-Y-ZZK-0001")


def test_failure_after_taking_a_piece_number_leaves_no_gap_and_no_file(finished_sent, people, monkeypatch, settings):
    first, second = finished_sent(), finished_sent(title="关于第二件事的通知")
    real_record = services.record

    def failing(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "record", failing)
    with pytest.raises(RuntimeError):
        services.archive(people.yj_archivist, document=first, retention="Y")
    assert not ArchiveItem.objects.exists() and not PieceCounter.objects.filter(last__gt=0).exists()
    archive_dir = settings.MEDIA_ROOT / "archive"
    assert not archive_dir.exists() or not [p for p in archive_dir.rglob("*") if p.is_file()]
    monkeypatch.setattr(services, "record", real_record)
    assert services.archive(people.yj_archivist, document=second, retention="Y").piece_number == 1


def test_received_document_is_archived_by_the_receiving_unit(finished_sent, people, org_tree, run_commits):
    document = finished_sent()
    received = receive_to_the_end(people, document, run_commits)
    assert [c.key for c in services.candidates(people.jc_archivist)] == [f"incoming:{received.pk}"]

    item = services.archive(people.jc_archivist, incoming=received, retention="D10", org_code="ZFB")

    assert item.unit == org_tree.jc_gov and item.incoming == received and item.document is None
    assert item.fonds_code == org_tree.jc_gov.fonds_number and item.doc_number == document.doc_number
    assert item.issuer_name == "阳江市人民政府"
    assert item.files.filter(kind=FileKind.SHEET, name="收文处理笺.pdf").exists()
    assert item.metadata["公文交换"]["交换包摘要一致"] is True
    assert item.metadata["收文"]["收文编号"] == received.reg_number
    assert services.candidates(people.jc_archivist) == []


def test_candidates_are_finished_and_not_yet_archived(finished_sent, make_draft, people, personas):
    done = finished_sent()
    make_draft(title="尚在拟稿的通知")
    candidates = services.candidates(people.yj_archivist)
    assert [(c.kind, c.pk, c.suggested_retention) for c in candidates] == [("document", done.pk, "D30")]
    assert services.candidates(personas.yj_staff) == [] and services.candidates(people.jc_archivist) == []
    services.archive(people.yj_archivist, document=done, retention="D30")
    assert services.candidates(people.yj_archivist) == []


def test_retention_suggestion_by_doc_type_is_configurable(settings):
    assert services.suggest_retention("决定") == "Y"
    assert services.suggest_retention("请示") == "Y"
    assert services.suggest_retention("通知") == "D30"
    assert services.suggest_retention("函") == "D10"
    settings.ARCHIVE_RETENTION_BY_DOC_TYPE = {"通知": "Y"}
    assert services.suggest_retention("通知") == "Y"


def test_only_the_units_archivist_may_archive_and_refusals_are_audited(finished_sent, people, personas):
    document = finished_sent()
    for outsider in (personas.yj_staff, personas.yj_clerk, personas.yj_mayor, people.jc_archivist):
        with pytest.raises(PermissionDeniedError, match="档案员"):
            services.archive(outsider, document=document, retention="Y")
    assert AuditEvent.objects.filter(action="archive.archive_document", result=Result.DENIED).count() == 4
    assert not ArchiveItem.objects.exists()


def test_unfinished_and_already_archived_documents_are_refused(finished_sent, make_draft, people, personas):
    draft = make_draft()
    with pytest.raises(ServiceError, match="尚未办结"):
        services.archive(people.yj_archivist, document=draft, retention="Y")
    document = finished_sent()
    item = services.archive(people.yj_archivist, document=document, retention="Y")
    with pytest.raises(ServiceError, match=f"已归档，档号 {re.escape(item.archive_code)}"):
        services.archive(people.yj_archivist, document=document, retention="D10")
    with pytest.raises(ServiceError, match="保管期限"):
        services.archive(people.yj_archivist, document=finished_sent(title="另一件"), retention="D20")
    with pytest.raises(ServiceError, match="机构"):
        services.archive(people.yj_archivist, document=finished_sent(title="第三件"), retention="Y", org_code="办公室")
    assert ArchiveItem.objects.count() == 1


def test_batch_archive_files_each_and_reports_refusals(finished_sent, people):
    one, two = finished_sent(title="甲通知"), finished_sent(title="乙通知")
    services.archive(people.yj_archivist, document=two, retention="Y")
    items, errors = services.archive_many(people.yj_archivist, documents=[one, two], retention="D10")
    assert [i.document_id for i in items] == [one.pk] and items[0].archive_code.endswith("-D10-BGS-0001")
    assert len(errors) == 1 and "乙通知" in errors[0] and "已归档" in errors[0]
