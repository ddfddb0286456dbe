"""Row triggers that refuse changes to protected tables for every SQL client, not only Django (SQLite and
PostgreSQL). Used by each app's ``dbguard`` module (the audit trail, the archive), which the migrations call
and the ``flush`` command of ``oa.audit`` finds by name.

A ``Guard`` is a named set of ``Refusal`` triggers that all fail with one message. On PostgreSQL they call
one trigger function (``Guard.function``) that raises ``integrity_constraint_violation``; on SQLite each
trigger raises ``ABORT``. Installing is idempotent and so is removing.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    """One trigger: refuse ``operation`` (``"UPDATE"``, ``"DELETE"``, ``"UPDATE OF a, b"``) on ``table``,
    only for rows matching ``when`` if given (an SQL condition on ``NEW``/``OLD``)."""

    name: str
    table: str
    operation: str
    when: str = ""


@dataclass(frozen=True)
class Guard:
    function: str
    message: str
    refusals: tuple[Refusal, ...]

    def install(self, connection) -> None:
        self._run(connection, self._postgresql_install, self._sqlite_install)

    def remove(self, connection) -> None:
        self._run(connection, self._postgresql_remove, self._sqlite_remove)

    def installed(self, connection) -> bool:
        """Every trigger of the guard is in place."""
        names = [refusal.name for refusal in self.refusals]
        marks = ", ".join(["%s"] * len(names))
        if connection.vendor == "postgresql":
            sql = f"SELECT count(DISTINCT tgname) FROM pg_trigger WHERE NOT tgisinternal AND tgname IN ({marks})"
        else:
            sql = f"SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})"
        with connection.cursor() as cursor:
            cursor.execute(sql, names)
            return cursor.fetchone()[0] == len(names)

    # --- statements ---------------------------------------------------------------------------------------

    @property
    def _literal(self) -> str:
        return self.message.replace("'", "''")

    def _sqlite_install(self) -> list[str]:
        return [
            f"CREATE TRIGGER IF NOT EXISTS {r.name} BEFORE {r.operation} ON {r.table} "
            + (f"WHEN {r.when} " if r.when else "")
            + f"BEGIN SELECT RAISE(ABORT, '{self._literal}'); END"
            for r in self.refusals
        ]

    def _sqlite_remove(self) -> list[str]:
        return [f"DROP TRIGGER IF EXISTS {r.name}" for r in self.refusals]

    def _postgresql_install(self) -> list[str]:
        statements = [
            f"""
            CREATE OR REPLACE FUNCTION {self.function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{self._literal}（% %）', TG_OP, TG_TABLE_NAME
                    USING ERRCODE = 'integrity_constraint_violation';
            END
            $$
            """
        ]
        for r in self.refusals:
            when = f"WHEN ({r.when}) " if r.when else ""
            statements += [
                f"DROP TRIGGER IF EXISTS {r.name} ON {r.table}",
                f"CREATE TRIGGER {r.name} BEFORE {r.operation} ON {r.table} "
                f"FOR EACH ROW {when}EXECUTE FUNCTION {self.function}()",
            ]
        return statements

    def _postgresql_remove(self) -> list[str]:
        drops = [f"DROP TRIGGER IF EXISTS {r.name} ON {r.table}" for r in self.refusals]
        # The function goes with its last trigger: a guard may be installed in parts (one migration per table
        # set) and removing one part must leave the others working.
        drop_function = f"""
            DO $$
            BEGIN
                IF to_regproc('{self.function}') IS NOT NULL
                        AND NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgfoid = to_regproc('{self.function}')) THEN
                    DROP FUNCTION {self.function}();
                END IF;
            END
            $$
            """
        return [*drops, drop_function]

    @staticmethod
    def _run(connection, postgresql, sqlite) -> None:
        if connection.vendor == "postgresql":
            statements = postgresql()
        elif connection.vendor == "sqlite":
            statements = sqlite()
        else:  # pragma: no cover - only the two supported profiles
            return
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
