"""Scenario hooks for tests/e2e/test_archive.py (run inside the server process)."""

import datetime

PASSWORD = "Gd-E2e-Archive-Passw0rd!2025"
TITLE = "阳春市关于做好秋冬季森林防火工作的通知"


def _setup(payload=None) -> dict:
    """A unit with its 全宗号, its 档案员, and one 发文 whose flow is finished (已分发), waiting to be archived."""
    from django.db import transaction

    from documents import services as documents
    from documents.models import Document, Status
    from oa.org.models import Person, Role, RoleAssignment, Unit

    unit, _ = Unit.objects.get_or_create(
        fonds_number="E2EA01",
        defaults={
            "name": "阳春市人民政府",
            "short_name": "阳春市政府",
            "code": "春府",
            "kind": "government",
            "level": 3,
        },
    )

    def person(username, name, role=None):
        found = Person.objects.filter(username=username).first()
        if found is None:
            found = Person.objects.create_user(username, password=PASSWORD, name=name, unit=unit, title="科员")
        if role:
            RoleAssignment.objects.get_or_create(person=found, unit=unit, role=role)
        return found

    archivist = person("e2e_arch_archivist", "梁档案", Role.ARCHIVIST)
    drafter = person("e2e_arch_drafter", "黄科员")
    document = Document.objects.filter(owner_unit=unit, title=TITLE).first()
    if document is None:
        document = documents.create_draft(
            drafter,
            {
                "doc_type": "通知",
                "title": TITLE,
                "body": [{"kind": "paragraph", "text": "各镇人民政府、街道办事处：请切实做好秋冬季森林防火工作。"}],
                "written_date": datetime.date(2025, 10, 9),
            },
        )
        with transaction.atomic():
            document.status = Status.DISTRIBUTED  # the 发文 flow itself is tested elsewhere; here it is done
            document.save(update_fields=["status"])
    return {"archivist": archivist.username, "password": PASSWORD, "title": TITLE, "document": document.pk}


HOOKS = {"archive_setup": _setup}
