"""Recompute the hash chain and check the signed checkpoints.

Detects, and names the first broken event for:
* an edited event — its recomputed hash differs (``hash``);
* an edited event whose hash was recomputed — the next event's ``prev_hash`` no longer links (``link``);
* a deleted event — a gap in the sequence (``gap``);
* an inserted or reordered event — the sequence number is part of the hash, so moving rows breaks hashes and
  links;
* a deleted or appended tail — the chain head disagrees with the last event (``head``);
* the whole chain rewritten consistently (every hash recomputed) — the recomputed hash at a signed
  checkpoint's sequence number differs from the signed one, or the checkpoint signature is invalid
  (``checkpoint``).

Streams rows with ``values_list(...).iterator(chunk_size=...)``: constant memory on millions of events.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from oa.audit.models import GENESIS_HASH, HASHED_FIELDS, AuditEvent, ChainHead, Checkpoint, chain_hash

CHUNK_SIZE = 5000

KIND_LABELS = {
    "hash": "哈希值不符（内容被修改）",
    "link": "前序哈希链接断开",
    "gap": "序号不连续（有记录被删除或插入）",
    "head": "与链头记录不符",
    "checkpoint": "与签名点不符",
}


@dataclass
class Problem:
    seq: int
    kinds: list[str]
    detail: str

    @property
    def label(self) -> str:
        return "；".join(KIND_LABELS[k] for k in self.kinds)


@dataclass
class Report:
    total: int = 0
    checked: int = 0
    checkpoints_checked: int = 0
    last_checkpoint_seq: int | None = None
    problem: Problem | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def message(self) -> str:
        if self.problem is None:
            text = f"审计链完整，共 {self.checked} 条"
            if self.checkpoints_checked:
                text += f"，已核验 {self.checkpoints_checked} 个签名点（最近：第 {self.last_checkpoint_seq} 条）"
            return text
        return f"审计链已被破坏：第 {self.problem.seq} 条，{self.problem.label}。{self.problem.detail}"


def _rows(after_seq: int, upto_seq: int, chunk_size: int) -> Iterator[tuple]:
    return (
        AuditEvent.objects.filter(seq__gt=after_seq, seq__lte=upto_seq)
        .order_by("seq")
        .values_list("seq", "prev_hash", "hash", *HASHED_FIELDS)
        .iterator(chunk_size=chunk_size)
    )


def _walk(
    after_seq: int,
    after_hash: str,
    upto_seq: int,
    *,
    checkpoints: dict[int, tuple[str, bool]] | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> tuple[int, str, int, Problem | None]:
    """Walk events after_seq+1 … upto_seq. Returns (last seq, last hash, events checked, first problem)."""
    checkpoints = checkpoints or {}
    expected_seq, last_hash, checked = after_seq + 1, after_hash, 0
    for row in _rows(after_seq, upto_seq, chunk_size):
        seq, prev_hash, stored_hash = row[0], row[1], row[2]
        kinds, details = [], []
        if seq != expected_seq:
            kinds.append("gap")
            missing = f"第 {expected_seq} 条" if seq == expected_seq + 1 else f"第 {expected_seq}～{seq - 1} 条"
            details.append(f"缺少{missing}，下一条为第 {seq} 条。")
            problem_seq = expected_seq
        else:
            problem_seq = seq
        if prev_hash != last_hash:
            kinds.append("link")
            details.append(f"记录的前序哈希 {prev_hash[:12]}… 与前一条的哈希 {last_hash[:12]}… 不一致。")
        recomputed = chain_hash(prev_hash, dict(zip(HASHED_FIELDS, row[3:], strict=True)))
        if recomputed != stored_hash:
            kinds.append("hash")
            details.append(f"重新计算的哈希 {recomputed[:12]}… 与记录的 {stored_hash[:12]}… 不一致。")
        if not kinds and seq in checkpoints:
            signed_hash, signature_ok = checkpoints[seq]
            if not signature_ok:
                kinds.append("checkpoint")
                details.append("签名点的签名无效（签名点被伪造或篡改）。")
            elif signed_hash != stored_hash:
                kinds.append("checkpoint")
                details.append("重新计算的链在此处的哈希与已签名的哈希不同：此前的记录被整体改写。")
        if kinds:
            return seq, stored_hash, checked, Problem(problem_seq, kinds, "".join(details))
        expected_seq, last_hash = seq + 1, stored_hash
        checked += 1
        if progress is not None and checked % chunk_size == 0:
            progress(checked)
    return expected_seq - 1, last_hash, checked, None


def verify_segment(*, after_seq: int, after_hash: str, upto_seq: int, expected_hash: str) -> Problem | None:
    """Check the events after a trusted point up to the head (used before signing a new checkpoint)."""
    last_seq, last_hash, _, problem = _walk(after_seq, after_hash, upto_seq)
    if problem is not None:
        return problem
    if last_seq != upto_seq or last_hash != expected_hash:
        return Problem(upto_seq, ["head"], f"链头为第 {upto_seq} 条，但链只到第 {last_seq} 条或哈希不同。")
    return None


def verify_chain(
    progress: Callable[[int, int], None] | None = None, *, chunk_size: int = CHUNK_SIZE, public_key=None
) -> Report:
    """Verify the whole chain and every checkpoint. ``progress(checked, total)`` is called per chunk."""
    from oa.audit.signing import SigningKeyMissing, load_private_key, signature_valid

    head = ChainHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first() or (0, GENESIS_HASH)
    head_seq, head_hash = head
    report = Report(total=head_seq)

    checkpoint_rows = list(Checkpoint.objects.order_by("seq"))
    checkpoints: dict[int, tuple[str, bool]] = {}
    if checkpoint_rows:
        if public_key is None:
            try:
                public_key = load_private_key(create=False).public_key()
            except SigningKeyMissing as exc:
                report.problem = Problem(checkpoint_rows[0].seq, ["checkpoint"], f"{exc}，无法核验签名点。")
                return report
        for cp in checkpoint_rows:
            checkpoints[cp.seq] = (cp.hash, signature_valid(cp, public_key))

    def chunk_progress(checked: int) -> None:
        if progress is not None:
            progress(checked, head_seq)

    last_seq, last_hash, report.checked, problem = _walk(
        0, GENESIS_HASH, head_seq, checkpoints=checkpoints, progress=chunk_progress, chunk_size=chunk_size
    )
    if problem is None:
        problem = _head_problem(head_seq, head_hash, last_seq, last_hash)
    if problem is None:
        beyond = [seq for seq in checkpoints if seq > last_seq]
        if beyond:
            problem = Problem(min(beyond), ["checkpoint"], f"签名点指向第 {min(beyond)} 条，但链只到第 {last_seq} 条。")
    report.problem = problem
    if problem is None:
        report.checkpoints_checked = len(checkpoints)
        report.last_checkpoint_seq = max(checkpoints) if checkpoints else None
    if progress is not None:
        progress(report.checked, head_seq)
    return report


def _head_problem(head_seq: int, head_hash: str, last_seq: int, last_hash: str) -> Problem | None:
    if last_seq < head_seq:
        return Problem(last_seq + 1, ["head"], f"链头记录共 {head_seq} 条，但第 {last_seq + 1} 条起的记录不存在。")
    if last_hash != head_hash:
        return Problem(head_seq, ["head"], "最后一条记录的哈希与链头记录的哈希不同。")
    # Events past the head that a writer did not commit through record(): forged or a broken append.
    # Re-read the head: events appended while we were verifying are legitimate.
    current_head = ChainHead.objects.filter(pk=1).values_list("last_seq", flat=True).first() or 0
    stray = AuditEvent.objects.filter(seq__gt=max(head_seq, current_head)).order_by("seq").values_list("seq", flat=True)
    first_stray = stray.first()
    if first_stray is not None:
        return Problem(first_stray, ["head"], f"链头之后还有未登记的记录（第 {first_stray} 条起）。")
    return None
