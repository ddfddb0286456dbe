"""Attachments (limits decided by content, Chinese errors, members-only download) and document cards."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from oa.core.errors import ServiceError
from oa.messaging import cards, services
from oa.permissions import can
from tests.todo.helpers import login

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [("通知.pdf", PDF, "application/pdf"), ("方案.docx", _docx(), None), ("截图.png", PNG, "image/png"),
     ("名单.csv", "姓名,电话\n张三,1\n".encode("gb18030"), "text/csv; charset=utf-8")],
)
def test_allowed_files_are_stored_and_served_only_to_members(people, direct, name, content, mime):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    message = services.send_message(people.alice, direct, upload=upload)
    assert message.kind == "file" and message.file_name == name and message.file_size == len(content)
    response = login(Client(), people.bob).get(f"/messages/m/{message.pk}/file")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert "attachment" in response["Content-Disposition"]
    if mime:
        assert response["Content-Type"] == mime
    assert login(Client(), people.carol).get(f"/messages/m/{message.pk}/file").status_code == 404
    assert Client().get(f"/messages/m/{message.pk}/file").status_code == 302  # to the login page


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("病毒.exe", b"MZ\x90\x00", "不支持发送“.exe”文件"),
        ("伪装.pdf", b"MZ\x90\x00" + b"\x00" * 40, "文件内容与扩展名“.pdf”不符"),
        ("伪装.docx", PDF, "文件内容与扩展名“.docx”不符"),
        ("空.txt", b"", "文件为空"),
        ("二进制.txt", b"abc\x00def", "不符"),
        ("无扩展名", b"hello", "无扩展名的文件"),
    ],
)
def test_refused_files_have_clear_chinese_errors(people, direct, name, content, error, settings):
    with pytest.raises(ServiceError, match=error):
        services.send_message(people.alice, direct, upload=SimpleUploadedFile(name, content))
    assert not (settings.MEDIA_ROOT / "messaging").exists() or not any((settings.MEDIA_ROOT / "messaging").rglob("*"))


def test_size_limit(people, direct, settings):
    settings.MESSAGING_MAX_FILE_BYTES = 1024
    with pytest.raises(ServiceError, match=r"文件过大（2 KB），单个文件不能超过 1 KB"):
        services.send_message(people.alice, direct, upload=SimpleUploadedFile("大.pdf", PDF + b"0" * 2048))


def test_recalled_file_is_deleted_and_no_longer_served(people, direct, django_capture_on_commit_callbacks):
    message = services.send_message(people.alice, direct, upload=SimpleUploadedFile("a.pdf", PDF))
    path = message.file.path
    with django_capture_on_commit_callbacks(execute=True):
        services.recall(people.alice, message)
    assert login(Client(), people.bob).get(f"/messages/m/{message.pk}/file").status_code == 404
    import os

    assert not os.path.exists(path)


class Doc:
    def __init__(self, pk, unit_id, title):
        self.pk, self.unit_id, self.title = pk, unit_id, title

    def get_absolute_url(self):
        return f"/documents/{self.pk}/"


@pytest.fixture
def doc_cards(people):
    """A stand-in document type: visible to people of its unit."""
    import rules

    docs = {"7": Doc(7, people.alice.unit_id, "关于做好防汛工作的通知")}
    rules.add_perm("carddemo.view_document", rules.predicate(lambda user, doc: doc.unit_id == user.unit_id))
    cards.register("carddemo", load=docs.get)
    yield docs
    cards.unregister("carddemo")
    rules.remove_perm("carddemo.view_document")


def test_document_card_shown_only_to_members_allowed_to_see_the_document(people, group, doc_cards):
    message = services.send_message(people.alice, group, card=("carddemo", "7"))
    mine = services.message_payload(message, cards.CardView(people.bob))
    assert mine["card"] == {"app": "carddemo", "id": "7", "title": "关于做好防汛工作的通知", "url": "/documents/7/",
                           "label": "公文"}
    hidden = services.message_payload(message, cards.CardView(people.dave))  # another unit
    assert hidden["card"]["hidden"] and "防汛" not in str(hidden)
    page = login(Client(), people.dave).get(f"/messages/c/{group.pk}/")
    assert "关于做好防汛工作的通知" not in page.content.decode() and "无权查看" in page.content.decode()


def test_cards_refused_when_the_sender_cannot_see_the_document_or_the_type_is_unknown(people, group, doc_cards):
    with pytest.raises(ServiceError, match="无权查看"):
        services.send_message(people.dave, group, card=("carddemo", "7"))
    with pytest.raises(ServiceError, match="不支持"):
        services.send_message(people.alice, group, card=("nosuchapp", "1"))


def test_cards_of_a_type_without_permission_are_hidden(people, group, doc_cards):
    message = services.send_message(people.alice, group, card=("carddemo", "7"))
    import rules

    rules.remove_perm("carddemo.view_document")
    try:
        assert services.message_payload(message, cards.CardView(people.alice))["card"]["hidden"]
    finally:
        rules.add_perm("carddemo.view_document", rules.always_true)


@pytest.fixture
def notice(people):
    from documents.models import Document

    return Document.objects.create(owner_unit=people.alice.unit, drafter=people.alice, title="关于做好汛期值班的通知")


def test_a_real_document_card_is_checked_for_each_viewer_when_shown(people, group, notice, personas):
    """Cards for 公文 are registered by the documents app; what a viewer sees is decided when the message is
    shown, so someone who can no longer read the document no longer sees the card."""
    message = services.send_message(people.alice, group, card={"app": "documents", "id": str(notice.pk)})
    assert message.card_title == notice.title
    bob = login(Client(), people.bob)
    page = bob.get(f"/messages/c/{group.pk}/").content.decode()
    assert notice.title in page and f'href="/documents/{notice.pk}/preview/"' in page
    assert can(people.bob, "documents.read_document", notice)  # the card's link opens for bob
    api = bob.get(f"/api/messaging/conversations/{group.pk}/messages/").json()["messages"]
    assert api[0]["card"]["title"] == notice.title

    dave = login(Client(), people.dave)  # a member of the group, in another unit
    page = dave.get(f"/messages/c/{group.pk}/").content.decode()
    assert notice.title not in page and "无权查看" in page
    assert dave.get(f"/api/messaging/conversations/{group.pk}/messages/").json()["messages"][0]["card"]["hidden"]

    # Bob moves to another unit: the same stored message now renders hidden for him.
    from oa.org import services as org_services

    org_services.update_person(personas.sysadmin, people.bob, unit=people.dave.unit)
    page = login(Client(), people.bob).get(f"/messages/c/{group.pk}/").content.decode()
    assert notice.title not in page and "无权查看" in page


def test_a_card_for_a_document_the_sender_cannot_read_is_refused(people, group, notice):
    with pytest.raises(ServiceError, match="无权查看"):
        services.send_message(people.dave, group, card=("documents", str(notice.pk)))
    with pytest.raises(ServiceError, match="无权查看"):
        services.send_message(people.alice, group, card=("documents", "999999"))
    response = login(Client(), people.dave).post(
        f"/api/messaging/conversations/{group.pk}/messages/", {"card_app": "documents", "card_id": str(notice.pk)}
    )
    assert response.status_code == 400 and "无权查看" in response.json()["detail"]


def test_the_composer_sends_a_card_by_document_number_and_plain_text_without_one(people, group, notice):
    alice = login(Client(), people.alice)
    alice.post(f"/messages/c/{group.pk}/send", {"card_app": "documents", "card_id": str(notice.pk), "text": ""})
    alice.post(f"/messages/c/{group.pk}/send", {"card_app": "documents", "card_id": "", "text": "请大家看看"})
    kinds = list(group.messages.order_by("seq").values_list("kind", "card_title", "body"))
    assert kinds == [("card", notice.title, ""), ("text", "", "请大家看看")]
