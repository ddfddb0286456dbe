"""Scenario hooks for tests/e2e/test_search_archive.py (run inside the server process)."""

import datetime

PASSWORD = "Gd-E2e-Search-Passw0rd!2025"


def _unit(fonds, name, short, code):
    from oa.org.models import Unit

    unit, _ = Unit.objects.get_or_create(
        fonds_number=fonds, defaults={"name": name, "short_name": short, "code": code, "kind": "government", "level": 2}
    )
    return unit


def _person(username, name, unit, role=None):
    from oa.org.models import Person, RoleAssignment

    person = Person.objects.filter(username=username).first()
    if person is None:
        person = Person.objects.create_user(username, password=PASSWORD, name=name, unit=unit, title="科员")
    if role:
        RoleAssignment.objects.get_or_create(person=person, unit=unit, role=role)
    return person


def _setup(payload=None) -> dict:
    """An archive of 阳江 (three 碧道 documents of 2024 and 2023, one 函) and a 揭阳 user with a document of
    their own about the same thing."""
    from django.db import transaction

    from documents import services as documents
    from documents.models import Document, Status
    from oa.org.models import Role
    from search import services as search
    from tests.search.archive_helpers import archive_item

    yj = _unit("E2ES01", "阳江市人民政府", "阳江市政府", "阳府")
    jy = _unit("E2ES02", "揭阳市人民政府", "揭阳市政府", "揭府")
    archivist = _person("e2e_archivist", "林档案", yj, Role.ARCHIVIST)
    drafter = _person("e2e_search_drafter", "王科员", yj)
    outsider = _person("e2e_jy_staff", "陈揭阳", jy)
    made = {}
    if not Document.objects.filter(owner_unit=yj).exists():
        for key, title, doc_type, date, retention in [
            ("a", "阳江市关于推进漠阳江碧道建设的通知", "通知", datetime.date(2024, 3, 5), "Y"),
            ("b", "阳江市关于碧道沿线环境整治的通知", "通知", datetime.date(2024, 9, 1), "D30"),
            ("c", "阳江市关于碧道规划编制的通知", "通知", datetime.date(2023, 6, 1), "D10"),
            ("d", "关于碧道建设经费的函", "函", datetime.date(2024, 5, 1), "D10"),
        ]:
            document = documents.create_draft(
                drafter,
                {
                    "doc_type": doc_type,
                    "title": title,
                    "body": [{"kind": "paragraph", "text": f"加快推进漠阳江碧道建设（{key}），打造滨水生态空间。"}],
                    "written_date": date,
                },
            )
            with transaction.atomic():
                document.status = Status.DISTRIBUTED
                document.save(update_fields=["status"])
            archive_item(archivist, document=document, retention=retention, year=date.year)
        documents.create_draft(
            outsider,
            {"doc_type": "通知", "title": "揭阳市关于榕江碧道建设的通知", "written_date": datetime.date(2024, 4, 1)},
        )
    search.reindex_all()
    return {
        "archivist": archivist.username,
        "outsider": outsider.username,
        "password": PASSWORD,
        **made,
    }


HOOKS = {"search_archive_setup": _setup}
