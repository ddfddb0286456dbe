"""发文字号: 机关代字〔年份〕序号号, consecutive per 机关代字 per year, no gaps, no reuse, safe under concurrency."""

import threading

import pytest
from django.db import connection

from documents import numbering, services
from documents.models import Document, NumberCounter, UnitTemplate
from oa.audit.models import AuditEvent
from oa.core.errors import ServiceError

THREADS = 8
PER_THREAD = 6


@pytest.mark.django_db
def test_number_form_and_consecutive_per_code(make_draft, personas):
    first, second = make_draft(), make_draft()
    assert services.assign_number(personas.yj_clerk, first, year=2021) == "阳府〔2021〕1号"
    assert services.assign_number(personas.yj_clerk, second, year=2021) == "阳府〔2021〕2号"
    first.refresh_from_db()
    assert (first.doc_number, first.number_code, first.number_year, first.number_seq) == (
        "阳府〔2021〕1号",
        "阳府",
        2021,
        1,
    )
    assert first.versions.last().note == "编号：阳府〔2021〕1号"
    assert AuditEvent.objects.filter(action="documents.assign_number", object_id=str(first.pk)).exists()


@pytest.mark.django_db
def test_new_year_and_other_code_start_at_one(make_draft, personas, org_tree):
    assert services.assign_number(personas.yj_clerk, make_draft(), year=2021) == "阳府〔2021〕1号"
    assert services.assign_number(personas.yj_clerk, make_draft(), year=2021) == "阳府〔2021〕2号"
    assert services.assign_number(personas.yj_clerk, make_draft(), year=2022) == "阳府〔2022〕1号"
    # The unit's template overrides the 机关代字: a separate sequence.
    UnitTemplate.objects.create(unit=org_tree.yj_gov, code_override="阳府办")
    assert services.assign_number(personas.yj_clerk, make_draft(), year=2021) == "阳府办〔2021〕1号"
    assert services.assign_number(personas.yj_clerk, make_draft(), year=2021) == "阳府办〔2021〕2号"


@pytest.mark.django_db
def test_a_number_is_never_given_twice_to_a_document(make_draft, personas):
    doc = make_draft()
    services.assign_number(personas.yj_clerk, doc, year=2021)
    with pytest.raises(ServiceError, match="不能重复编号"):
        services.assign_number(personas.yj_clerk, doc, year=2021)
    assert NumberCounter.objects.get(code="阳府", year=2021).last == 1


@pytest.mark.django_db
def test_only_the_units_clerk_numbers(make_draft, personas):
    doc = make_draft()
    with pytest.raises(ServiceError, match="收发员"):
        services.assign_number(personas.yj_staff, doc)
    assert not NumberCounter.objects.exists()


@pytest.mark.django_db
def test_failure_after_taking_a_number_leaves_no_gap(make_draft, personas, monkeypatch):
    doc = make_draft()
    from documents.services import numbering as number_service

    def broken(*args, **kwargs):
        raise RuntimeError("storage failed")

    monkeypatch.setattr(number_service, "new_version", broken)
    with pytest.raises(RuntimeError):
        services.assign_number(personas.yj_clerk, doc, year=2021)
    monkeypatch.undo()
    doc.refresh_from_db()
    assert doc.doc_number == ""
    assert services.assign_number(personas.yj_clerk, doc, year=2021) == "阳府〔2021〕1号"  # the number was not lost


@pytest.mark.django_db(transaction=True)
def test_next_seq_must_share_the_transaction_that_stores_the_number():
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        numbering.next_seq("阳府", 2020)
    assert not NumberCounter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_never_collide_nor_leave_gaps():
    errors, numbers = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker():
        try:
            barrier.wait()
            for _ in range(PER_THREAD):
                number = numbering.allocate("阳府办", 2021)
                with lock:
                    numbers.append(number)
        except Exception as exc:  # surfaced below: a failing thread must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    total = THREADS * PER_THREAD
    assert sorted(numbers, key=lambda n: int(n.split("〕")[1][:-1])) == [
        f"阳府办〔2021〕{i}号" for i in range(1, total + 1)
    ]
    assert NumberCounter.objects.get(code="阳府办", year=2021).last == total


@pytest.mark.django_db(transaction=True)
def test_concurrent_document_numbering_stores_distinct_consecutive_numbers(org_tree, personas):
    drafts = [services.create_draft(personas.yj_staff, {"title": f"关于事项{i}的通知"}) for i in range(THREADS * 2)]
    errors = []
    barrier = threading.Barrier(THREADS)

    def worker(chunk):
        try:
            barrier.wait()
            for doc in chunk:
                services.assign_number(personas.yj_clerk, doc, year=2024)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(drafts[i::THREADS],)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    seqs = sorted(Document.objects.values_list("number_seq", flat=True))
    assert seqs == list(range(1, len(drafts) + 1))


@pytest.mark.django_db
def test_letters_may_have_their_own_code_and_sequence(make_draft, personas, org_tree):
    UnitTemplate.objects.create(unit=org_tree.yj_gov, code_override="阳府", letter_code="阳府函")
    letter = make_draft(doc_type="函", title="关于商请支持的函")
    assert services.assign_number(personas.yj_clerk, letter, year=2021) == "阳府函〔2021〕1号"
    assert services.assign_number(personas.yj_clerk, make_draft(), year=2021) == "阳府〔2021〕1号"
