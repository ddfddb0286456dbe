"""验章: verify every signature of a PDF and give a verdict a clerk understands.

The verdict is stricter than pyHanko's bottom line:

- every signature intact, cryptographically valid, chained to a trusted root and not revoked;
- the last signature covers the entire file (bytes appended after it are reported);
- an earlier signature allows no change except the later signatures themselves (pyHanko calls a new
  empty signature field "form filling"; here it is a change);
- no signature field is left unsigned, no signature dictionary is hidden from the form;
- when the caller knows how many seals there must be (one per issuer), the count matches.

Any exception inside validation rejects the file with a stable error code. Bad input (not a PDF, encrypted,
too large, unreadable) raises ``VerificationInputError`` with its own code, never a 500.
"""

import io
import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from signing import ca, conf, keystore
from signing.models import Certificate, CertKind

logger = logging.getLogger(__name__)


class Verdict:
    OK = "ok"
    TAMPERED = "tampered"
    UNTRUSTED = "untrusted"
    MISSING = "missing"


VERDICT_LABELS = {
    Verdict.OK: "完好",
    Verdict.TAMPERED: "已被篡改",
    Verdict.UNTRUSTED: "印章不受信任",
    Verdict.MISSING: "缺少印章",
}

# Stable problem codes (API clients rely on them) → (verdict they lead to, message for the clerk).
PROBLEMS = {
    "digest_mismatch": (Verdict.TAMPERED, "盖章后，文件中受保护的内容被改动过。"),
    "signature_invalid": (Verdict.TAMPERED, "签名数据已损坏或与证书不符。"),
    "modified_after_signing": (Verdict.TAMPERED, "盖章后文件被修改过（{detail}）。"),
    "bytes_appended": (Verdict.TAMPERED, "最后一枚印章之后，文件末尾被追加了内容。"),
    "partial_coverage": (Verdict.TAMPERED, "签名只覆盖了文件的一部分（签名范围被改动）。"),
    "docmdp_violation": (Verdict.TAMPERED, "文件已锁定，之后却又被修改。"),
    "timestamp_invalid": (Verdict.TAMPERED, "时间戳已损坏。"),
    "validation_error": (Verdict.TAMPERED, "无法校验该签名（签名数据异常），按篡改处理。"),
    "unsigned_field": (Verdict.TAMPERED, "文件中有未签名的空白签名域（可能用于遮盖正文）。"),
    "signature_removed": (Verdict.TAMPERED, "文件中有签名被移除的痕迹。"),
    "untrusted_chain": (Verdict.UNTRUSTED, "印章证书不是由本平台信任的证书机构签发。"),
    "revoked": (Verdict.UNTRUSTED, "印章证书已被吊销。"),
    "certificate_problem": (Verdict.UNTRUSTED, "印章证书无效（过期或用途不符）。"),
    "no_seals": (Verdict.MISSING, "文件中没有电子印章。"),
    "too_few_seals": (Verdict.MISSING, "印章数量少于发文机关数量：应有 {expected} 枚，实有 {found} 枚。"),
    "too_many_seals": (Verdict.TAMPERED, "印章数量多于发文机关数量：应有 {expected} 枚，实有 {found} 枚。"),
}
_SEVERITY = {Verdict.TAMPERED: 3, Verdict.UNTRUSTED: 2, Verdict.MISSING: 1, Verdict.OK: 0}


class VerificationInputError(Exception):
    """The upload cannot be verified at all. ``code`` is stable; ``message`` is for the user."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Problem:
    code: str
    message: str


@dataclass
class SignatureReport:
    index: int
    field_name: str
    kind: str  # "seal" | "personal" | "timestamp" | "unknown"
    seal_name: str = ""
    unit_name: str = ""
    signer_name: str = ""
    subject: str = ""
    issuer: str = ""
    signing_time: datetime | None = None
    timestamped: bool = False
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    revoked: bool = False
    covers_whole_file: bool = False
    changes_after: str = ""
    verdict: str = Verdict.TAMPERED
    problems: list[Problem] = field(default_factory=list)

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def summary(self) -> str:
        if not self.problems:
            return "完好：印章有效，" + (
                "盖章后文件未被改动。" if self.changes_after == "无" else f"盖章后{self.changes_after}。"
            )
        return "；".join(p.message for p in self.problems)


@dataclass
class VerificationReport:
    verdict: str
    signatures: list[SignatureReport]
    problems: list[Problem]
    expected_seals: int | None = None

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def ok(self) -> bool:
        return self.verdict == Verdict.OK

    @property
    def seal_count(self) -> int:
        return sum(1 for s in self.signatures if s.kind != "timestamp")

    @property
    def summary(self) -> str:
        if self.ok:
            return f"完好：共 {self.seal_count} 枚印章，全部有效，盖章后文件未被改动。"
        return f"{self.verdict_label}：" + "；".join(dict.fromkeys(p.message for p in self.all_problems))

    @property
    def all_problems(self) -> list[Problem]:
        return self.problems + [p for s in self.signatures for p in s.problems]

    def as_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "verdict_label": self.verdict_label,
            "summary": self.summary,
            "seal_count": self.seal_count,
            "expected_seals": self.expected_seals,
            "problems": [asdict(p) for p in self.problems],
            "signatures": [
                {**asdict(s), "verdict_label": s.verdict_label, "summary": s.summary} for s in self.signatures
            ],
        }


def _problem(code: str, **fmt) -> Problem:
    return Problem(code, PROBLEMS[code][1].format(**fmt) if fmt else PROBLEMS[code][1].replace("（{detail}）", ""))


def _worst(problems: list[Problem]) -> str:
    verdict = Verdict.OK
    for p in problems:
        candidate = PROBLEMS[p.code][0]
        if _SEVERITY[candidate] > _SEVERITY[verdict]:
            verdict = candidate
    return verdict


# --- input checks ----------------------------------------------------------------------------------------


def _open(data: bytes) -> PdfFileReader:
    if not data:
        raise VerificationInputError("file_empty", "请选择要验证的 PDF 文件。")
    if len(data) > conf.verify_max_bytes():
        limit = conf.verify_max_bytes() // (1024 * 1024)
        raise VerificationInputError("file_too_large", f"文件太大，验章最多接受 {limit} MB 的 PDF。")
    if b"%PDF-" not in data[:1024]:
        raise VerificationInputError("file_not_pdf", "这不是 PDF 文件。请上传盖有电子印章的 PDF 文件。")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        encrypted = "/Encrypt" in reader.trailer
    except Exception as exc:
        raise VerificationInputError("file_malformed", "PDF 文件已损坏，无法读取。") from exc
    if encrypted:
        raise VerificationInputError("file_encrypted", "PDF 文件已加密，无法验章。请上传未加密的文件。")
    try:
        reader.root["/Pages"]  # noqa: B018 - forces the document structure to be read
    except Exception as exc:
        raise VerificationInputError("file_malformed", "PDF 文件已损坏，无法读取。") from exc
    return reader


def validation_context() -> ValidationContext:
    """Trust: our root(s) and roots an administrator trusted; revocation: the CRLs we publish, now."""
    return ValidationContext(
        trust_roots=ca.trust_anchors(),
        other_certs=ca.intermediate_certs(),
        crls=ca.current_crls(),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


# --- the verification -----------------------------------------------------------------------------------


def verify_pdf(data: bytes, *, expected_seals: int | None = None) -> VerificationReport:
    reader = _open(data)
    embedded = _embedded_signatures(reader)
    context = validation_context()
    reports = []
    for index, (name, sig) in enumerate(embedded):
        later_fields = {n for n, _ in embedded[index + 1 :]}
        is_last = index == len(embedded) - 1
        if sig is None:  # a signature pyHanko cannot even parse (zeroed or garbled contents)
            report = SignatureReport(index=index + 1, field_name=name, kind="unknown")
            report.problems.append(_problem("validation_error"))
            reports.append(report)
            continue
        reports.append(_verify_one(sig, index + 1, context, later_fields, is_last))

    problems = _document_problems(reader, data, embedded, expected_seals, reports)
    verdict = _worst(problems + [p for r in reports for p in r.problems])
    return VerificationReport(verdict=verdict, signatures=reports, problems=problems, expected_seals=expected_seals)


def _embedded_signatures(reader) -> list[tuple[str, object]]:
    """(field name, EmbeddedPdfSignature or None when unparseable), in signing order."""
    try:
        filled = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception:
        logger.info("verification: cannot enumerate signature fields", exc_info=True)
        raise VerificationInputError("file_malformed", "PDF 文件的签名结构已损坏，无法读取。") from None
    entries = []
    for position, (name, _sig_obj, sig_field) in enumerate(filled):
        try:
            sig = EmbeddedPdfSignature(reader, sig_field, name)
            order = sig.signed_revision
        except Exception:
            logger.info("verification: signature %s cannot be parsed", name, exc_info=True)
            sig, order = None, 10**6 + position
        entries.append((order, str(name or ""), sig))
    entries.sort(key=lambda e: e[0])
    return [(name, sig) for _, name, sig in entries]


def _document_problems(reader, data, embedded, expected_seals, reports) -> list[Problem]:
    problems = []
    try:
        if any(True for _ in enumerate_sig_fields(reader, filled_status=False)):
            problems.append(_problem("unsigned_field"))
    except Exception:
        problems.append(_problem("validation_error"))
    # A signature dictionary that the form no longer lists: a signature was removed by a later update.
    if len(re.findall(rb"/ByteRange\s*\[", data)) > len(embedded):
        problems.append(_problem("signature_removed"))
    seals = sum(1 for r in reports if r.kind != "timestamp")
    if seals == 0:
        problems.append(_problem("no_seals"))
    elif expected_seals is not None and seals < expected_seals:
        problems.append(_problem("too_few_seals", expected=expected_seals, found=seals))
    elif expected_seals is not None and seals > expected_seals:
        problems.append(_problem("too_many_seals", expected=expected_seals, found=seals))
    return problems


def _verify_one(sig, index: int, context, later_fields: set[str], is_last: bool) -> SignatureReport:
    report = SignatureReport(index=index, field_name=str(sig.field_name or ""), kind="unknown")
    try:
        if sig.sig_object_type == "/DocTimeStamp":
            report.kind = "timestamp"
            status = validate_pdf_timestamp(sig, validation_context=context)
        else:
            status = validate_pdf_signature(sig, signer_validation_context=context)
    except Exception:
        logger.info("verification: signature %s raised", index, exc_info=True)
        report.problems.append(_problem("validation_error"))
        report.verdict = Verdict.TAMPERED
        return report

    _describe_signer(report, status.signing_cert)
    report.intact, report.valid = bool(status.intact), bool(status.valid)
    report.trusted, report.revoked = bool(status.trusted), bool(status.revoked)
    ts = getattr(status, "timestamp_validity", None)
    report.timestamped = ts is not None
    report.signing_time = (
        (ts.timestamp if ts is not None else None)
        or getattr(status, "signer_reported_dt", None)
        or getattr(status, "timestamp", None)
    )
    report.covers_whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE

    if not report.intact:
        report.problems.append(_problem("digest_mismatch"))
    elif not report.valid:
        report.problems.append(_problem("signature_invalid"))
    if ts is not None and not (ts.intact and ts.valid):
        report.problems.append(_problem("timestamp_invalid"))
    if report.revoked:
        report.problems.append(_problem("revoked"))
    elif not report.trusted:
        code = "untrusted_chain" if _no_path(status) else "certificate_problem"
        report.problems.append(_problem(code))

    _check_changes(report, status, later_fields, is_last)
    report.verdict = _worst(report.problems)
    return report


def _no_path(status) -> bool:
    indic = getattr(status, "trust_problem_indic", None)
    return indic is None or "NO_CERTIFICATE_CHAIN_FOUND" in str(indic) or "CHAIN_CONSTRAINTS" in str(indic)


def _check_changes(report: SignatureReport, status, later_fields: set[str], is_last: bool) -> None:
    coverage = status.coverage
    if coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION):
        report.problems.append(_problem("partial_coverage"))
        report.changes_after = "签名范围异常"
        return
    diff = getattr(status, "diff_result", None)
    if is_last:
        if coverage != SignatureCoverageLevel.ENTIRE_FILE:
            level = diff.modification_level if isinstance(diff, DiffResult) else ModificationLevel.OTHER
            if level == ModificationLevel.NONE:
                report.problems.append(_problem("bytes_appended"))
                report.changes_after = "文件末尾被追加了内容"
            else:
                report.problems.append(_problem("modified_after_signing", detail=_level_words(level)))
                report.changes_after = _level_words(level)
            return
        report.changes_after = "无"
        return
    if not isinstance(diff, DiffResult):
        report.problems.append(_problem("modified_after_signing", detail="出现无法解释的改动"))
        report.changes_after = "出现无法解释的改动"
        return
    level = diff.modification_level
    extra_fields = set(diff.changed_form_fields) - later_fields
    if level > ModificationLevel.FORM_FILLING or extra_fields:
        detail = _level_words(level) if level > ModificationLevel.FORM_FILLING else "表单内容被改动"
        report.problems.append(_problem("modified_after_signing", detail=detail))
        report.changes_after = detail
    elif status.docmdp_ok is False:
        report.problems.append(_problem("docmdp_violation"))
        report.changes_after = "违反锁定"
    else:
        report.changes_after = "只加盖了后续印章" if level >= ModificationLevel.FORM_FILLING else "无"


def _level_words(level) -> str:
    return {
        ModificationLevel.NONE: "无",
        ModificationLevel.LTA_UPDATES: "追加了验证数据",
        ModificationLevel.FORM_FILLING: "填写了表单或新增签名域",
        ModificationLevel.ANNOTATIONS: "添加了批注",
    }.get(level, "正文、页面或批注被改动")


def _describe_signer(report: SignatureReport, cert) -> None:
    if cert is None:
        return
    report.subject = cert.subject.human_friendly
    report.issuer = cert.issuer.human_friendly
    names = cert.subject.native
    report.signer_name = names.get("common_name", "")
    record = (
        Certificate.objects.filter(fingerprint=keystore.fingerprint(cert.dump()))
        .select_related("unit", "person")
        .first()
    )
    if report.kind == "timestamp":
        return
    if record is None:
        report.unit_name = names.get("organization_name", "")
        report.kind = "unknown"
        return
    report.unit_name = record.unit.name if record.unit_id else names.get("organization_name", "")
    if record.kind == CertKind.PERSONAL:
        report.kind = "personal"
        report.signer_name = record.person.get_full_name() if record.person_id else report.signer_name
    else:
        report.kind = "seal"
        seal = record.seals.order_by("-is_active", "id").first()
        report.seal_name = seal.name if seal else report.signer_name


def now() -> datetime:
    return timezone.now()
