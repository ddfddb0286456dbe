"""Pages and API: members see and post, outsiders get 404 (never the content), errors are Chinese 4xx."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from oa.messaging import services
from oa.messaging.models import Conversation, Message
from tests.todo.helpers import login

pytestmark = pytest.mark.django_db


def client_for(person) -> Client:
    return login(Client(), person)


def test_conversation_list_shows_unread_counts(people, direct):
    services.send_message(people.alice, direct, text="第一条")
    services.send_message(people.alice, direct, text="第二条")
    page = client_for(people.bob).get("/messages/")
    html = page.content.decode()
    assert page.status_code == 200 and "张三" in html
    assert f'data-unread="{direct.pk}">2<' in html
    assert 'data-nav="messages"' in html and 'href="/messages/"' in html


def test_conversation_page_shows_history_and_marks_read(people, direct):
    services.send_message(people.alice, direct, text="请查收附件")
    response = client_for(people.bob).get(f"/messages/c/{direct.pk}/")
    assert response.status_code == 200 and "请查收附件" in response.content.decode()
    assert services.unread_total(people.bob) == 0


def test_outsider_gets_404_on_every_page(people, direct):
    message = services.send_message(people.alice, direct, text="机密")
    outsider = client_for(people.carol)
    for url in (f"/messages/c/{direct.pk}/", f"/messages/m/{message.pk}/receipts"):
        response = outsider.get(url)
        assert response.status_code == 404 and "机密" not in response.content.decode()
    response = outsider.post(f"/messages/c/{direct.pk}/send", {"text": "插话"})
    assert response.status_code == 404
    assert outsider.post(f"/messages/m/{message.pk}/recall").status_code == 404
    assert Message.objects.filter(conversation=direct).count() == 1


def test_send_form_posts_text_and_file_and_shows_errors(people, direct):
    bob = client_for(people.bob)
    response = bob.post(f"/messages/c/{direct.pk}/send", {"text": "好的"})
    assert response.status_code == 302 and response["Location"].endswith("#m1")
    response = bob.post(f"/messages/c/{direct.pk}/send", {"file": SimpleUploadedFile("x.exe", b"MZ")}, follow=True)
    assert "不支持发送“.exe”文件" in response.content.decode()
    response = bob.post(f"/messages/c/{direct.pk}/send", {"text": " "}, follow=True)
    assert "消息内容不能为空" in response.content.decode()


def test_new_conversation_page_searches_people_and_starts_chats(people):
    alice = client_for(people.alice)
    page = alice.get("/messages/new/", {"q": "李"})
    assert "李四" in page.content.decode()
    assert alice.get("/messages/people", {"q": "王"}).json()["results"][0]["name"] == "王五"
    response = alice.post("/messages/new/", {"members": [people.bob.pk]})
    chat = Conversation.objects.get(kind="direct")
    assert response["Location"] == f"/messages/c/{chat.pk}/"
    alice.post("/messages/new/", {"members": [people.bob.pk, people.carol.pk], "title": "专班"})
    assert Conversation.objects.get(kind="group").title == "专班"
    response = alice.post("/messages/new/", {"members": [people.bob.pk, people.carol.pk], "title": ""}, follow=True)
    assert "请填写群聊名称" in response.content.decode()


def test_unit_groups_page(people, unit):
    page = client_for(people.alice).get("/messages/groups/")
    assert "阳江市人民政府（单位群）" in page.content.decode() and "3 人" in page.content.decode()


def test_recall_and_receipts_pages(people, group):
    message = services.send_message(people.alice, group, text="开会")
    services.mark_read(people.bob, group, message.seq)
    page = client_for(people.alice).get(f"/messages/m/{message.pk}/receipts").content.decode()
    assert "1 / 2 人已读" in page and "李四" in page and "赵六" in page
    response = client_for(people.bob).post(f"/messages/m/{message.pk}/recall", follow=True)
    assert "只能撤回自己发送的消息" in response.content.decode()
    client_for(people.alice).post(f"/messages/m/{message.pk}/recall")
    assert "消息已撤回" in client_for(people.bob).get(f"/messages/c/{group.pk}/").content.decode()


def test_unread_endpoint(people, direct):
    services.send_message(people.alice, direct, text="1")
    assert client_for(people.bob).get("/messages/unread").json() == {"total": 1}
    assert Client().get("/messages/unread").status_code == 401


# --- API ------------------------------------------------------------------------------------------------


def test_api_lists_creates_pages_and_searches(people):
    api = client_for(people.alice)
    created = api.post("/api/messaging/conversations/", {"members": [people.bob.pk]}, content_type="application/json")
    assert created.status_code == 201
    chat_id = created.json()["id"]
    for n in range(3):
        sent = api.post(f"/api/messaging/conversations/{chat_id}/messages/", {"text": f"消息{n}"},
                        content_type="application/json")
        assert sent.status_code == 201 and sent.json()["seq"] == n + 1
    bob = client_for(people.bob)
    listed = {c["id"]: c for c in bob.get("/api/messaging/conversations/").json()}
    assert listed[chat_id]["unread"] == 3 and listed[chat_id]["title"] == "张三"
    page = bob.get(f"/api/messaging/conversations/{chat_id}/messages/", {"before": 3, "limit": 1}).json()
    assert [m["text"] for m in page["messages"]] == ["消息1"] and page["has_more"]
    found = bob.get(f"/api/messaging/conversations/{chat_id}/search/", {"q": "消息2"}).json()
    assert [m["seq"] for m in found["messages"]] == [3]
    assert bob.post(f"/api/messaging/conversations/{chat_id}/read/", {"seq": 3},
                    content_type="application/json").json() == {"read_seq": 3, "unread_total": 0}
    receipts = api.get(f"/api/messaging/messages/{page['messages'][0]['id']}/receipts/").json()
    assert receipts["read_count"] == 1 and receipts["read"][0]["name"] == "李四"


def test_api_refuses_outsiders_and_bad_input_in_chinese(people, direct):
    message = services.send_message(people.alice, direct, text="机密")
    outsider = client_for(people.carol)
    base = f"/api/messaging/conversations/{direct.pk}/"
    urls = (base, f"{base}messages/", f"{base}search/?q=机", f"/api/messaging/messages/{message.pk}/receipts/")
    for url in urls:
        response = outsider.get(url)
        assert response.status_code == 404 and "机密" not in response.content.decode()
        assert response.json()["detail"] in ("会话不存在，或您不是该会话的成员。", "消息不存在，或您不是该会话的成员。")
    response = outsider.post(f"/api/messaging/conversations/{direct.pk}/messages/", {"text": "插话"},
                             content_type="application/json")
    assert response.status_code == 404
    bob = client_for(people.bob)
    cases = [
        (f"/api/messaging/conversations/{direct.pk}/messages/", {"text": ""}, 400, "消息内容不能为空。"),
        (f"/api/messaging/conversations/{direct.pk}/read/", {"seq": "abc"}, 400, "seq必须是消息序号（整数）。"),
        (f"/api/messaging/messages/{message.pk}/recall/", {}, 403, "只能撤回自己发送的消息。"),
        ("/api/messaging/conversations/", {"members": []}, 400, "请至少选择一位成员。"),
        ("/api/messaging/conversations/", {"members": [people.bob.pk]}, 400, "不能和自己发起单聊。"),
    ]
    for url, body, status, detail in cases:
        response = bob.post(url, body, content_type="application/json")
        assert (response.status_code, response.json()["detail"]) == (status, detail), url
    response = bob.get(f"/api/messaging/conversations/{direct.pk}/messages/", {"limit": "x"})
    assert response.status_code == 400 and response.json()["detail"] == "每页条数必须是数字。"
    upload = bob.post(f"/api/messaging/conversations/{direct.pk}/messages/",
                      {"file": SimpleUploadedFile("a.pdf", b"not a pdf")})
    assert upload.status_code == 400 and "文件内容与扩展名“.pdf”不符" in upload.json()["detail"]
    assert Client().get("/api/messaging/conversations/").status_code in (401, 403)
