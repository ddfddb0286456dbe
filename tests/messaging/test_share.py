"""分享到会话: a 公文 / 收文 / 档案 card posted from the document's own page, and what each member then sees.

alice, bob and carol work at 阳江市人民政府, where the 收文 arrives; dave works elsewhere and is in the group
but may not see it. Archive items are read by the unit's 档案员 (and leaders) only."""

import json

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from documents.models import Document
from oa.core.errors import NotFoundError, ServiceError
from oa.messaging import cards, services
from oa.messaging.models import Conversation, Message
from tests.messaging.sockets import communicator, run
from tests.messaging.test_consumer import ORIGIN, cookie_for, next_of
from tests.search.archive_helpers import archive_item, archivist_of, receive
from tests.todo.helpers import login

pytestmark = pytest.mark.django_db

HIDDEN = "无权查看的公文"
TITLE = "关于转发省防总防御台风的紧急通知"


@pytest.fixture
def received(people):
    return receive(people.alice.unit, TITLE, sender="广东省人民政府")


@pytest.fixture
def archivist(people):
    return archivist_of(people.alice.unit, "yj_archivist")


@pytest.fixture
def item(archivist, received):
    return archive_item(archivist, incoming=received)


def _json_post(client, url, data):
    return client.post(url, data, HTTP_ACCEPT="application/json")


# --- service ----------------------------------------------------------------------------------------------


def test_a_shared_received_document_shows_to_members_who_may_see_it_and_hides_from_the_others(people, group, received):
    message = services.share_card(people.alice, ("incoming", received.pk), conversation_id=group.pk)
    assert message.kind == "card" and message.card_app == "incoming"
    seen = services.message_payload(message, cards.CardView(people.bob))["card"]
    assert seen == {
        "app": "incoming",
        "id": str(received.pk),
        "title": TITLE,
        "url": f"/documents/flow/{received.flow.pk}/",
        "label": "收文",
    }
    refused = services.message_payload(message, cards.CardView(people.dave))
    assert refused["card"] == {"hidden": True, "title": HIDDEN}
    assert "台风" not in json.dumps(refused, ensure_ascii=False, default=str)


def test_sharing_is_refused_unless_the_sharer_sees_the_document_and_is_a_member(people, group, received, direct):
    with pytest.raises(ServiceError, match="无权查看"):
        services.share_card(people.dave, ("incoming", received.pk), conversation_id=group.pk)
    with pytest.raises(NotFoundError):  # carol may see the 收文 but is not in the conversation
        services.share_card(people.carol, ("incoming", received.pk), conversation_id=direct.pk)
    with pytest.raises(ServiceError, match="请选择"):
        services.share_card(people.alice, ("incoming", received.pk))
    with pytest.raises(ServiceError, match="不支持"):
        services.share_card(people.alice, ("nosuchkind", "1"), conversation_id=group.pk)
    assert not Message.objects.exists()


def test_sharing_to_a_person_opens_the_one_to_one_chat_only_when_allowed(people, received):
    with pytest.raises(ServiceError, match="无权查看"):
        services.share_card(people.dave, ("incoming", received.pk), person_id=people.alice.pk)
    assert not Conversation.objects.filter(kind="direct").exists()  # no chat was opened for nothing
    message = services.share_card(people.alice, ("incoming", received.pk), person_id=people.carol.pk)
    assert message.conversation.kind == "direct"
    assert set(message.conversation.memberships.values_list("person_id", flat=True)) == {
        people.alice.pk,
        people.carol.pk,
    }


def test_an_archive_card_is_seen_by_archivists_and_leaders_only_with_the_corrected_title(people, archivist, item):
    from documents.archive import corrections

    chat = services.create_group(archivist, title="档案工作群", members=[people.alice])
    corrections.correct(archivist, item, field="title", new_value="关于防御台风的紧急通知（更正）", reason="题名有误")
    message = services.share_card(archivist, ("archive", item.pk), conversation_id=chat.pk)
    assert message.card_title == "关于防御台风的紧急通知（更正）"
    mine = services.message_payload(message, cards.CardView(archivist))["card"]
    assert mine["label"] == "档案" and mine["url"] == f"/archive/{item.pk}/"
    assert services.message_payload(message, cards.CardView(people.alice))["card"] == {"hidden": True, "title": HIDDEN}
    with pytest.raises(ServiceError, match="无权查看"):
        services.share_card(people.alice, ("archive", item.pk), conversation_id=chat.pk)


def test_share_targets_are_my_recent_conversations_or_matching_groups_and_people(people, group, direct):
    other = services.create_group(people.bob, title="秘密小组", members=[people.carol])
    recent = services.share_targets(people.alice)
    listed = {c.pk for c in recent["conversations"]}
    assert {group.pk, direct.pk} <= listed and other.pk not in listed
    assert listed == {c.pk for c in services.conversations_for(people.alice)}  # her unit's group too
    assert recent["people"] == []
    found = services.share_targets(people.alice, "防汛")
    assert [c.pk for c in found["conversations"]] == [group.pk]
    assert services.share_targets(people.alice, "秘密")["conversations"] == []  # not a member
    assert [p.pk for p in services.share_targets(people.alice, "王五")["people"]] == [people.carol.pk]


# --- pages and API ---------------------------------------------------------------------------------------


def test_the_document_pages_offer_the_share_picker(people, received, archivist, item):
    alice = login(Client(), people.alice)
    flow_page = alice.get(f"/documents/flow/{received.flow.pk}/").content.decode()
    assert "分享到会话" in flow_page and 'name="card_app" value="incoming"' in flow_page
    assert f'name="card_id" value="{received.pk}"' in flow_page and "messaging/share.js" in flow_page

    draft = Document.objects.create(owner_unit=people.alice.unit, drafter=people.alice, title="草稿")
    edit_page = alice.get(f"/documents/{draft.pk}/").content.decode()
    assert 'name="card_app" value="documents"' in edit_page and f'name="card_id" value="{draft.pk}"' in edit_page

    archive_page = login(Client(), archivist).get(f"/archive/{item.pk}/").content.decode()
    assert 'name="card_app" value="archive"' in archive_page and f'name="card_id" value="{item.pk}"' in archive_page


def test_the_picker_lists_targets_and_shares_into_the_chosen_conversation(people, group, received):
    alice = login(Client(), people.alice)
    services.send_message(people.alice, group, text="今晚值班安排")  # the most recent conversation comes first
    targets = alice.get("/messages/share/targets").json()
    assert targets["conversations"][0] == {"id": group.pk, "title": "防汛专班", "kind": "群聊"}
    assert [p["id"] for p in alice.get("/messages/share/targets", {"q": "李四"}).json()["people"]] == [people.bob.pk]

    answer = _json_post(
        alice, "/messages/share", {"card_app": "incoming", "card_id": received.pk, "conversation": group.pk}
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["conversation"] == group.pk and body["title"] == "防汛专班"
    assert body["url"] == f"/messages/c/{group.pk}/#m{body['seq']}"
    assert Message.objects.get(conversation=group, seq=body["seq"]).card_object_id == str(received.pk)


def test_refusals_of_the_picker_are_clear_and_never_500(people, group, direct, received):
    dave = login(Client(), people.dave)
    refused = _json_post(
        dave, "/messages/share", {"card_app": "incoming", "card_id": received.pk, "conversation": group.pk}
    )
    assert refused.status_code == 400 and "无权查看" in refused.json()["detail"]
    carol = login(Client(), people.carol)
    not_member = _json_post(
        carol, "/messages/share", {"card_app": "incoming", "card_id": received.pk, "conversation": direct.pk}
    )
    assert not_member.status_code == 404 and "不是该会话的成员" in not_member.json()["detail"]
    bad = _json_post(carol, "/messages/share", {"card_app": "incoming", "card_id": "x' or 1=1", "conversation": "abc"})
    assert bad.status_code in (400, 404)
    # The plain form (no script): back to the document page with the reason; on success to the conversation.
    back = carol.post(
        "/messages/share",
        {
            "card_app": "incoming",
            "card_id": received.pk,
            "conversation": direct.pk,
            "next": f"/documents/flow/{received.flow.pk}/",
        },
        follow=True,
    )
    assert (
        back.redirect_chain[-1][0] == f"/documents/flow/{received.flow.pk}/"
        and "不是该会话的成员" in back.content.decode()
    )
    evil = carol.post(
        "/messages/share", {"card_app": "incoming", "card_id": received.pk, "next": "https://evil.example/"}
    )
    assert evil.status_code == 302 and evil["Location"] == "/messages/"
    alice = login(Client(), people.alice)
    done = alice.post("/messages/share", {"card_app": "incoming", "card_id": received.pk, "conversation": group.pk})
    assert done.status_code == 302 and done["Location"].startswith(f"/messages/c/{group.pk}/#m")
    assert Message.objects.filter(kind="card").count() == 1


def test_a_member_without_rights_sees_no_title_on_the_page_or_through_the_api(people, group, received):
    services.share_card(people.alice, ("incoming", received.pk), conversation_id=group.pk)
    dave = login(Client(), people.dave)
    page = dave.get(f"/messages/c/{group.pk}/").content.decode()
    assert HIDDEN in page and "台风" not in page and f"/documents/flow/{received.flow.pk}/" not in page
    api = dave.get(f"/api/messaging/conversations/{group.pk}/messages/")
    assert api.json()["messages"][-1]["card"] == {"hidden": True, "title": HIDDEN}
    assert "台风" not in api.content.decode()
    found = dave.get(f"/api/messaging/conversations/{group.pk}/search/", {"q": "台风"}).json()["messages"]
    assert all("台风" not in json.dumps(m, ensure_ascii=False) for m in found)

    bob = login(Client(), people.bob)
    assert [
        m["card"]["title"]
        for m in bob.get(f"/api/messaging/conversations/{group.pk}/search/", {"q": "台风"}).json()["messages"]
    ] == [TITLE]
    bob_page = bob.get(f"/messages/c/{group.pk}/").content.decode()
    assert TITLE in bob_page and f'href="/documents/flow/{received.flow.pk}/"' in bob_page and "收文" in bob_page


# --- socket ----------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_shared_card_reaches_each_socket_as_that_member_may_see_it(people, group, received):
    cookies = {p.pk: cookie_for(p) for p in (people.bob, people.dave)}

    async def connected(person):
        ws = communicator(
            "/ws/messages/", [(b"host", b"testserver"), (b"origin", ORIGIN), (b"cookie", cookies[person.pk])]
        )
        assert (await ws.connect())[0]
        return ws

    async def scenario():
        bob, dave = await connected(people.bob), await connected(people.dave)
        await database_sync_to_async(services.share_card)(
            people.alice, ("incoming", received.pk), conversation_id=group.pk
        )
        seen_by_bob = (await next_of(bob, "message"))["message"]["card"]
        assert seen_by_bob["title"] == TITLE and seen_by_bob["label"] == "收文"
        event = await next_of(dave, "message")
        assert event["message"]["card"] == {"hidden": True, "title": HIDDEN}
        assert "台风" not in json.dumps(event, ensure_ascii=False) and "/documents/flow/" not in json.dumps(event)

    run(scenario)


def test_the_api_posts_cards_through_the_same_check(people, group, received):
    url = f"/api/messaging/conversations/{group.pk}/messages/"
    card = {"card": {"app": "incoming", "id": str(received.pk)}}
    refused = login(Client(), people.dave).post(url, card, content_type="application/json")
    assert refused.status_code == 400 and "无权查看" in refused.json()["detail"]
    carol = login(Client(), people.carol)  # may see the 收文, not a member of the group
    assert carol.post(url, card, content_type="application/json").status_code == 404
    posted = login(Client(), people.alice).post(url, card, content_type="application/json")
    assert posted.status_code == 201 and posted.json()["card"]["title"] == TITLE
    assert Message.objects.filter(kind="card").count() == 1
