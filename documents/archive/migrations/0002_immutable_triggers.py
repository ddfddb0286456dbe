"""Database-level immutability of archived items and files (SQLite and PostgreSQL).

See ``documents.archive.dbguard``: UPDATE/DELETE are refused by triggers; ``verify_archive`` still detects a
changed file.
"""

from django.db import migrations


def install(apps, schema_editor):
    from documents.archive import dbguard

    dbguard.install(schema_editor.connection, dbguard.FIRST_TABLES)


def remove(apps, schema_editor):
    from documents.archive import dbguard

    dbguard.remove(schema_editor.connection, dbguard.FIRST_TABLES)


class Migration(migrations.Migration):
    dependencies = [("archive", "0001_initial")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
