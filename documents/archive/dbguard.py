"""Database triggers that make archived rows immutable for every SQL client, not only Django (SQLite and
PostgreSQL; the approach of ``oa.audit.dbguard``).

UPDATE and DELETE of archive items and their files are refused. ``TRUNCATE`` on PostgreSQL is not a row
operation and is not blocked (Django's test flush uses it). On SQLite, Django's flush deletes rows: tests that
flush lift the triggers for it (the ``flush`` command of ``oa.audit`` finds every app's ``dbguard``).

Someone who owns the database can drop the triggers; ``manage.py verify_archive`` still detects a file whose
bytes no longer match the frozen manifest.
"""

TABLES = ("archive_archiveitem", "archive_archivefile")
MESSAGE = "已归档的档案不能修改或删除"


def _names(table: str) -> tuple[str, str]:
    return f"{table}_no_update", f"{table}_no_delete"


def _sqlite_statements() -> list[str]:
    statements = []
    for table in TABLES:
        no_update, no_delete = _names(table)
        statements += [
            f"CREATE TRIGGER IF NOT EXISTS {no_update} BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
            f"CREATE TRIGGER IF NOT EXISTS {no_delete} BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        ]
    return statements


def _postgresql_statements() -> list[str]:
    statements = [
        f"""
        CREATE OR REPLACE FUNCTION archive_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE}（% %）', TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
        END
        $$
        """
    ]
    for table in TABLES:
        for name, op in zip(_names(table), ("UPDATE", "DELETE"), strict=True):
            statements += [
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"CREATE TRIGGER {name} BEFORE {op} ON {table} FOR EACH ROW EXECUTE FUNCTION archive_immutable()",
            ]
    return statements


def install(connection) -> None:
    if connection.vendor == "postgresql":
        statements = _postgresql_statements()
    elif connection.vendor == "sqlite":
        statements = _sqlite_statements()
    else:  # pragma: no cover - only the two supported profiles
        return
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def remove(connection) -> None:
    if connection.vendor == "postgresql":
        statements = [f"DROP TRIGGER IF EXISTS {name} ON {t}" for t in TABLES for name in _names(t)]
        statements.append("DROP FUNCTION IF EXISTS archive_immutable()")
    elif connection.vendor == "sqlite":
        statements = [f"DROP TRIGGER IF EXISTS {name}" for t in TABLES for name in _names(t)]
    else:  # pragma: no cover
        return
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def installed(connection) -> bool:
    name = _names(TABLES[0])[1]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal", [name])
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = %s", [name])
        return cursor.fetchone()[0] > 0
