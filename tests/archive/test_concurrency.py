"""Two archivists' requests at once (two threads, two connections to the test database): 件号 stay
consecutive, without gaps or duplicates — the counter row is locked as 发文字号 counters are."""

import threading

import pytest
from django.db import connection

from documents.archive import services
from documents.archive.models import ArchiveItem
from tests.factories import PersonFactory, RoleAssignmentFactory

from .conftest import send_to_the_end

THREADS = 2
PER_THREAD = 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_archiving_gives_consecutive_piece_numbers(personas, org_tree, make_draft):
    from oa.org.models import Role

    archivist = PersonFactory(username="yj_archivist", name="林档案", unit=org_tree.yj_gov)
    RoleAssignmentFactory(person=archivist, unit=org_tree.yj_gov, role=Role.ARCHIVIST)
    documents = [send_to_the_end(personas, make_draft(title=f"关于事项{i}的通知")) for i in range(THREADS * PER_THREAD)]
    errors, barrier = [], threading.Barrier(THREADS)

    def worker(chunk):
        try:
            barrier.wait()
            for document in chunk:
                services.archive(archivist, document=document, retention="Y")
        except Exception as exc:  # surfaced below: a failing thread must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(documents[i::THREADS],)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    pieces = sorted(ArchiveItem.objects.values_list("piece_number", flat=True))
    assert pieces == list(range(1, len(documents) + 1))
    codes = set(ArchiveItem.objects.values_list("archive_code", flat=True))
    assert codes == {f"{org_tree.yj_gov.fonds_number}-WS·2025-Y-BGS-{n:04d}" for n in pieces}
