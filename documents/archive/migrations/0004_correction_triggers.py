"""更正记录 are append-only like the items they correct: the same database triggers guard their table."""

from django.db import migrations

TABLES = ("archive_archivecorrection",)


def install(apps, schema_editor):
    from documents.archive import dbguard

    dbguard.install(schema_editor.connection, TABLES)


def remove(apps, schema_editor):
    from documents.archive import dbguard

    dbguard.remove(schema_editor.connection, TABLES)


class Migration(migrations.Migration):
    dependencies = [("archive", "0003_corrections_receipts")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
