"""Scenario helpers for 收文 and 档案 entries: documents, 收文 (from the exchange or from paper), archive items."""

import datetime

from django.db import transaction
from django.utils import timezone

from documents import services as documents
from documents.models import Document, Status
from documents.workflow import incoming as incoming_flow
from documents.workflow.models import IncomingDocument
from oa.org.models import Role
from tests.factories import PersonFactory, RoleAssignmentFactory


def archivist_of(unit, username):
    person = PersonFactory(username=username, name=f"{unit.short_name}档案员", unit=unit, title="档案员")
    RoleAssignmentFactory(person=person, unit=unit, role=Role.ARCHIVIST)
    person.refresh_from_db()
    return person


def sent_document(actor, title, text, *, doc_type="通知", date=datetime.date(2024, 4, 1)) -> Document:
    """A draft of ``actor``'s unit, then marked 已分发 (the 发文 flow itself is not what these tests are about)."""
    document = documents.create_draft(
        actor,
        {"doc_type": doc_type, "title": title, "body": [{"kind": "paragraph", "text": text}], "written_date": date},
    )
    with transaction.atomic():
        document.status = Status.DISTRIBUTED
        document.save(update_fields=["status"])
    return document


def clerk_of(unit):
    """The unit's 收发员 (created once): the 签收 step needs one."""
    from oa.org.models import Person

    person = Person.objects.filter(unit=unit, role_assignments__role=Role.CLERK).first()
    if person is None:
        person = PersonFactory(username=f"clerk{unit.pk}", name=f"{unit.short_name}收发员", unit=unit, title="收发员")
        RoleAssignmentFactory(person=person, unit=unit, role=Role.CLERK)
        person.refresh_from_db()
    return person


def receive(unit, title, *, source=None, sender="阳江市人民政府", number="", doc_type="通知") -> IncomingDocument:
    """A 收文 arriving at ``unit`` through the exchange (``source`` = the sender's document) or from paper."""
    clerk_of(unit)
    flow = incoming_flow.receive(
        None,
        unit=unit,
        title=title,
        sender_name=sender,
        sender_unit=source.owner_unit if source is not None else None,
        doc_type=doc_type,
        source_number=number,
        source_document=source,
    )
    return flow.incoming


def archive_item(archivist, *, document=None, incoming=None, retention="Y", code=None, year=2024):
    """An archive item as the archive app stores it (its own service renders PDFs; the index only needs the row)."""
    from documents.archive.models import ArchiveItem

    unit = archivist.unit
    source = document if document is not None else incoming
    piece = ArchiveItem.objects.filter(unit=unit).count() + 1
    with transaction.atomic():
        return ArchiveItem.objects.create(
            unit=unit,
            document=document,
            incoming=incoming,
            fonds_code=f"Z{unit.pk:03d}",
            year=year,
            retention=retention,
            org_code="BGS",
            piece_number=piece,
            archive_code=code or f"Z{unit.pk:03d}-WS·{year}-{retention}-BGS-{piece:04d}",
            title=source.title,
            doc_number=getattr(source, "doc_number", "") or getattr(source, "source_number", ""),
            doc_type=source.doc_type,
            issuer_name="",
            written_date=getattr(source, "written_date", None),
            archived_by=archivist,
            archived_at=timezone.now(),
        )
