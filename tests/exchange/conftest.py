import pytest

from oa.org.models import Level, Role
from tests.documents.conftest import draft_data, make_draft  # noqa: F401  (shared fixtures)
from tests.signing.conftest import _session_ca, seals, signing_ca  # noqa: F401  (shared fixtures)


@pytest.fixture
def ex(org_tree, personas):
    """A 待分发 document of 阳江市人民政府 and clerks at the receiving units."""
    from types import SimpleNamespace

    from documents.models import Document, Status
    from tests.factories import PersonFactory, RoleAssignmentFactory, UnitFactory

    def clerk(username, unit):
        person = PersonFactory(username=username, name=f"{unit.short_name}收发员", unit=unit)
        RoleAssignmentFactory(person=person, unit=unit, role=Role.CLERK)
        person.refresh_from_db()
        return person

    villages = [org_tree.village] + [
        UnitFactory(name=f"第{i}村民委员会", short_name=f"第{i}村", code=f"村{i}", parent=org_tree.cb_street)
        for i in range(2, 4)
    ]
    from django.db import transaction

    with transaction.atomic():  # the search index's save hook expects a transaction around the save
        document = Document.objects.create(
            owner_unit=org_tree.yj_gov,
            drafter=personas.yj_staff,
            title="关于做好防汛工作的通知",
            status=Status.DISTRIBUTING,
        )
    return SimpleNamespace(
        document=document,
        sender_clerk=personas.yj_clerk,
        jc_clerk=clerk("jc_clerk", org_tree.jc_gov),
        edu_clerk=clerk("edu_clerk", org_tree.yj_edu),
        jy_clerk=clerk("jy_clerk", org_tree.jy_gov),
        village_clerk=clerk("village_clerk", org_tree.village),
        villages=villages,
        Level=Level,
    )


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    """Run a service and then its after-commit work (task wake-ups, pushes), as a real commit would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
