"""A sent document's archive holds its recipients' 回执 as evidence: the sender keeps proof of who received which
exact bytes and when. Three recipients: 江城区 signs for it and returns a 办结回执, 市教育局 returns it with a
reason, 揭阳市 signs for it only after the document was archived — its 回执 is appended as 补充证据."""

import base64
import hashlib
import io
import json
import zipfile
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from documents.archive import evidence, services
from documents.archive.models import ArchiveImmutableError, ArchiveSupplement, FileKind
from documents.exchange import done_receipts
from documents.exchange import services as exchange
from documents.exchange.models import Delivery
from oa.audit.models import AuditEvent
from tests.signing.conftest import _keeper, _session_ca, signing_ca  # noqa: F401  (fixtures)

from .conftest import login, receive_to_the_end, send_to_the_end

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit_seals(signing_ca, org_tree):  # noqa: F811
    """Official seals of the three receiving units: their keys sign the 回执."""
    from signing.services.seals import create_seal

    units = {"jc": org_tree.jc_gov, "edu": org_tree.yj_edu, "jy": org_tree.jy_gov}
    return {
        key: create_seal(None, unit, custodians=[_keeper(unit, f"{key}_keeper", f"{unit.short_name}印管")])
        for key, unit in units.items()
    }


@pytest.fixture
def scene(personas, people, ex, org_tree, make_draft, run_commits, unit_seals):
    """The document is sent to three units and archived while 揭阳市 has not signed for it yet."""

    def dispatch_run(fn, *args, **kwargs):
        return run_commits(fn, *args, want_done_receipt=True, **kwargs)

    draft = make_draft(main_units=[org_tree.jc_gov, org_tree.yj_edu, org_tree.jy_gov])
    document = send_to_the_end(personas, draft, dispatch_run)
    deliveries = {d.recipient_id: d for d in Delivery.objects.filter(document=document)}
    jc, edu, jy = (deliveries[u.pk] for u in (org_tree.jc_gov, org_tree.yj_edu, org_tree.jy_gov))
    assert {d.state for d in (jc, edu, jy)} == {"delivered"}

    receive_to_the_end(people, document, run_commits)
    done_receipts.issue_for_flow(Delivery.objects.get(pk=jc.pk).incoming_flow_id)
    run_commits(exchange.return_delivery, ex.edu_clerk, edu.pk, reason="非我单位职责范围，请改送市水利局")

    item = services.archive(people.yj_archivist, document=document, retention="D30")
    return SimpleNamespace(document=document, item=item, jc=jc, edu=edu, jy=jy)


def _sign_late(scene, ex, run_commits):
    run_commits(exchange.sign_for, ex.jy_clerk, scene.jy.pk)
    return scene.item.supplements.get()


def _file(item, name):
    return item.files.get(name=name)


def test_archived_sent_item_holds_each_recipients_signed_receipts_and_a_delivery_summary(scene, people, ex):
    item = scene.item
    signed_name = evidence.receipt_name(FileKind.RECEIPT, scene.jc)
    done_name = evidence.receipt_name(FileKind.DONE_RECEIPT, scene.jc)
    receipts = item.files.filter(kind__in=evidence.RECEIPT_KINDS)
    assert sorted(receipts.values_list("name", flat=True)) == sorted([signed_name, done_name])
    for archived in receipts:
        data = archived.file.read()
        assert hashlib.sha256(data).hexdigest() == archived.sha256 == item.manifest[archived.name]["sha256"]
        entry = json.loads(data)
        assert entry["recipient"] == "江城区人民政府" and entry["package_sha256"] == scene.jc.package_sha256
        assert evidence.check_receipt(data).status == "valid"
    assert json.loads(_file(item, signed_name).file.read())["person"] == people.jc_clerk.get_full_name()
    assert json.loads(_file(item, done_name).file.read())["person"] == people.jc_staff.get_full_name()

    summary = {row["收文单位"]: row for row in item.metadata[evidence.SUMMARY_KEY]}
    assert set(summary) == {"江城区人民政府", "阳江市教育局", "揭阳市人民政府"}
    jc = summary["江城区人民政府"]
    assert (jc["状态"], jc["签收人"], jc["签收回执"], jc["办结回执"]) == (
        "已签收",
        people.jc_clerk.get_full_name(),
        signed_name,
        done_name,
    )
    edu = next(row for row in summary.values() if row["状态"] == "已退回")
    assert edu["原因"] == "非我单位职责范围，请改送市水利局" and edu["时间"] and not edu["签收回执"]
    jy = summary["揭阳市人民政府"]
    assert jy["状态"] == "已送达" and not jy["签收回执"]

    result = services.verify(item)
    assert result.ok, result.summary
    assert {result.receipts[n].status for n in (signed_name, done_name)} == {"valid"}
    call_command("verify_archive", "--code", item.archive_code)


def test_a_receipt_signed_after_archiving_is_appended_audited_verified_and_exported(scene, people, ex, run_commits):
    supplement = _sign_late(scene, ex, run_commits)
    item = scene.item
    assert supplement.kind == FileKind.RECEIPT and supplement.recipient_name == "揭阳市人民政府"
    assert supplement.person_name == ex.jy_clerk.get_full_name()
    data = supplement.file.read()
    assert hashlib.sha256(data).hexdigest() == supplement.sha256
    assert evidence.check_receipt(data).status == "valid"
    # The archived item itself is untouched; appending again adds nothing.
    assert item.files.filter(kind=FileKind.RECEIPT).count() == 1
    assert evidence.append_late_receipts(item) == [] and evidence.sweep() == 0
    event = AuditEvent.objects.get(action="archive.supplement")
    assert "揭阳市人民政府" in event.summary and item.archive_code in event.summary
    with pytest.raises(ArchiveImmutableError):
        supplement.save()
    with pytest.raises(ArchiveImmutableError):
        ArchiveSupplement.objects.filter(pk=supplement.pk).update(person_name="别人")

    result = services.verify(item)
    assert result.ok, result.summary
    assert result.receipts[f"补充证据/{supplement.name}"].status == "valid"

    package = zipfile.ZipFile(io.BytesIO(services.export(people.yj_archivist, item)))
    manifest = json.loads(package.read("manifest.json"))
    listed = {entry["name"]: entry for entry in manifest["receipts"]}
    assert len(listed) == 3 and listed[f"补充证据/{supplement.name}"]["late"] is True
    for name, entry in listed.items():
        content = package.read(name)
        assert hashlib.sha256(content).hexdigest() == entry["sha256"] and len(content) == entry["size"]
    assert manifest["supplements"][0]["hash"] == supplement.hash


def test_export_appends_a_receipt_whose_hook_was_lost(scene, ex, people):
    exchange.sign_for(ex.jy_clerk, scene.jy.pk)  # committed with the test, its after-commit hook never ran
    assert not scene.item.supplements.exists()
    package = zipfile.ZipFile(io.BytesIO(services.export(people.yj_archivist, scene.item)))
    names = [e["name"] for e in json.loads(package.read("manifest.json"))["supplements"]]
    assert names == [f"补充证据/{evidence.receipt_name(FileKind.RECEIPT, scene.jy)}"]


def test_the_periodic_sweep_appends_a_recent_receipt_whose_hook_was_lost(scene, ex):
    from datetime import timedelta

    from django.utils import timezone

    from documents.archive.tasks import sweep_receipts
    from documents.exchange.models import DoneReceipt, Receipt

    exchange.sign_for(ex.jy_clerk, scene.jy.pk)  # its after-commit hook never ran
    long_ago = timezone.now() - timedelta(days=3)
    Receipt.objects.filter(delivery__document=scene.document).update(signed_at=long_ago)
    DoneReceipt.objects.filter(delivery__document=scene.document).update(finished_at=long_ago)
    assert sweep_receipts() == 0  # the hourly task looks at the last two days only (export still catches it)
    Receipt.objects.filter(delivery=scene.jy).update(signed_at=timezone.now())
    assert sweep_receipts() == 1
    assert scene.item.supplements.get().recipient_name == "揭阳市人民政府"
    assert sweep_receipts() == 0


def test_a_tampered_receipt_file_is_reported(scene, ex, run_commits, settings, capsys):
    supplement = _sign_late(scene, ex, run_commits)
    archived = _file(scene.item, evidence.receipt_name(FileKind.RECEIPT, scene.jc))
    path = settings.MEDIA_ROOT / archived.file.name
    path.write_bytes(path.read_bytes().replace("收发员".encode(), "冒名人".encode()))
    result = services.verify(scene.item)
    assert not result.ok and result.files[archived.name] == "changed"
    with pytest.raises(CommandError, match="校验未通过"):
        call_command("verify_archive", "--code", scene.item.archive_code)
    assert archived.name in capsys.readouterr().err

    late = settings.MEDIA_ROOT / supplement.file.name
    late.write_bytes(late.read_bytes() + b" ")
    assert verify_problem(scene.item, f"补充证据/{supplement.name}：摘要不符")


def verify_problem(item, text) -> bool:
    return any(text in problem for problem in services.verify(item).problems)


def test_a_receipt_that_does_not_verify_against_the_recipients_seal_is_refused(scene, unit_seals):
    data = _file(scene.item, evidence.receipt_name(FileKind.RECEIPT, scene.jc)).file.read()
    entry = json.loads(data)

    forged = dict(entry, message=entry["message"].replace("收发员", "冒名人"))
    assert evidence.check_receipt(json.dumps(forged).encode()).detail == "回执签名验证不通过"

    other = unit_seals["edu"].certificate  # a genuine seal certificate, but not the receiving unit's
    foreign = dict(entry, certificate_der=base64.b64encode(bytes(other.der)).decode(), fingerprint=other.fingerprint)
    assert evidence.check_receipt(json.dumps(foreign).encode()).detail == "回执证书不是收文单位的印章证书"

    other_bytes = dict(entry, package_sha256="0" * 64)
    assert evidence.check_receipt(json.dumps(other_bytes).encode()).status == "invalid"


def test_the_archivist_sees_and_downloads_the_receipts_and_other_units_cannot(
    scene, people, ex, run_commits, client, django_user_model
):
    supplement = _sign_late(scene, ex, run_commits)
    item = scene.item
    page = login(client, people.yj_archivist).get(reverse("archive:detail", args=[item.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "收文单位回执" in html
    assert html.count('data-result="valid"') == 3 and "非我单位职责范围" in html
    assert people.jc_clerk.get_full_name() in html and "（归档后追加）" in html

    refs = [f"f{_file(item, evidence.receipt_name(FileKind.RECEIPT, scene.jc)).pk}", f"s{supplement.pk}"]
    for ref in refs:
        response = client.get(reverse("archive:evidence", args=[item.pk, ref]))
        assert response.status_code == 200 and json.loads(response.content)["format"] == "oa-exchange-receipt"
    assert AuditEvent.objects.filter(action="archive.download").count() == 2

    api = client.get(f"/api/archive/items/{item.pk}/receipts/")
    assert api.status_code == 200
    rows = api.json()["receipts"]
    assert [r["result"] for r in rows] == ["valid"] * 3 and {r["unit"] for r in rows} >= {"揭阳市人民政府"}
    download = client.get(f"/api/archive/items/{item.pk}/receipts/{refs[1]}/")
    assert download.status_code == 200 and hashlib.sha256(download.content).hexdigest() == supplement.sha256

    # Other units' people — the receiving units' clerk and archivist among them — cannot see or take them.
    for outsider in (people.jc_archivist, people.jc_clerk, ex.jy_clerk):
        login(client, outsider)
        assert client.get(reverse("archive:detail", args=[item.pk])).status_code == 404
        for ref in refs:
            assert client.get(reverse("archive:evidence", args=[item.pk, ref])).status_code == 404
            assert client.get(f"/api/archive/items/{item.pk}/receipts/{ref}/").status_code == 404
        assert client.get(f"/api/archive/items/{item.pk}/receipts/").status_code == 404
    # A ref of another item's file is not served through this item.
    login(client, people.yj_archivist)
    assert client.get(reverse("archive:evidence", args=[item.pk, "f999999"])).status_code == 404
