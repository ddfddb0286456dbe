"""``flush`` that also works with the append-only triggers on SQLite.

Django's flush empties every table with ``DELETE`` on SQLite, which the audit triggers refuse (on PostgreSQL
it uses ``TRUNCATE``, which row triggers do not see).  Flushing wipes the whole database anyway, so the
triggers are lifted for the flush and put back right after.  Test cases with ``transaction=True`` flush
after every test.
"""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from oa.audit import dbguard


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite" or not dbguard.installed(connection):
            return super().handle(**options)
        dbguard.remove(connection)
        try:
            return super().handle(**options)
        finally:
            dbguard.install(connection)
