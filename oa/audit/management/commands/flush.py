"""``flush`` that also works with the append-only triggers on SQLite.

Django's flush empties every table with ``DELETE`` on SQLite, which append-only triggers refuse (on PostgreSQL
it uses ``TRUNCATE``, which row triggers do not see).  Flushing wipes the whole database anyway, so the
triggers are lifted for the flush and put back right after.  Test cases with ``transaction=True`` flush
after every test.

Any installed app may guard its tables the same way by providing a ``dbguard`` module with ``installed``,
``install`` and ``remove`` (the audit trail, the archive); they are found by name so ``oa`` imports no
feature app.
"""

import importlib
import importlib.util

from django.apps import apps
from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections


def guards():
    for config in apps.get_app_configs():
        name = f"{config.name}.dbguard"
        if importlib.util.find_spec(name) is not None:
            yield importlib.import_module(name)


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        lifted = [guard for guard in guards() if guard.installed(connection)]
        for guard in lifted:
            guard.remove(connection)
        try:
            return super().handle(**options)
        finally:
            for guard in lifted:
                guard.install(connection)
