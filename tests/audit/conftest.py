import pytest
from django.db import connection

from oa.audit import dbguard
from oa.audit.models import ChainHead
from oa.audit.services import record

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(autouse=True)
def signing_key_file(settings, tmp_path):
    """Each test signs with its own key, generated on first use."""
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "keys" / "audit-ed25519.pem")
    return tmp_path / "keys" / "audit-ed25519.pem"


@pytest.fixture
def events(db):
    """Five events appended through the service; returns their sequence numbers."""
    created = [record("系统", "test.event", None, summary=f"第{i}号测试事件", after={"n": i}) for i in range(1, 6)]
    return [e.seq for e in created]


def head_seq() -> int:
    head = ChainHead.objects.filter(pk=1).first()
    return head.last_seq if head else 0


def tamper(sql: str, params=()) -> None:
    """What an attacker with database access does: drop the append-only triggers, change rows, put the
    triggers back (the test's transaction undoes everything afterwards)."""
    dbguard.remove(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        dbguard.install(connection)


def login(client, person):
    client.force_login(person, backend=MODEL_BACKEND)
    return client
