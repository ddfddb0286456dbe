"""Database triggers that make archived rows immutable for every SQL client, not only Django (SQLite and
PostgreSQL; ``oa.core.dbtriggers``, as for ``oa.audit.dbguard``).

UPDATE and DELETE of archive items, their files and their 更正记录 are refused. ``TRUNCATE`` on PostgreSQL is
not a row operation and is not blocked (Django's test flush uses it). On SQLite, Django's flush deletes rows:
tests that flush lift the triggers for it (the ``flush`` command of ``oa.audit`` finds every app's ``dbguard``).

Someone who owns the database can drop the triggers; ``manage.py verify_archive`` still detects a file whose
bytes no longer match the frozen manifest.
"""

from oa.core.dbtriggers import Guard, Refusal

FIRST_TABLES = ("archive_archiveitem", "archive_archivefile")  # migration 0002
TABLES = (*FIRST_TABLES, "archive_archivecorrection", "archive_archivesupplement")  # 0004 更正记录, 0006 补充证据
MESSAGE = "已归档的档案不能修改或删除"


def guard(tables=TABLES) -> Guard:
    """The triggers of ``tables``; they share one PostgreSQL function, dropped with its last trigger."""
    refusals = tuple(Refusal(f"{table}_no_{op.lower()}", table, op) for table in tables for op in ("UPDATE", "DELETE"))
    return Guard(function="archive_immutable", message=MESSAGE, refusals=refusals)


def install(connection, tables=TABLES) -> None:
    guard(tables).install(connection)


def remove(connection, tables=TABLES) -> None:
    guard(tables).remove(connection)


def installed(connection, tables=TABLES) -> bool:
    return guard(tables).installed(connection)
