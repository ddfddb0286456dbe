"""格式检查: each rule with a good and a bad example, on a Document and on a RenderSpec."""

import datetime

import pytest

from documents import services
from documents.checker import check_date_text, check_doc_number, check_document, split_recipients
from documents.rendering.spec import RenderSpec

from .files import pdf_bytes, upload


def codes(findings):
    return {f.code for f in findings}


def messages(findings):
    return " ".join(f.message_zh for f in findings)


# --- 发文字号 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["阳府办〔2021〕7号", "粤府〔2020〕123号", "中共阳江市委办公室〔2021〕10号"])
def test_good_doc_numbers(number):
    assert check_doc_number(number) == []


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("阳府办[2021]7号", "六角括号"),
        ("阳府办(2021)7号", "六角括号"),
        ("阳府办（2021）7号", "六角括号"),
        ("阳府办〔21〕7号", "4位"),
        ("阳府办〔2021〕第7号", "不加“第”"),
        ("阳府办〔2021〕007号", "前导0"),
        ("阳府办〔2021〕7", "应加“号”"),
    ],
)
def test_wrong_doc_numbers_are_flagged_with_the_fix(number, problem):
    [finding] = check_doc_number(number)
    assert finding.severity == "error" and finding.field == "doc_number"
    assert problem in finding.message_zh
    assert "应为：阳府办〔2021〕7号" in finding.message_zh


def test_unreadable_doc_number():
    [finding] = check_doc_number("七号文")
    assert "机关代字〔年份〕序号号" in finding.message_zh


# --- 成文日期 ------------------------------------------------------------------------------------------------


def test_good_date():
    assert check_date_text("2021年9月10日", "written_date", "成文日期") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021年09月10日", "应为：2021年9月10日"),
        ("2021-9-10", "应为：2021年9月10日"),
        ("2021.09.10", "应为：2021年9月10日"),
        ("二〇二一年九月十日", "阿拉伯数字"),
        ("2021年2月30日", "不是有效的日期"),
        ("21年9月10日", "格式不正确"),
    ],
)
def test_wrong_dates(text, expected):
    [finding] = check_date_text(text, "written_date", "成文日期")
    assert expected in finding.message_zh


# --- rules on a document ----------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_a_complete_draft_has_no_findings(make_draft):
    assert check_document(make_draft()) == []


def test_title_must_end_with_its_doc_type(make_draft):
    findings = check_document(make_draft(title="阳江市人民政府关于做好防汛工作的意见"))
    assert "title.doc_type" in codes(findings) and "“通知”结尾" in messages(findings)
    assert "title.doc_type" not in codes(check_document(make_draft(title="关于做好防汛工作的通知")))


def test_order_title_may_end_with_ling(make_draft):
    assert "title.doc_type" not in codes(check_document(make_draft(doc_type="命令", title="阳江市人民政府令")))


def test_title_without_guanyu_is_advice(make_draft):
    findings = check_document(make_draft(title="做好防汛工作的通知"))
    assert [(f.code, f.severity) for f in findings] == [("title.guanyu", "warning")]


def test_title_with_another_issuer_is_advice(make_draft):
    findings = check_document(make_draft(title="揭阳市人民政府关于做好防汛工作的通知"))
    assert [(f.code, f.severity) for f in findings] == [("title.issuer", "warning")]


def test_joint_title_naming_both_issuers_is_fine(make_draft, org_tree):
    doc = make_draft(
        issuers=[org_tree.yj_gov, org_tree.yj_edu], title="阳江市人民政府 阳江市教育局关于做好防汛工作的通知"
    )
    assert check_document(doc) == []


def test_upward_document_needs_a_signer(make_draft, org_tree):
    request = dict(doc_type="请示", title="阳江市人民政府关于申请防汛资金的请示", main_units=[org_tree.gd_gov])
    findings = check_document(make_draft(**request))
    assert [(f.code, f.severity, f.field) for f in findings] == [("signers.missing", "error", "signers")]
    assert check_document(make_draft(**request, signers="吴市长")) == []


def test_request_has_exactly_one_main_recipient(make_draft, org_tree):
    findings = check_document(
        make_draft(
            doc_type="请示", title="关于申请资金的请示", signers="吴市长", main_units=[org_tree.gd_gov, org_tree.gd_edu]
        )
    )
    assert "request.one_recipient" in codes(findings) and "只能主送一个机关" in messages(findings)
    none = check_document(make_draft(doc_type="请示", title="关于申请资金的请示", main_units=[]))
    assert "request.one_recipient" in codes(none)


def test_recipients_split_respects_brackets():
    assert split_recipients("各县（市、区）人民政府，市府直属各单位") == ["各县（市、区）人民政府", "市府直属各单位"]


def test_attachment_note_must_match_the_files(make_draft, personas):
    doc = make_draft(attachment_note="1.防汛责任人名单\n2.值班表")
    assert "attachment_note.count" in codes(check_document(doc))  # two listed, none uploaded
    services.add_attachments(
        personas.yj_staff, doc, [upload("防汛责任人名单.pdf", pdf_bytes()), upload("值班表.pdf", pdf_bytes())]
    )
    assert check_document(doc) == []
    services.update_draft(personas.yj_staff, doc, {"attachment_note": "1.防汛责任人名单\n2.值班安排表"})
    findings = check_document(doc)
    assert [(f.code, f.severity) for f in findings] == [("attachment_note.name", "warning")]
    assert "第2项" in findings[0].message_zh


def test_files_without_a_note(make_draft, personas):
    doc = make_draft()
    services.add_attachments(personas.yj_staff, doc, [upload("名单.pdf", pdf_bytes())])
    assert "没有附件说明" in messages(check_document(doc))


def test_imprint_must_be_complete(make_draft):
    findings = check_document(make_draft(printer="", print_date=None))
    assert {("imprint.printer", "error"), ("imprint.print_date", "warning")} <= {(f.code, f.severity) for f in findings}


def test_missing_items_become_errors_once_numbered(make_draft, personas):
    doc = make_draft(written_date=None, print_date=None)
    assert {f.severity for f in check_document(doc)} == {"warning"}
    services.assign_number(personas.yj_clerk, doc, year=2025)
    doc.refresh_from_db()
    severities = {f.code: f.severity for f in check_document(doc)}
    assert severities == {"written_date.missing": "error", "imprint.print_date": "error"}


def test_doc_type_outside_the_15_on_a_spec():
    findings = check_document(
        RenderSpec(
            title="关于做好防汛工作的汇报",
            doc_number="阳府〔2021〕1号",
            date_text="2021年9月10日",
            printer="阳江市人民政府办公室",
            print_date_text="2021年9月10日",
            main_recipients="各区政府",
        )
    )
    assert codes(findings) == {"doc_type.invalid"}


def test_spec_from_another_system_is_checked_in_full():
    spec = RenderSpec(
        title="揭阳市人民政府关于申请资金的请示",
        doc_number="揭府[2021]第007号",
        upward=True,
        issuer_marks=("揭阳市人民政府",),
        main_recipients="广东省人民政府、广东省财政厅",
        date_text="2021年09月10日",
        printer="",
        print_date_text="2021年9月10日",
        attachments=("1.名单。",),
    )
    found = codes(check_document(spec))
    assert found == {
        "doc_number.form",
        "signers.missing",
        "request.one_recipient",
        "written_date.form",
        "imprint.printer",
        "attachment_note.punctuation",
    }


def test_seal_position_is_checked_on_the_rendered_pdf():
    from documents.checker import check_seal_position
    from documents.rendering.spec import RenderResult, SealSlot

    # body ends at 120 mm; 署名 at 150 mm and the date at 160 mm, where the seal should press
    pdf = _pdf_with_text_at([("body", 120.0), ("signature", 150.0), ("date", 160.0)])

    def slot(centre_y, x=60):
        return RenderResult(pdf=pdf, page_count=1, seal_slots=(SealSlot(1, x, centre_y, 42, "阳江市人民政府"),))

    assert check_seal_position(slot(121 + 7 + 21)) == []  # top 7 mm under the body, covering both lines
    assert [f.code for f in check_seal_position(slot(121 + 24 + 21))] == ["seal.gap"]
    assert [f.code for f in check_seal_position(slot(121 + 7 + 21, x=180))] == ["seal.not_on_signature"]
    alone = RenderResult(pdf=_pdf_with_text_at([]), page_count=1, seal_slots=(SealSlot(1, 150, 100, 42, "x"),))
    assert [f.code for f in check_seal_position(alone)] == ["seal.no_text_above"]
    missing = RenderResult(pdf=pdf, page_count=1, seal_slots=(SealSlot(3, 150, 100, 42, "x"),))
    assert [f.code for f in check_seal_position(missing)] == ["seal.page"]


def _pdf_with_text_at(lines):
    """A one-page A4 PDF with each text's baseline at the given distance (mm) from the top."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.setFont("Helvetica", 16)
    for text, top_mm in lines:
        c.drawString(40 * mm, A4[1] - top_mm * mm, text)
    c.showPage()
    c.save()
    return out.getvalue()


def test_checker_and_dates_are_independent_of_the_model(make_draft):
    doc = make_draft(written_date=datetime.date(2025, 1, 2))
    assert "written_date.form" not in codes(check_document(doc))


def test_letter_format_has_no_imprint_to_check(make_draft):
    doc = make_draft(doc_type="函", title="阳江市人民政府关于商请支持防汛工作的函", printer="", print_date=None)
    assert check_document(doc) == []


def test_order_number_is_a_ling_hao():
    spec = RenderSpec(format="order", title="阳江市人民政府令", doc_number="第12号", date_text="2021年9月10日",
                      printer="阳江市人民政府办公室", print_date_text="2021年9月10日")
    assert check_document(spec) == []
    assert "doc_number.form" in codes(check_document(RenderSpec(**{**spec.__dict__, "format": "general"})))
