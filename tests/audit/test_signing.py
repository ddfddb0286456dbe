"""Signing the chain head: key handling, the periodic task and the on-demand command."""

import stat

import pytest
from django.core.management import call_command

from oa.audit.models import Checkpoint
from oa.audit.services import record
from oa.audit.signing import ChainNotSigned, load_private_key, sign_chain_head, signature_valid
from oa.audit.tasks import sign_chain_head as sign_task
from oa.audit.verify import verify_chain
from tests.audit.conftest import tamper


def test_key_is_generated_on_first_use_readable_only_by_the_owner(db, signing_key_file):
    assert not signing_key_file.exists()
    key = load_private_key()
    assert stat.S_IMODE(signing_key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(signing_key_file.parent.stat().st_mode) == 0o700
    # The same key is loaded again, not regenerated.
    assert load_private_key().public_key().public_bytes_raw() == key.public_key().public_bytes_raw()


def test_periodic_task_signs_only_when_the_head_moved(events):
    result = sign_task.delay().get()
    assert result == {"signed": True, "seq": 5, "hash": Checkpoint.objects.get().hash}
    assert sign_task.delay().get() == {"signed": False}
    record("系统", "test.more", None)
    assert sign_task.delay().get()["seq"] == 6
    assert list(Checkpoint.objects.values_list("seq", flat=True)) == [5, 6]
    checkpoint = Checkpoint.objects.get(seq=6)
    assert signature_valid(checkpoint, load_private_key().public_key())
    report = verify_chain()
    assert report.ok and report.checkpoints_checked == 2 and report.last_checkpoint_seq == 6


def test_signature_is_over_seq_and_hash(events):
    checkpoint = sign_chain_head()
    public_key = load_private_key().public_key()
    checkpoint.hash = "f" * 64
    assert not signature_valid(checkpoint, public_key)


def test_a_broken_chain_is_not_signed(events):
    tamper("UPDATE audit_auditevent SET summary = %s WHERE seq = 2", ["改"])
    with pytest.raises(ChainNotSigned, match="第 2 条"):
        sign_chain_head()
    assert sign_task.delay().get()["signed"] is False
    assert not Checkpoint.objects.exists()


def test_nothing_to_sign_on_an_empty_chain(db):
    assert sign_chain_head() is None


def test_sign_command(events, capsys):
    call_command("sign_audit_head")
    assert "已签名：第 5 条" in capsys.readouterr().out
    call_command("sign_audit_head")
    assert "无需签名" in capsys.readouterr().out


def test_checkpoint_signed_with_another_key_fails_verification(events, settings, tmp_path, capsys):
    sign_chain_head()
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "other" / "key.pem")
    load_private_key()
    report = verify_chain()
    assert not report.ok and report.problem.kinds == ["checkpoint"]


def test_missing_key_with_checkpoints_is_reported_not_regenerated(events, settings, tmp_path):
    sign_chain_head()
    settings.AUDIT_SIGNING_KEY_FILE = str(tmp_path / "gone" / "key.pem")
    report = verify_chain()
    assert not report.ok and "不存在" in report.message
    assert not (tmp_path / "gone" / "key.pem").exists()
