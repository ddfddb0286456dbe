import pytest

from oa.messaging import services
from tests.factories import DepartmentFactory, PersonFactory, UnitFactory


@pytest.fixture
def unit(db):
    return UnitFactory(name="阳江市人民政府", short_name="阳江市政府")


@pytest.fixture
def people(unit):
    """alice and bob chat; carol is in the same unit but not in their conversations; dave is elsewhere."""
    from types import SimpleNamespace

    other_unit = UnitFactory(name="揭阳市人民政府", short_name="揭阳市政府")
    return SimpleNamespace(
        alice=PersonFactory(username="alice", name="张三", unit=unit),
        bob=PersonFactory(username="bob", name="李四", unit=unit),
        carol=PersonFactory(username="carol", name="王五", unit=unit),
        dave=PersonFactory(username="dave", name="赵六", unit=other_unit),
    )


@pytest.fixture
def direct(people):
    return services.start_direct(people.alice, people.bob)


@pytest.fixture
def group(people):
    return services.create_group(people.alice, title="防汛专班", members=[people.bob, people.dave])


@pytest.fixture
def department(unit):
    return DepartmentFactory(unit=unit, name="办公室")


@pytest.fixture(autouse=True)
def _org_sync_at_once(monkeypatch, request):
    """The org-group sync runs after commit; inside the test transaction (which never commits) run it at once.
    Tests marked transaction=True keep the real after-commit path."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return
    from oa.messaging import signals

    monkeypatch.setattr(signals, "after_commit", lambda callback: callback())
