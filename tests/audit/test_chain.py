"""The hash chain: links, verification, and detection of each kind of tampering."""

import pytest
from django.core.management import call_command
from django.db import connection

from oa.audit import dbguard
from oa.audit.models import GENESIS_HASH, AuditEvent, ChainHead, chain_hash
from oa.audit.services import record
from oa.audit.verify import verify_chain
from tests.audit.conftest import tamper


def _rehash_from(seq: int) -> None:
    """Rewrite the chain consistently from ``seq`` on: every hash recomputed, the head moved along."""
    previous = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS_HASH
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
        new_hash = chain_hash(previous, event.hashed_values())
        tamper("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s", [previous, new_hash, event.seq])
        previous = new_hash
    ChainHead.objects.filter(pk=1).update(last_hash=previous)


def test_each_event_links_to_the_previous_one(events):
    chain = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
    assert chain[0].prev_hash == GENESIS_HASH
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.hash
    for event in chain:
        assert event.hash == event.compute_hash()
    head = ChainHead.objects.get(pk=1)
    assert (head.last_seq, head.last_hash) == (chain[-1].seq, chain[-1].hash)


def test_hash_covers_the_content_as_stored(db):
    # Values that JSON would silently change (dates, decimals, 1e20 on PostgreSQL) are normalised first.
    import datetime
    from decimal import Decimal

    before = {"d": datetime.date(2025, 3, 1), "x": Decimal("1.50"), "big": 1e20, 5: "int key"}
    record("系统", "test.types", None, before=before)
    event = AuditEvent.objects.get()
    assert event.before == {"d": "2025-03-01", "x": "1.50", "big": 10**20, "5": "int key"}
    assert event.hash == event.compute_hash()
    assert verify_chain().ok


def test_verify_passes_on_an_intact_chain(events, capsys):
    report = verify_chain()
    assert report.ok
    assert report.checked == len(events)
    call_command("verify_audit")
    assert f"审计链完整，共 {len(events)} 条" in capsys.readouterr().out


def _assert_broken(seq: int, kind: str, capsys) -> None:
    report = verify_chain()
    assert not report.ok
    assert report.problem.seq == seq
    assert kind in report.problem.kinds
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit")
    assert exit_info.value.code != 0
    assert f"第 {seq} 条" in capsys.readouterr().err


def test_edited_event_is_named(events, capsys):
    tamper("UPDATE audit_auditevent SET summary = %s WHERE seq = %s", ["篡改后的摘要", 3])
    _assert_broken(3, "hash", capsys)


def test_edit_through_queryset_update_bypassing_the_model_is_detected(events, capsys):
    dbguard.remove(connection)
    AuditEvent._base_manager.filter(seq=2).update(actor_name="冒名顶替")
    _assert_broken(2, "hash", capsys)


def test_edit_with_recomputed_hash_breaks_the_next_link(events, capsys):
    event = AuditEvent.objects.get(seq=3)
    event.summary = "篡改后的摘要"
    tamper("UPDATE audit_auditevent SET summary = %s, hash = %s WHERE seq = 3", [event.summary, event.compute_hash()])
    _assert_broken(4, "link", capsys)


def test_deleted_event_is_named(events, capsys):
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [3])
    _assert_broken(3, "gap", capsys)
    assert "缺少第 3 条" in verify_chain().message


def test_deleted_last_event_is_caught_by_the_head(events, capsys):
    tamper("DELETE FROM audit_auditevent WHERE seq = %s", [5])
    _assert_broken(5, "head", capsys)


def test_inserted_event_is_named(events, capsys):
    # Make room at 3 (moving 3..5 up by one, highest first for the unique index) and insert a forged
    # event that links correctly to event 2.
    for seq in (5, 4, 3):
        tamper("UPDATE audit_auditevent SET seq = seq + 1 WHERE seq = %s", [seq])
    forged = AuditEvent(
        seq=3,
        created_at=AuditEvent.objects.get(seq=2).created_at,
        actor_name="伪造",
        action="test.forged",
        prev_hash=AuditEvent.objects.get(seq=2).hash,
        result="success",
    )
    forged.hash = forged.compute_hash()
    forged.save()
    ChainHead.objects.filter(pk=1).update(last_seq=6)
    _assert_broken(4, "link", capsys)


def test_appended_event_that_bypassed_the_head_is_named(events, capsys):
    last = AuditEvent.objects.get(seq=5)
    forged = AuditEvent(seq=6, created_at=last.created_at, actor_name="伪造", action="test.forged", prev_hash=last.hash)
    forged.hash = forged.compute_hash()
    forged.save()
    _assert_broken(6, "head", capsys)


def test_reordered_events_are_named(events, capsys):
    tamper("UPDATE audit_auditevent SET seq = -2 WHERE seq = 2")
    tamper("UPDATE audit_auditevent SET seq = 2 WHERE seq = 4")
    tamper("UPDATE audit_auditevent SET seq = 4 WHERE seq = -2")
    _assert_broken(2, "hash", capsys)


def test_whole_chain_rewrite_is_caught_by_the_signed_checkpoint(events, capsys):
    from oa.audit.signing import sign_chain_head

    assert sign_chain_head().seq == 5
    record("系统", "test.after_checkpoint", None)
    tamper("UPDATE audit_auditevent SET summary = %s WHERE seq = 2", ["被整体改写"])
    _rehash_from(2)
    report = verify_chain()
    assert report.problem.seq == 5 and report.problem.kinds == ["checkpoint"]
    _assert_broken(5, "checkpoint", capsys)


def test_forged_checkpoint_signature_is_caught(events, capsys):
    from oa.audit.signing import sign_chain_head

    sign_chain_head()
    tamper("UPDATE audit_auditevent SET summary = %s WHERE seq = 2", ["被整体改写"])
    _rehash_from(2)
    # The attacker also points the checkpoint at the rewritten hash — but cannot sign it.
    tamper("UPDATE audit_checkpoint SET hash = %s WHERE seq = 5", [AuditEvent.objects.get(seq=5).hash])
    _assert_broken(5, "checkpoint", capsys)
    assert "签名无效" in verify_chain().message


def test_truncated_chain_with_rewritten_head_is_caught_by_the_checkpoint(events, capsys):
    from oa.audit.signing import sign_chain_head

    sign_chain_head()
    tamper("DELETE FROM audit_auditevent WHERE seq >= 4")
    ChainHead.objects.filter(pk=1).update(last_seq=3, last_hash=AuditEvent.objects.get(seq=3).hash)
    _assert_broken(5, "checkpoint", capsys)


def test_verification_streams_in_chunks_and_reports_progress(events):
    seen = []
    report = verify_chain(lambda checked, total: seen.append((checked, total)), chunk_size=2)
    assert report.ok
    assert seen[0] == (2, 5) and seen[-1] == (5, 5)
