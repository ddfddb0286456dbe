"""Pages and API: each unit sees its own inbox and tracking only; actions go through the same services."""

import pytest
from django.test import Client
from django.urls import reverse

from documents.exchange import services
from documents.exchange.models import Delivery, State
from tests.todo.helpers import login


@pytest.fixture
def sent(ex, org_tree, run_commits):
    run_commits(services.dispatch, ex.sender_clerk, ex.document, [org_tree.jc_gov, org_tree.yj_edu])
    return {d.recipient_id: d for d in Delivery.objects.all()}


def _client(person):
    return login(Client(), person)


def test_inbox_page_lists_own_arrivals_and_signs_for_them(ex, org_tree, sent):
    client = _client(ex.jc_clerk)
    page = client.get(reverse("exchange:inbox"))
    assert page.status_code == 200
    html = page.content.decode()
    assert ex.document.title in html and "签收" in html and "阳江市人民政府" in html
    response = client.post(reverse("exchange:sign_for", args=[sent[org_tree.jc_gov.pk].pk]))
    assert response.status_code == 302
    assert Delivery.objects.get(pk=sent[org_tree.jc_gov.pk].pk).state == State.SIGNED
    data = client.get(reverse("exchange:inbox_json")).json()
    assert [row["state"] for row in data["rows"]] == ["signed"]
    assert data["streams"][str(org_tree.jc_gov.pk)] >= 2


def test_another_units_clerk_sees_nothing_and_cannot_act(ex, org_tree, sent):
    client = _client(ex.jy_clerk)
    html = client.get(reverse("exchange:inbox")).content.decode()
    assert ex.document.title not in html
    assert client.get(reverse("exchange:inbox_json")).json()["rows"] == []
    target = sent[org_tree.jc_gov.pk].pk
    assert client.post(reverse("exchange:sign_for", args=[target])).status_code == 404
    assert client.post(reverse("exchange:recall", args=[target])).status_code == 404
    assert client.get(reverse("exchange:board", args=[ex.document.pk])).status_code == 404
    assert client.get(reverse("exchange:board_json", args=[ex.document.pk])).status_code == 404
    assert client.get(reverse("exchange:dispatch", args=[ex.document.pk])).status_code == 404
    # a recipient does not see the sender's board (other recipients) either
    assert _client(ex.edu_clerk).get(reverse("exchange:board", args=[ex.document.pk])).status_code == 404
    assert Delivery.objects.get(pk=target).state == State.DELIVERED


def test_sender_board_counts_by_state_and_level_and_recalls(ex, org_tree, sent):
    client = _client(ex.sender_clerk)
    page = client.get(reverse("exchange:board", args=[ex.document.pk]))
    assert page.status_code == 200
    assert "江城区人民政府" in page.content.decode()
    data = client.get(reverse("exchange:board_json", args=[ex.document.pk])).json()
    assert data["total"] == 2 and data["by_state"]["delivered"] == 2
    assert [(level["label"], level["counts"]["delivered"]) for level in data["by_level"]] == [("市", 1), ("县(区)", 1)]
    client.post(reverse("exchange:recall", args=[sent[org_tree.jc_gov.pk].pk]))
    data = client.get(reverse("exchange:board_json", args=[ex.document.pk])).json()
    assert data["by_state"]["recalled"] == 1 and data["by_state"]["delivered"] == 1
    assert ex.document.title in client.get(reverse("exchange:sent")).content.decode()


def test_dispatch_page_sends_to_a_level_under_a_parent(ex, org_tree, run_commits, django_capture_on_commit_callbacks):
    client = _client(ex.sender_clerk)
    assert client.get(reverse("exchange:dispatch", args=[ex.document.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("exchange:dispatch", args=[ex.document.pk]),
            {"main": [org_tree.jy_gov.pk], "parent": org_tree.jc_gov.pk, "level": ex.Level.VILLAGE},
        )
    assert response.status_code == 302
    assert Delivery.objects.count() == 1 + len(ex.villages)
    # bad input is a message, not a 500
    response = client.post(reverse("exchange:dispatch", args=[ex.document.pk]), {"main": ["x"]})
    assert response.status_code == 200 and "请选择至少一个收文单位" in response.content.decode()


def test_api_is_scoped_to_the_units_of_the_caller(ex, org_tree, sent):
    jc, jy = _client(ex.jc_clerk), _client(ex.jy_clerk)
    target = sent[org_tree.jc_gov.pk].pk
    assert [row["id"] for row in jc.get("/api/exchange/deliveries/").json()["results"]] == [target]
    assert jy.get("/api/exchange/deliveries/").json()["results"] == []
    assert jy.get("/api/exchange/deliveries/?box=sent").json()["results"] == []
    sender_view = _client(ex.sender_clerk).get("/api/exchange/deliveries/?box=sent").json()["results"]
    assert len(sender_view) == 2
    assert jy.get(f"/api/exchange/deliveries/{target}/").status_code == 404
    response = jy.post(f"/api/exchange/deliveries/{target}/sign/")
    assert response.status_code == 404 and "detail" in response.json()
    response = jc.post(f"/api/exchange/deliveries/{target}/return/", {"reason": ""}, content_type="application/json")
    assert response.status_code == 400 and "退回原因" in response.json()["detail"]
    response = jc.post(f"/api/exchange/deliveries/{target}/sign/")
    assert response.status_code == 200 and response.json()["state"] == "signed"
