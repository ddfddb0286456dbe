"""Database triggers that make the audit tables append-only for every SQL client, not only Django.

Installed by migration 0003 on SQLite and PostgreSQL.  They refuse UPDATE and DELETE of audit events and
checkpoints, with one exception: ``actor_id`` may be set to NULL (deleting a person — ``on_delete=SET_NULL``;
``actor_id`` is not hashed, ``actor_name`` is).  ``TRUNCATE`` on PostgreSQL is not a row operation and is not
blocked (Django's test flush uses it).

Someone who owns the database can drop the triggers.  That is why they are only the second line:
``manage.py verify_audit`` recomputes the hash chain and checks the signed checkpoints, so a change made
after dropping the triggers is still detected.
"""

from oa.core.dbtriggers import Guard, Refusal

EVENT_TABLE = "audit_auditevent"
CHECKPOINT_TABLE = "audit_checkpoint"

# Every column except actor_id (frozen here on purpose: a migration must not change with the model).
EVENT_COLUMNS = (
    "id", "seq", "created_at", "actor_name", "action", "object_type", "object_id", "object_repr", "result",
    "before", "after", "summary", "client_address", "prev_hash", "hash",
)  # fmt: skip

MESSAGE = "审计记录只能追加，不能修改或删除"

GUARD = Guard(
    function="audit_append_only",
    message=MESSAGE,
    refusals=(
        Refusal("audit_event_no_update", EVENT_TABLE, f"UPDATE OF {', '.join(EVENT_COLUMNS)}"),
        Refusal("audit_event_actor_only_cleared", EVENT_TABLE, "UPDATE OF actor_id", when="NEW.actor_id IS NOT NULL"),
        Refusal("audit_event_no_delete", EVENT_TABLE, "DELETE"),
        Refusal("audit_checkpoint_no_update", CHECKPOINT_TABLE, "UPDATE"),
        Refusal("audit_checkpoint_no_delete", CHECKPOINT_TABLE, "DELETE"),
    ),
)

install = GUARD.install
remove = GUARD.remove
installed = GUARD.installed
