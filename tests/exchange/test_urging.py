"""催收: the sender reminds recipient units that have not signed for a document — notices to their clerks that
end with the wait, at most once per 30 minutes per unit, in the ledger and the audit trail, on the board."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from documents.exchange import ledger, push, services, urging
from documents.exchange.models import Delivery, LedgerEntry, State
from oa.audit.models import AuditEvent
from oa.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from oa.todo.models import Kind, TodoItem
from oa.todo.models import State as TodoState
from tests.todo.helpers import login


@pytest.fixture
def sent(ex, org_tree, run_commits):
    run_commits(services.dispatch, ex.sender_clerk, ex.document, [org_tree.jc_gov, org_tree.yj_edu, org_tree.jy_gov])
    return {d.recipient_id: d for d in Delivery.objects.all()}


def _notices(person):
    return TodoItem.objects.filter(owner=person, kind=Kind.TOREAD, step="催收", state=TodoState.OPEN)


def test_urging_reminds_the_recipient_clerks_once_per_half_hour(ex, org_tree, sent, run_commits):
    target = sent[org_tree.jc_gov.pk]
    run_commits(urging.urge, ex.sender_clerk, target.pk, note="今天下班前")
    notice = _notices(ex.jc_clerk).get()
    assert "关于做好防汛工作的通知" in notice.title and "今天下班前" in notice.title
    assert notice.sender == org_tree.yj_gov.name
    assert not _notices(ex.edu_clerk).exists()  # only the urged unit
    target.refresh_from_db()
    assert target.urge_count == 1 and "已催收 1 次" in urging.urge_text(target)

    with pytest.raises(ServiceError, match="之后再催收"):
        urging.urge(ex.sender_clerk, target.pk)
    with time_machine.travel(timezone.now() + urging.INTERVAL, tick=False):
        run_commits(urging.urge, ex.sender_clerk, target.pk)
    assert _notices(ex.jc_clerk).count() == 2
    assert Delivery.objects.get(pk=target.pk).urge_count == 2

    urged = LedgerEntry.objects.filter(event="urged", delivery_id_ref=target.pk)
    assert urged.count() == 2
    assert ledger.verify().ok
    audit = AuditEvent.objects.filter(action="exchange.urge").order_by("pk")
    assert audit.count() == 2 and org_tree.jc_gov.name in audit.first().summary


def test_signing_for_it_ends_the_reminders(ex, org_tree, sent, run_commits):
    target = sent[org_tree.jc_gov.pk]
    run_commits(urging.urge, ex.sender_clerk, target.pk)
    run_commits(services.sign_for, ex.jc_clerk, target.pk)
    assert not _notices(ex.jc_clerk).exists()
    with pytest.raises(ServiceError, match="已签收.*无需催收"):
        urging.urge(ex.sender_clerk, target.pk)


def test_a_returned_or_recalled_delivery_closes_its_notices_and_a_resend_starts_a_fresh_count(
    ex, org_tree, sent, run_commits
):
    returned, recalled = sent[org_tree.yj_edu.pk], sent[org_tree.jy_gov.pk]
    run_commits(urging.urge, ex.sender_clerk, returned.pk)
    run_commits(urging.urge, ex.sender_clerk, recalled.pk)
    run_commits(services.return_delivery, ex.edu_clerk, returned.pk, reason="非我单位职责")
    run_commits(services.recall, ex.sender_clerk, recalled.pk)
    assert not _notices(ex.edu_clerk).exists() and not _notices(ex.jy_clerk).exists()
    run_commits(services.resend, ex.sender_clerk, returned.pk)
    returned.refresh_from_db()
    assert returned.state == State.DELIVERED and returned.urge_count == 0 and returned.urged_at is None
    run_commits(urging.urge, ex.sender_clerk, returned.pk)  # not blocked by the earlier round's reminder


def test_only_the_sending_units_clerk_may_urge(ex, org_tree, personas, sent):
    target = sent[org_tree.jc_gov.pk]
    with pytest.raises(NotFoundError):
        urging.urge(ex.jy_clerk, target.pk)  # a recipient of another delivery cannot even see this one
    with pytest.raises(NotFoundError):
        urging.urge(ex.jc_clerk, target.pk)  # the urged unit itself is not the sender
    with pytest.raises(PermissionDeniedError):
        urging.urge_unsigned(ex.jc_clerk, ex.document)
    with pytest.raises(ServiceError, match="不能超过"):
        urging.urge(ex.sender_clerk, target.pk, note="催" * 101)
    assert Delivery.objects.get(pk=target.pk).urge_count == 0
    assert not LedgerEntry.objects.filter(event="urged").exists()


def test_one_click_urges_every_unsigned_unit_and_skips_recent_ones(ex, org_tree, sent, run_commits):
    run_commits(services.sign_for, ex.jc_clerk, sent[org_tree.jc_gov.pk].pk)
    run_commits(urging.urge, ex.sender_clerk, sent[org_tree.yj_edu.pk].pk)
    before = push.current([org_tree.jy_gov.pk])[org_tree.jy_gov.pk]
    done = run_commits(urging.urge_unsigned, ex.sender_clerk, ex.document)
    assert done == {"urged": 1, "skipped": 1}
    assert _notices(ex.jy_clerk).count() == 1 and _notices(ex.edu_clerk).count() == 1
    assert push.current([org_tree.jy_gov.pk])[org_tree.jy_gov.pk] > before  # the recipient's pages hear of it
    with pytest.raises(ServiceError, match="均在 30 分钟内催收过"):
        urging.urge_unsigned(ex.sender_clerk, ex.document)


def test_board_page_and_api(ex, org_tree, sent, run_commits):
    sender = login(Client(), ex.sender_clerk)
    target = sent[org_tree.jc_gov.pk]
    page = sender.get(reverse("exchange:board", args=[ex.document.pk])).content.decode()
    assert "一键催收未签收单位" in page and reverse("exchange:urge", args=[target.pk]) in page

    response = sender.post(reverse("exchange:urge", args=[target.pk]), {"note": "请尽快签收"}, follow=True)
    html = response.content.decode()
    assert "已催收，对方收发员已收到提醒" in html and "已催收 1 次" in html
    data = sender.get(reverse("exchange:board_json", args=[ex.document.pk])).json()
    row = next(r for r in data["rows"] if r["id"] == target.pk)
    assert row["urge_count"] == 1 and row["urge_text"].startswith("已催收 1 次")

    response = sender.post(reverse("exchange:urge_unsigned", args=[ex.document.pk]), follow=True)
    assert "已向 2 个未签收单位催收；1 个单位 30 分钟内已催收，本次跳过" in response.content.decode()

    inbox = login(Client(), ex.jc_clerk).get(reverse("exchange:inbox")).content.decode()
    assert "已催收 1 次" in inbox

    api = sender.post(f"/api/exchange/deliveries/{target.pk}/urge/", {}, content_type="application/json")
    assert api.status_code == 400 and "之后再催收" in api.json()["detail"]
    other = login(Client(), ex.jy_clerk)
    assert other.post(f"/api/exchange/deliveries/{target.pk}/urge/").status_code == 404
    assert other.post(reverse("exchange:urge", args=[target.pk])).status_code == 404
    assert other.post(reverse("exchange:urge_unsigned", args=[ex.document.pk])).status_code == 404
    # half an hour later (moved in the data: travelling the clock would end the idle session)
    Delivery.objects.filter(pk=target.pk).update(urged_at=timezone.now() - urging.INTERVAL)
    url = f"/api/exchange/deliveries/{target.pk}/urge/"
    api = sender.post(url, {"note": "再次提醒"}, content_type="application/json")
    assert api.status_code == 200 and api.json()["urge_count"] == 2
