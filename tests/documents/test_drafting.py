"""The document model through the drafting services: every 格式要素, format and direction derived,
classified drafts refused everywhere, control characters refused, each refusal leaves nothing behind."""

import datetime

import pytest

from documents import services
from documents.forms import DocumentForm
from documents.models import Document, DocumentVersion, Format
from documents.render import to_render_spec
from oa.audit.models import AuditEvent
from oa.core.errors import ServiceError

pytestmark = pytest.mark.django_db


def test_draft_keeps_every_element_and_derives_format_and_direction(make_draft, personas, org_tree):
    doc = make_draft(
        copy_number="12",
        urgency="特急",
        signers="吴市长",
        note="联系人：王科员",
        cc_units=[org_tree.yj_edu],
        cc_text="市委办公室",
        attachment_note="1.防汛责任人名单\n2.值班表",
        main_recipients_text="各县（市、区）人民政府",
    )
    doc.refresh_from_db()
    assert doc.copy_number == "000012"
    assert doc.owner_unit == org_tree.yj_gov and doc.drafter == personas.yj_staff
    assert doc.ordered_issuers() == [org_tree.yj_gov]  # lead issuer defaults to the drafter's unit
    assert doc.addressee_units("main") == [org_tree.jc_gov]
    assert doc.addressee_units("cc") == [org_tree.yj_edu]
    assert doc.format == Format.GENERAL
    assert doc.direction == "down"  # 市政府 → 区政府
    assert doc.body[1] == {"kind": "heading1", "text": "一、总体要求"}  # numbering prefix inserted
    assert doc.get_status_display() == "拟稿中"
    assert DocumentVersion.objects.filter(document=doc).count() == 1
    assert AuditEvent.objects.filter(action="documents.create_draft", object_id=str(doc.pk)).exists()


@pytest.mark.parametrize(
    ("doc_type", "fmt"),
    [("函", "letter"), ("命令", "order"), ("纪要", "minutes"), ("通知", "general"), ("请示", "general")],
)
def test_format_follows_doc_type(make_draft, doc_type, fmt):
    assert make_draft(doc_type=doc_type).format == fmt


def test_direction_upward_to_superior_and_parallel_to_peer(make_draft, personas, org_tree):
    up = make_draft(doc_type="请示", main_units=[org_tree.gd_gov], title="关于申请防汛资金的请示")
    assert up.direction == "up"
    peer = make_draft(doc_type="函", main_units=[org_tree.jy_gov], title="关于商请支持的函")
    assert peer.direction == "parallel"
    # 业务上级 (双重领导) counts as a superior too
    edu_staff = personas.yj_staff.__class__.objects.create(username="edu1", name="教育局科员", unit=org_tree.yj_edu)
    report = services.create_draft(
        edu_staff, {"doc_type": "报告", "title": "关于教育工作的报告", "main_units": [org_tree.gd_edu]}
    )
    assert report.direction == "up"
    # free-text 主送 only: the 文种 decides
    assert make_draft(doc_type="请示", main_units=[], main_recipients_text="市委").direction == "up"


def test_joint_issuance_keeps_order_and_only_same_level(make_draft, org_tree):
    doc = make_draft(issuers=[org_tree.yj_gov, org_tree.yj_edu])
    assert doc.ordered_issuers() == [org_tree.yj_gov, org_tree.yj_edu]
    doc2 = make_draft(issuers=[org_tree.yj_edu, org_tree.yj_gov])
    assert doc2.ordered_issuers() == [org_tree.yj_edu, org_tree.yj_gov]
    with pytest.raises(ServiceError, match="同级"):
        make_draft(issuers=[org_tree.yj_gov, org_tree.jc_gov])  # a county government is not the same level


@pytest.mark.parametrize("level", ["绝密", "机密", "秘密"])
def test_classified_draft_refused_by_service_with_nothing_saved(make_draft, level):
    with pytest.raises(ServiceError) as caught:
        make_draft(secrecy=level)
    assert "涉密网络" in caught.value.message and level in caught.value.message
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()


def test_classified_mark_in_title_refused(make_draft):
    with pytest.raises(ServiceError, match="涉密网络"):
        make_draft(title="机密★1年 关于某事项的通知")


def test_classified_refused_on_update_too(make_draft, personas):
    doc = make_draft()
    with pytest.raises(ServiceError, match="涉密网络"):
        services.update_draft(personas.yj_staff, doc, {"secrecy": "秘密"})
    doc.refresh_from_db()
    assert doc.secrecy == "" and doc.versions.count() == 1


def test_classified_refused_by_form(org_tree):
    form = DocumentForm(
        data={
            "doc_type": "通知",
            "secrecy": "机密",
            "title": "关于X的通知",
            "issuers": [org_tree.yj_gov.pk],
            "publicity": "主动公开",
        },
        unit=org_tree.yj_gov,
    )
    assert not form.is_valid()
    assert "涉密网络" in form.errors["secrecy"][0]


def test_database_refuses_classified_even_without_the_service(make_draft):
    from django.db import IntegrityError, transaction

    doc = make_draft()
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=doc.pk).update(secrecy="机密")


def test_control_characters_in_body_refused_with_their_place(make_draft):
    with pytest.raises(ServiceError) as caught:
        make_draft(body=[{"kind": "paragraph", "text": "正常"}, {"kind": "paragraph", "text": "响铃\x07字符"}])
    assert "正文第2段" in caught.value.message and "U+0007" in caught.value.message
    assert not Document.objects.exists()


def test_control_characters_in_title_refused(make_draft):
    with pytest.raises(ServiceError, match="标题.*U+001B".replace("+", r"\+")):
        make_draft(title="关于\x1b的通知")


def test_bidi_override_refused(make_draft):
    with pytest.raises(ServiceError, match="U\\+202E"):
        make_draft(title="关于\u202e的通知")


def test_line_break_in_block_starts_a_new_paragraph(make_draft):
    doc = make_draft(body=[{"kind": "paragraph", "text": "第一段\n第二段\r\n\r\n第三段"}])
    assert [b["text"] for b in doc.body] == ["第一段", "第二段", "第三段"]


def test_unknown_block_kind_refused(make_draft):
    with pytest.raises(ServiceError, match="正文第1段的类型不正确"):
        make_draft(body=[{"kind": "script", "text": "x"}])


def test_only_the_unit_edits_and_outsiders_are_refused(make_draft, personas):
    doc = make_draft()
    with pytest.raises(ServiceError):
        services.update_draft(personas.jy_staff, doc, {"title": "关于他人修改的通知"})
    _, version = services.update_draft(personas.yj_clerk, doc, {"title": "关于做好防汛工作的通知"})
    assert version.number == 2 and version.author == personas.yj_clerk


def test_stale_editor_cannot_overwrite_a_newer_version(make_draft, personas):
    doc = make_draft()
    services.update_draft(personas.yj_clerk, doc, {"note": "先保存"}, base_version=1)
    with pytest.raises(ServiceError, match="第2版"):
        services.update_draft(personas.yj_staff, doc, {"note": "后保存"}, base_version=1)
    doc.refresh_from_db()
    assert doc.note == "先保存"


def test_saving_without_change_makes_no_version(make_draft, personas):
    doc = make_draft()
    _, version = services.update_draft(personas.yj_staff, doc, {"title": doc.title})
    assert version is None and doc.versions.count() == 1


def test_render_spec_carries_the_elements(make_draft, org_tree, personas):
    from documents.models import UnitTemplate

    UnitTemplate.objects.create(unit=org_tree.yj_gov, issuer_mark="阳江市人民政府办公室", issuer_mark_suffix="文件")
    doc = make_draft(
        issuers=[org_tree.yj_gov, org_tree.yj_edu],
        urgency="加急",
        attachment_note="1.名单\n2.值班表",
        cc_units=[org_tree.yj_edu],
        cc_text="市委办公室",
        note="（联系人：王科员）",
        signers="",
    )
    spec = to_render_spec(doc, watermark="王科员 2025-05-06 10:00")
    assert spec.format == "general" and spec.urgency == "加急"
    assert spec.issuer_marks == ("阳江市人民政府办公室", "阳江市教育局")
    assert spec.issuer_mark_suffix == "文件"
    assert spec.title == doc.title and spec.main_recipients == "江城区人民政府"
    assert spec.body[1].kind == "heading1" and spec.body[1].text == "一、总体要求"
    assert spec.attachments == ("名单", "值班表")
    assert spec.signatures == ("阳江市人民政府", "阳江市教育局")
    assert spec.date_text == "2025年5月6日" and spec.print_date_text == "2025年5月7日"
    assert spec.cc == "阳江市教育局，市委办公室" and spec.note == "联系人：王科员"
    assert spec.watermark == "王科员 2025-05-06 10:00" and not spec.upward
    letter = make_draft(doc_type="函", title="关于商请支持的函", written_date=datetime.date(2025, 1, 2))
    assert to_render_spec(letter).format == "letter" and to_render_spec(letter).issuer_mark_suffix == ""
