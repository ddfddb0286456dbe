"""With a real e-seal: the archive of the sender holds the exact sealed PDF, and the archive of the receiver
holds the exact bytes of the exchange package it signed for (package hash still matching)."""

import hashlib

import pytest

from documents.archive import services
from documents.archive.models import FileKind
from documents.workflow import sealing
from tests.documents.workflow.test_sealing import seals, to_sealing  # noqa: F401  (fixture and flow helper)
from tests.signing.conftest import _session_ca, signing_ca  # noqa: F401  (the internal CA fixtures)

from .conftest import receive_to_the_end

pytestmark = pytest.mark.django_db


def test_sealed_pdf_is_frozen_in_both_archives(make_draft, personas, people, seals, run_commits):  # noqa: F811
    from documents.exchange import services as exchange
    from documents.models import Document

    document = make_draft()
    to_sealing(personas, document)
    sealed = sealing.seal_document(seals.yj_keeper, document)
    sealed_bytes = sealing.sealed_pdf(sealed)
    main, cc = exchange.addressee_units(document)
    run_commits(exchange.dispatch, personas.yj_clerk, document, main, cc=cc)
    document = Document.objects.get(pk=document.pk)

    sent_item = services.archive(people.yj_archivist, document=document, retention="Y")
    sent_pdf = sent_item.files.get(kind=FileKind.SEALED_PDF)
    assert sent_pdf.name == "正式文件.pdf" and sent_pdf.sha256 == hashlib.sha256(sealed_bytes).hexdigest()
    assert sent_item.metadata["格式要素"]["印章"][0]["发文机关"] == "阳江市人民政府"

    received = receive_to_the_end(people, document, run_commits)
    received_item = services.archive(people.jc_archivist, incoming=received, retention="Y")
    received_pdf = received_item.files.get(kind=FileKind.SEALED_PDF)
    assert received_pdf.sha256 == sent_pdf.sha256
    assert received_item.metadata["公文交换"]["交换包摘要一致"] is True
    assert services.verify(sent_item).ok and services.verify(received_item).ok
