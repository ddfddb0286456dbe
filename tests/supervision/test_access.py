"""Who sees what, through the page, the API, the board, attachments and exports (nobody else: 404)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oa.supervision import services
from oa.supervision.models import Attachment
from tests.supervision.conftest import at, client_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def item(sv, raise_for):
    with at(2026, 9, 1):
        item = raise_for(cooperating_units=[sv.tree.jc_gov])
        services.sign_item(sv.edu_clerk, item)
        services.report_progress(sv.edu_staff, item, text="进展", attachments=[SimpleUploadedFile("a.pdf", PDF)])
    return item


@pytest.mark.parametrize("who", ["edu_staff", "edu_clerk", "jc_clerk", "sup", "mayor"])
def test_involved_people_see_the_item(sv, item, who):
    client = client_for(getattr(sv, who))
    page = client.get(f"/supervision/items/{item.pk}/")
    assert page.status_code == 200 and item.title in page.content.decode()
    assert client.get(f"/api/supervision/items/{item.pk}/").json()["title"] == item.title
    board = client.get("/supervision/")
    assert f'data-item="{item.pk}"' in board.content.decode()
    attachment = Attachment.objects.get()
    assert client.get(f"/supervision/attachments/{attachment.pk}/").status_code == 200


@pytest.mark.parametrize("who", ["outsider", "yj_staff"])
def test_others_get_404_everywhere(sv, item, who):
    # yj_staff works in the raising unit but is neither its 督查员 nor the leader.
    client = client_for(getattr(sv, who))
    assert client.get(f"/supervision/items/{item.pk}/").status_code == 404
    assert client.get(f"/api/supervision/items/{item.pk}/").status_code == 404
    assert client.post(f"/api/supervision/items/{item.pk}/remind/").status_code == 404
    assert client.post(f"/supervision/items/{item.pk}/sign/").status_code == 404
    assert client.get("/api/supervision/items/").json()["count"] == 0
    assert f'data-item="{item.pk}"' not in client.get("/supervision/").content.decode()
    assert client.get(f"/supervision/attachments/{Attachment.objects.get().pk}/").status_code == 404
    report = client.get(f"/supervision/report/?unit={sv.tree.yj_edu.pk}&month=2026-09&format=csv")
    assert item.title not in report.content.decode("utf-8-sig")


def test_anonymous_is_sent_to_login(item):
    from django.test import Client

    response = Client().get(f"/supervision/items/{item.pk}/")
    assert response.status_code == 302 and "/accounts/login" in response["Location"]
    assert Client().get("/api/supervision/items/").status_code == 403


def test_api_actions_and_refusals(sv, item):
    api = client_for(sv.edu_staff)
    refused = api.post(f"/api/supervision/items/{item.pk}/approve/")
    assert refused.status_code == 403 and "督查员" in refused.json()["detail"]
    asked = client_for(sv.edu_clerk).post(
        f"/api/supervision/items/{item.pk}/request-close/",
        json.dumps({"text": "完成"}),
        content_type="application/json",
    )
    assert asked.status_code == 200 and asked.json()["status"] == "close_requested"
    sup = client_for(sv.sup)
    again = sup.post(f"/api/supervision/items/{item.pk}/remind/")
    assert again.status_code == 400 and "不能催办" in again.json()["detail"]
    back = sup.post(f"/api/supervision/items/{item.pk}/send-back/", {"reason": "材料不全"})
    assert back.status_code == 200 and back.json()["status"] == "in_progress"


def test_api_raise(sv):
    with at(2026, 9, 28):
        response = client_for(sv.sup).post(
            "/api/supervision/items/",
            json.dumps(
                {
                    "title": "会议决定：推进数字政府建设",
                    "instruction": "第5次常务会议决定。",
                    "source_kind": "meeting",
                    "source_ref": "meetings.decision:7",
                    "lead_unit": sv.tree.yj_edu.pk,
                    "cooperating_units": [sv.tree.jc_gov.pk],
                    "deadline": "2026-10-03",
                    "milestones": [{"title": "方案", "due_date": "2026-09-30"}],
                }
            ),
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["deadline"] == "2026-10-08" and "顺延" in body["notes"][0]
    bad = client_for(sv.edu_staff).post(
        "/api/supervision/items/",
        {"title": "x", "instruction": "y", "lead_unit": sv.tree.yj_edu.pk, "deadline": "2026-12-01"},
    )
    assert bad.status_code == 403


def test_item_page_actions_through_forms(sv, item):
    page = client_for(sv.sup).get(f"/supervision/items/{item.pk}/").content.decode()
    assert "催办" in page and "撤销事项" in page
    staff_page = client_for(sv.edu_staff).get(f"/supervision/items/{item.pk}/").content.decode()
    assert "撤销事项" not in staff_page and "报送进展" in staff_page
    response = client_for(sv.sup).post(f"/supervision/items/{item.pk}/remind/", {"text": "抓紧"}, follow=True)
    assert "已催办" in response.content.decode()
    refused = client_for(sv.sup).post(f"/supervision/items/{item.pk}/approve/", follow=True)
    assert "不能同意办结" in refused.content.decode()


def test_raise_page(sv):
    assert client_for(sv.edu_staff).get("/supervision/new/").status_code == 404
    client = client_for(sv.sup)
    assert client.get("/supervision/new/").status_code == 200
    with at(2026, 9, 1):
        response = client.post(
            "/supervision/new/",
            {
                "title": "直接立项事项",
                "instruction": "按要求办理",
                "source_kind": "direct",
                "lead_unit": sv.tree.jc_gov.pk,
                "deadline": "2026-09-30",
                "report_interval": 5,
                "milestones": "2026-09-15 完成调研\n",
            },
            follow=True,
        )
    assert "已立项" in response.content.decode()
    bad = client.post(
        "/supervision/new/",
        {
            "title": "x",
            "instruction": "y",
            "source_kind": "direct",
            "lead_unit": sv.tree.jc_gov.pk,
            "deadline": "2026-09-30",
            "report_interval": 5,
            "milestones": "九月 调研",
        },
    )
    assert "日期格式不正确" in bad.content.decode()


def test_home_card_lists_my_items(sv, item):
    with at(2026, 10, 27):
        body = client_for(sv.edu_staff).get("/supervision/home-card/").content.decode()
    # Last progress 9/1, interval 5 working days: behind schedule (黄) although the deadline is near.
    assert item.title[:10] in body and 'data-warning="yellow"' in body
    assert item.title[:10] not in client_for(sv.outsider).get("/supervision/home-card/").content.decode()
    assert client_for(sv.edu_staff).get("/").status_code == 200
