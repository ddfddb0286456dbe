"""Database triggers that make the audit tables append-only for every SQL client, not only Django.

Installed by migration 0003 on SQLite and PostgreSQL.  They refuse UPDATE and DELETE of audit events and
checkpoints, with one exception: ``actor_id`` may be set to NULL (deleting a person — ``on_delete=SET_NULL``;
``actor_id`` is not hashed, ``actor_name`` is).  ``TRUNCATE`` on PostgreSQL is not a row operation and is not
blocked (Django's test flush uses it).

Someone who owns the database can drop the triggers.  That is why they are only the second line:
``manage.py verify_audit`` recomputes the hash chain and checks the signed checkpoints, so a change made
after dropping the triggers is still detected.
"""

EVENT_TABLE = "audit_auditevent"
CHECKPOINT_TABLE = "audit_checkpoint"

# Every column except actor_id (frozen here on purpose: a migration must not change with the model).
EVENT_COLUMNS = (
    "id", "seq", "created_at", "actor_name", "action", "object_type", "object_id", "object_repr", "result",
    "before", "after", "summary", "client_address", "prev_hash", "hash",
)  # fmt: skip
CHECKPOINT_COLUMNS = ("id", "seq", "hash", "signed_at", "key_id", "signature")

MESSAGE = "审计记录只能追加，不能修改或删除"


def _sqlite_statements() -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE OF {', '.join(EVENT_COLUMNS)} "
        f"ON {EVENT_TABLE} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        f"CREATE TRIGGER IF NOT EXISTS audit_event_actor_only_cleared BEFORE UPDATE OF actor_id ON {EVENT_TABLE} "
        f"WHEN NEW.actor_id IS NOT NULL BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        f"CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON {EVENT_TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        f"CREATE TRIGGER IF NOT EXISTS audit_checkpoint_no_update BEFORE UPDATE ON {CHECKPOINT_TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
        f"CREATE TRIGGER IF NOT EXISTS audit_checkpoint_no_delete BEFORE DELETE ON {CHECKPOINT_TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    ]


_SQLITE_TRIGGERS = (
    "audit_event_no_update",
    "audit_event_actor_only_cleared",
    "audit_event_no_delete",
    "audit_checkpoint_no_update",
    "audit_checkpoint_no_delete",
)


def _postgresql_statements() -> list[str]:
    return [
        f"""
        CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE}（% %）', TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
        END
        $$
        """,
        f"DROP TRIGGER IF EXISTS audit_event_no_update ON {EVENT_TABLE}",
        f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE OF {', '.join(EVENT_COLUMNS)} ON {EVENT_TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
        f"DROP TRIGGER IF EXISTS audit_event_actor_only_cleared ON {EVENT_TABLE}",
        f"CREATE TRIGGER audit_event_actor_only_cleared BEFORE UPDATE OF actor_id ON {EVENT_TABLE} "
        "FOR EACH ROW WHEN (NEW.actor_id IS NOT NULL) EXECUTE FUNCTION audit_append_only()",
        f"DROP TRIGGER IF EXISTS audit_event_no_delete ON {EVENT_TABLE}",
        f"CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {EVENT_TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
        f"DROP TRIGGER IF EXISTS audit_checkpoint_no_update ON {CHECKPOINT_TABLE}",
        f"CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON {CHECKPOINT_TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
        f"DROP TRIGGER IF EXISTS audit_checkpoint_no_delete ON {CHECKPOINT_TABLE}",
        f"CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON {CHECKPOINT_TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    ]


def _postgresql_drop() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS audit_event_no_update ON {EVENT_TABLE}",
        f"DROP TRIGGER IF EXISTS audit_event_actor_only_cleared ON {EVENT_TABLE}",
        f"DROP TRIGGER IF EXISTS audit_event_no_delete ON {EVENT_TABLE}",
        f"DROP TRIGGER IF EXISTS audit_checkpoint_no_update ON {CHECKPOINT_TABLE}",
        f"DROP TRIGGER IF EXISTS audit_checkpoint_no_delete ON {CHECKPOINT_TABLE}",
        "DROP FUNCTION IF EXISTS audit_append_only()",
    ]


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
        statements = _postgresql_drop()
    elif connection.vendor == "sqlite":
        statements = [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS]
    else:  # pragma: no cover
        return
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def installed(connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_event_no_delete' AND NOT tgisinternal"
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'audit_event_no_delete'"
            )
        return cursor.fetchone()[0] > 0
