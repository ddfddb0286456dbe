"""痕迹保留: every save is a version; the diff shows who inserted and deleted which characters, inside a
paragraph; any version can be restored (as a new version, audited)."""

import pytest

from documents import services
from documents.models import Attachment
from documents.versions import DELETE, EQUAL, INSERT, attributed_diff, changes_by_person, compare, text_diff
from oa.audit.models import AuditEvent

from .files import pdf_bytes, upload

pytestmark = pytest.mark.django_db

BODY = [
    {"kind": "paragraph", "text": "为做好今年防汛工作，现将有关事项通知如下。"},
    {"kind": "heading1", "text": "一、总体要求"},
    {"kind": "paragraph", "text": "各地要高度重视，压实责任。"},
]


def _with(body, index, text):
    changed = [dict(b) for b in body]
    changed[index]["text"] = text
    return changed


def test_each_save_is_a_version_with_author_and_snapshot(make_draft, personas):
    doc = make_draft(body=BODY)
    services.update_draft(personas.yj_clerk, doc, {"title": "关于做好防汛工作的通知"})
    services.update_draft(personas.yj_vice, doc, {"note": "联系人：王科员"})
    versions = list(doc.versions.order_by("number"))
    assert [(v.number, v.author) for v in versions] == [
        (1, personas.yj_staff),
        (2, personas.yj_clerk),
        (3, personas.yj_vice),
    ]
    assert versions[1].snapshot["title"] == "关于做好防汛工作的通知"
    assert versions[0].snapshot["title"] == "阳江市人民政府关于做好2025年防汛工作的通知"
    assert versions[2].snapshot["body"] == BODY[:1] + [{"kind": "heading1", "text": "一、总体要求"}] + BODY[2:]
    assert versions[2].note == "修改：附注"


def test_text_diff_aligns_blocks_then_characters():
    old = "第一段不变。\n各地要高度重视，压实责任。\n最后一段。"
    new = "第一段不变。\n各地要高度重视，切实压实责任。\n最后一段。"
    assert text_diff(old, new) == [
        (EQUAL, "第一段不变。\n各地要高度重视，"),
        (INSERT, "切实"),
        (EQUAL, "压实责任。\n最后一段。"),
    ]


def test_diff_between_neighbours_shows_char_level_insert_and_delete(make_draft, personas):
    doc = make_draft(body=BODY)
    services.update_draft(personas.yj_clerk, doc, {"body": _with(BODY, 2, "各地要高度重视，切实压实主体责任。")})
    services.update_draft(personas.yj_vice, doc, {"body": _with(BODY, 2, "各地要重视，切实压实主体责任。")})
    versions = list(doc.versions.order_by("number"))
    body = next(f for f in compare(versions[1:3]) if f.key == "body")
    changes = [(s.op, s.text, s.author) for s in body.segments if s.op != EQUAL]
    assert changes == [(DELETE, "高度", personas.yj_vice.pk)]


def test_diff_across_several_versions_attributes_each_change_to_its_author(make_draft, personas):
    doc = make_draft(body=BODY)
    services.update_draft(personas.yj_clerk, doc, {"body": _with(BODY, 2, "各地要高度重视，切实压实主体责任。")})
    services.update_draft(personas.yj_vice, doc, {"body": _with(BODY, 2, "各地要重视，切实压实主体责任。")})
    versions = list(doc.versions.order_by("number"))
    body = next(f for f in compare(versions) if f.key == "body")
    changes = [(s.op, s.text, s.author) for s in body.segments if s.op != EQUAL]
    assert changes == [
        (DELETE, "高度", personas.yj_vice.pk),
        (INSERT, "切实", personas.yj_clerk.pk),
        (INSERT, "主体", personas.yj_clerk.pk),
    ]
    # the unchanged paragraphs are not part of any change; the changed one is a single display line
    changed_lines = [line for line in body.lines if any(s.op for s in line)]
    assert len(changed_lines) == 1
    assert "".join(s.text for s in changed_lines[0] if s.op != DELETE) == "各地要重视，切实压实主体责任。"


def test_attributed_diff_places_deletions_before_replacements():
    segments = attributed_diff(["甲乙丙", "甲丁丙"], [None, 7])
    assert [(s.op, s.text, s.author) for s in segments] == [
        (EQUAL, "甲", None),
        (DELETE, "乙", 7),
        (INSERT, "丁", 7),
        (EQUAL, "丙", None),
    ]


def test_added_and_removed_blocks_show_as_whole_lines(make_draft, personas):
    doc = make_draft(body=BODY)
    services.update_draft(personas.yj_clerk, doc, {"body": BODY + [{"kind": "paragraph", "text": "特此通知。"}]})
    versions = list(doc.versions.order_by("number"))
    body = next(f for f in compare(versions) if f.key == "body")
    assert [(s.op, s.text) for s in body.lines[-1]] == [(INSERT, "特此通知。")]


def test_changes_by_person_lists_what_each_did(make_draft, personas):
    doc = make_draft(body=BODY)
    services.update_draft(personas.yj_clerk, doc, {"body": _with(BODY, 2, "各地要高度重视，切实压实责任。")})
    services.update_draft(personas.yj_vice, doc, {"title": "关于做好防汛工作的通知"})
    people = changes_by_person(list(doc.versions.order_by("number")))
    clerk, vice = people[personas.yj_clerk.pk], people[personas.yj_vice.pk]
    assert (clerk.inserted, clerk.deleted) == (2, 0)
    assert [c.field_label for c in clerk.changes] == ["正文"]
    assert [c.field_label for c in vice.changes] == ["标题"]
    assert vice.deleted == len("阳江市人民政府") + len("2025年")
    assert personas.yj_staff.pk not in people


def test_restore_brings_back_fields_body_and_attachments_as_a_new_version(make_draft, personas):
    doc = make_draft(body=BODY)
    services.add_attachments(personas.yj_staff, doc, [upload("名单.pdf", pdf_bytes())])  # v2
    attachment = Attachment.objects.get()
    services.update_draft(personas.yj_clerk, doc, {"title": "关于改坏了的通知", "body": BODY[:1]})  # v3
    services.remove_attachment(personas.yj_clerk, doc, attachment.pk)  # v4
    version = services.restore_version(personas.yj_staff, doc, 2)
    doc.refresh_from_db()
    assert version.number == 5 and version.note == "恢复为第2版"
    assert doc.title == "阳江市人民政府关于做好2025年防汛工作的通知"
    assert doc.body == BODY
    assert list(doc.active_attachments()) == [attachment]
    assert version.snapshot == {**doc.versions.get(number=2).snapshot, "doc_number": ""}
    event = AuditEvent.objects.get(action="documents.restore_version")
    assert "第2版" in event.summary and event.actor == personas.yj_staff


def test_restore_of_unknown_version_is_a_clear_error(make_draft, personas):
    from oa.core.errors import ServiceError

    doc = make_draft()
    with pytest.raises(ServiceError, match="没有找到该版本"):
        services.restore_version(personas.yj_staff, doc, 9)
