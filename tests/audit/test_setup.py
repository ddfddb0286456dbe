"""Installation guarantees: triggers are in place after migrate; SQLite must serialise writers."""

from django.db import connection

from oa.audit import dbguard
from oa.audit.checks import sqlite_serialises_writers, sqlite_transaction_mode_errors


def test_migrations_install_the_append_only_triggers(db):
    assert dbguard.installed(connection)


def test_system_check_requires_immediate_transactions_on_sqlite(settings):
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3", "OPTIONS": {}}
    assert [e.id for e in sqlite_transaction_mode_errors({"default": sqlite})] == ["audit.E001"]
    immediate = {**sqlite, "OPTIONS": {"transaction_mode": "IMMEDIATE"}}
    assert sqlite_transaction_mode_errors({"default": immediate}) == []
    assert sqlite_serialises_writers() == []  # the project's own settings pass
