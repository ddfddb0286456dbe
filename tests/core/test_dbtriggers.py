"""oa.core.dbtriggers on the database in use (SQLite, or PostgreSQL in CI): a guard refuses what it names for
raw SQL, can be installed and removed in parts that share one PostgreSQL function, and only its last part takes
the function with it."""

import pytest
from django.db import DatabaseError, connection, transaction

from oa.core.dbtriggers import Guard, Refusal

TABLE = "core_guard_scratch"
MESSAGE = "测试表不能改'动"  # a quote, to show the message is quoted safely
NO_UPDATE = Guard("core_guard_scratch_refuse", MESSAGE, (Refusal(f"{TABLE}_no_update", TABLE, "UPDATE OF note"),))
NO_DELETE = Guard(
    "core_guard_scratch_refuse", MESSAGE, (Refusal(f"{TABLE}_no_delete", TABLE, "DELETE", when="OLD.id > 1"),)
)


@pytest.fixture
def scratch(db):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, note varchar(20), other varchar(20))")
        cursor.execute(f"INSERT INTO {TABLE} (id, note, other) VALUES (1, 'a', 'x'), (2, 'b', 'y')")
    yield
    NO_UPDATE.remove(connection)
    NO_DELETE.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {TABLE}")


def refused(sql: str) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as exc:
        assert MESSAGE in str(exc)
        return True
    return False


def function_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regproc('core_guard_scratch_refuse') IS NOT NULL")
        return cursor.fetchone()[0]


def test_guard_parts_refuse_what_they_name_and_come_off_one_by_one(scratch):
    assert not NO_UPDATE.installed(connection)
    NO_UPDATE.install(connection)
    NO_UPDATE.install(connection)  # idempotent
    NO_DELETE.install(connection)
    assert NO_UPDATE.installed(connection) and NO_DELETE.installed(connection)

    assert refused(f"UPDATE {TABLE} SET note = 'z' WHERE id = 1")
    assert not refused(f"UPDATE {TABLE} SET other = 'z' WHERE id = 1")  # only the named column
    assert refused(f"DELETE FROM {TABLE} WHERE id = 2")
    assert not refused(f"DELETE FROM {TABLE} WHERE id = 1")  # outside the WHEN condition

    NO_DELETE.remove(connection)
    assert not NO_DELETE.installed(connection) and NO_UPDATE.installed(connection)
    assert refused(f"UPDATE {TABLE} SET note = 'z' WHERE id = 2")  # the shared function is still there
    assert not refused(f"DELETE FROM {TABLE} WHERE id = 2")
    if connection.vendor == "postgresql":
        assert function_exists()

    NO_UPDATE.remove(connection)
    NO_UPDATE.remove(connection)  # idempotent
    assert not NO_UPDATE.installed(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (id, note) VALUES (3, 'c')")
    assert not refused(f"UPDATE {TABLE} SET note = 'z' WHERE id = 3")
    if connection.vendor == "postgresql":
        assert not function_exists()  # gone with its last trigger
