"""The export package carries every file with checksums that match; verification re-hashes the stored files
and catches a changed or missing one (also as ``manage.py verify_archive``)."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from documents.archive import services
from documents.archive.models import FileKind
from oa.audit.models import AuditEvent
from oa.core.errors import PermissionDeniedError

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(finished_sent, people):
    return services.archive(people.yj_archivist, document=finished_sent(), retention="D30")


def test_export_zip_holds_every_file_whose_checksums_match_the_manifest(item, people):
    data = services.export(people.yj_archivist, item)
    package = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(package.read("manifest.json"))
    assert manifest["archive_code"] == item.archive_code and manifest["format"] == "oa-archive-package"
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert set(listed) == set(item.files.values_list("name", flat=True))
    for name, entry in listed.items():
        content = package.read(name)
        assert hashlib.sha256(content).hexdigest() == entry["sha256"] and len(content) == entry["size"]
    assert json.loads(package.read("metadata.json"))["档号"] == item.archive_code
    readme = package.read("说明.txt").decode("utf-8")
    assert item.archive_code in readme and "SHA-256" in readme
    assert AuditEvent.objects.filter(action="archive.export").count() == 1


def test_export_is_for_the_units_archivist_and_leaders(item, personas, people):
    assert services.export(personas.yj_mayor, item)[:2] == b"PK"
    for outsider in (personas.yj_staff, people.jc_archivist):
        with pytest.raises(PermissionDeniedError):
            services.export(outsider, item)


def test_verify_passes_then_detects_a_tampered_and_a_missing_file(item, settings):
    assert services.verify(item).ok
    call_command("verify_archive")  # exits quietly when all is well

    sheet = item.files.get(kind=FileKind.SHEET)
    path = settings.MEDIA_ROOT / sheet.file.name
    path.write_bytes(path.read_bytes() + b"%tampered")
    result = services.verify(item)
    assert not result.ok and result.files[sheet.name] == "changed"
    assert "已被改动" in result.summary
    with pytest.raises(CommandError, match="校验未通过"):
        call_command("verify_archive", "--code", item.archive_code)

    metadata = item.files.get(kind=FileKind.METADATA)
    (settings.MEDIA_ROOT / metadata.file.name).unlink()
    result = services.verify(item)
    assert result.files[metadata.name] == "missing" and result.files[sheet.name] == "changed"
