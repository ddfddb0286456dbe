"""补充证据 are append-only like the items they belong to: the same database triggers guard their table."""

from django.db import migrations

TABLES = ("archive_archivesupplement",)


def install(apps, schema_editor):
    from documents.archive import dbguard

    dbguard.install(schema_editor.connection, TABLES)


def remove(apps, schema_editor):
    from documents.archive import dbguard

    dbguard.remove(schema_editor.connection, TABLES)


class Migration(migrations.Migration):
    dependencies = [("archive", "0005_supplements")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
