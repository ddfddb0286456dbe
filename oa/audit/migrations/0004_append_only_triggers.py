"""Database-level append-only protection for audit events and checkpoints (SQLite and PostgreSQL).

See ``oa.audit.dbguard``: UPDATE/DELETE are refused by triggers; ``verify_audit`` still detects tampering
by someone who drops them.
"""

from django.db import migrations


def install(apps, schema_editor):
    from oa.audit import dbguard

    dbguard.install(schema_editor.connection)


def remove(apps, schema_editor):
    from oa.audit import dbguard

    dbguard.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_verificationrun")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
