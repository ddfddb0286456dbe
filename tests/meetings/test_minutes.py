"""纪要 prefilled from the meeting; decisions become 督办 items linked back to the meeting."""

from datetime import date

import pytest

from documents.models import Document
from meetings import services
from meetings.models import Role
from oa.core.errors import PermissionDeniedError, ServiceError
from oa.supervision.models import Item
from tests.meetings.conftest import client_for


def _texts(document) -> list[str]:
    return [block.get("text", "") for block in document.body]


def test_minutes_draft_is_prefilled(mt, invited):
    services.invite_people(mt.organiser, invited, [mt.clerk], role=Role.OBSERVE)
    services.answer(mt.vice, invited, "leave", reason="出差")
    services.answer(mt.staff, invited, "attend")
    services.add_decision(mt.organiser, invited, "各县（市、区）于12月底前完成隐患排查")
    document = services.draft_minutes(mt.organiser, invited)
    assert document.doc_type == "纪要" and document.format == "minutes"
    assert document.title == "全市安全生产工作会议纪要"
    texts = _texts(document)
    assert "出席：王科员" in texts and "列席：周收发" in texts and "请假：郑副市长" in texts
    assert any("通报第三季度安全生产情况（王科员汇报）" in t for t in texts)
    assert any("部署冬春火灾防控工作（市应急局汇报）" in t for t in texts)
    assert "1. 各县（市、区）于12月底前完成隐患排查" in texts
    invited.refresh_from_db()
    assert invited.minutes_document == document
    with pytest.raises(ServiceError, match="已起草纪要"):
        services.draft_minutes(mt.organiser, invited)
    with pytest.raises(PermissionDeniedError):
        services.draft_minutes(mt.staff, invited)


def test_minutes_page_action_redirects_to_the_draft(mt, invited):
    response = client_for(mt.organiser).post(f"/meetings/{invited.pk}/minutes/")
    document = Document.objects.get(doc_type="纪要")
    assert response.status_code == 302 and response["Location"] == f"/documents/{document.pk}/"


def test_decision_becomes_a_supervision_item_linked_to_the_meeting(mt, invited):
    decision = services.add_decision(mt.organiser, invited, "市教育局牵头开展校园安全专项检查")
    item = services.decision_to_supervision(
        mt.organiser, decision, lead_unit=mt.org.yj_edu, cooperating_units=[mt.org.jc_gov], deadline=date(2030, 12, 31)
    )
    assert item.source_kind == "meeting"
    assert item.source_ref == f"meetings.meeting:{invited.pk}"
    assert item.source_url == f"/meetings/{invited.pk}/"
    assert item.lead_unit == mt.org.yj_edu
    decision.refresh_from_db()
    assert decision.supervision_item == item
    with pytest.raises(ServiceError, match="已转督办"):
        services.decision_to_supervision(mt.organiser, decision, lead_unit=mt.org.yj_edu, deadline=date(2030, 12, 31))
    assert Item.objects.count() == 1


def test_decision_page_action(mt, invited):
    decision = services.add_decision(mt.organiser, invited, "做好防寒保暖")
    client = client_for(mt.organiser)
    client.post(
        f"/meetings/{invited.pk}/decisions/{decision.pk}/supervise/",
        {"lead_unit": mt.org.jc_gov.pk, "deadline": "2030-12-31"},
    )
    decision.refresh_from_db()
    assert decision.supervision_item is not None
    page = client.get(f"/meetings/{invited.pk}/").content.decode()
    assert f"/supervision/items/{decision.supervision_item.pk}/" in page or "已转督办" in page
