"""收文 and 档案 are entries of their own: the receiving unit finds what it received (box 收文), the archive's
unit finds what it archived (box 归档, 保管期限, 档号), and nobody else finds either."""

import pytest
from django.core.management import call_command
from django.db import transaction

from documents.workflow import incoming as incoming_flow
from search import services
from tests.factories import PersonFactory

from .archive_helpers import archive_item, archivist_of, clerk_of, receive, sent_document


def keys_of(result):
    return {h.key for h in result.hits}


def boxes(result):
    return {f["value"]: f["count"] for f in result.facets.get("box", [])}


@pytest.fixture
def jc_staff(org_tree):
    return PersonFactory(username="jc_staff", name="区科员", unit=org_tree.jc_gov)


@pytest.fixture
def exchanged(embedded, personas, org_tree):
    """阳江市政府 sends a notice; 江城区政府 receives it through the exchange and one letter on paper."""
    sent = sent_document(
        personas.yj_staff, "阳江市关于推进漠阳江碧道建设的通知", "加快推进漠阳江碧道建设，打造滨水生态空间。"
    )
    received = receive(org_tree.jc_gov, sent.title, source=sent, number="阳府〔2024〕12号")
    paper = receive(
        org_tree.jc_gov,
        "关于海陵岛旅游节筹备情况的函",
        sender="阳江市文化广电旅游体育局",
        number="阳文旅函2024-3",
        doc_type="函",
    )
    services.reindex_all()
    return sent, received, paper


def test_the_receiving_unit_finds_its_received_documents_by_the_senders_text(exchanged, personas, jc_staff):
    sent, received, paper = exchanged
    result = services.search(jc_staff, {"q": "碧道"})
    assert keys_of(result) == {f"in:{received.pk}"}
    hit = result.hits[0]
    assert (hit.box, hit.box_label, hit.doc_number, hit.status) == ("received", "收文", "阳府〔2024〕12号", "receiving")
    assert "<mark>碧道</mark>" in hit.snippet_html and hit.snippet_from == ""  # the sender's body text
    assert hit.issuer_names == ["阳江市人民政府"]
    assert hit.url.startswith("/documents/flow/")  # the 收文 flow page, not the sender's document
    # The sender finds its own sent document (box 发文), never the receiver's copy.
    sender = services.search(personas.yj_staff, {"q": "碧道"})
    assert keys_of(sender) == {f"doc:{sent.pk}"} and boxes(sender) == {"sent": 1}
    assert services.search(personas.jy_staff, {"q": "碧道"}).total == 0


def test_paper_received_documents_are_found_by_title_and_their_number_in_any_form(exchanged, jc_staff, personas):
    _, received, paper = exchanged
    assert keys_of(services.search(jc_staff, {"q": "海陵岛 旅游节"})) == {f"in:{paper.pk}"}
    assert keys_of(services.search(jc_staff, {"q": "阳文旅函〔2024〕3号"})) == {f"in:{paper.pk}"}
    assert keys_of(services.search(jc_staff, {"doc_number": "阳府[2024]12号"})) == {f"in:{received.pk}"}
    everything = services.search(jc_staff, {"box": "received"})
    assert everything.total == 2 and boxes(everything) == {"received": 2}
    assert [f["label"] for f in everything.facets["status"]] == ["待签收"]
    assert services.search(personas.yj_staff, {"q": "海陵岛"}).total == 0


def test_received_documents_reach_the_index_after_commit_and_follow_registration(
    embedded, org_tree, django_capture_on_commit_callbacks
):
    clerk = clerk_of(org_tree.jc_gov)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        paper = receive(org_tree.jc_gov, "关于闸坡渔港升级改造的请示", sender="江城区农业农村局", doc_type="请示")
    assert services.search(clerk, {"q": "闸坡渔港"}).total == 0  # nothing before the commit
    for callback in callbacks:
        callback()
    assert keys_of(services.search(clerk, {"q": "闸坡渔港"})) == {f"in:{paper.pk}"}

    flow = paper.flow
    with django_capture_on_commit_callbacks(execute=True):
        incoming_flow.approve(clerk, flow)  # 签收
    with django_capture_on_commit_callbacks(execute=True):
        incoming_flow.approve(clerk, flow)  # 登记: the 收文编号 is given
    paper.refresh_from_db()
    assert paper.reg_number
    hit = services.search(clerk, {"q": "闸坡渔港"}).hits[0]
    assert hit.status == paper.status != "receiving"
    assert services.check_index().ok


def test_archived_entries_have_box_retention_and_archive_code(exchanged, personas, org_tree, jc_staff):
    sent, received, _ = exchanged
    yj_archivist = archivist_of(org_tree.yj_gov, "yj_arch")
    jc_archivist = archivist_of(org_tree.jc_gov, "jc_arch")
    sent_item = archive_item(yj_archivist, document=sent, retention="Y", code="Q109-WS·2024-Y-BGS-0001")
    received_item = archive_item(jc_archivist, incoming=received, retention="D30", code="Q207-WS·2024-D30-BGS-0001")
    services.reindex_all()

    # Each archived document is one entry of its unit: the archive's, in 归档 (not also in 发文 / 收文).
    result = services.search(personas.yj_staff, {"q": "碧道"})
    assert keys_of(result) == {f"arc:{sent_item.pk}"} and boxes(result) == {"archived": 1}
    hit = result.hits[0]
    assert (hit.box_label, hit.retention, hit.archive_code) == ("归档", "永久", "Q109-WS·2024-Y-BGS-0001")
    assert "<mark>碧道</mark>" in hit.snippet_html
    result = services.search(jc_staff, {"q": "碧道"})
    assert keys_of(result) == {f"arc:{received_item.pk}"} and result.hits[0].retention == "30年"

    # 保管期限 filter (by word or by code) and 档号 search.
    assert keys_of(services.search(yj_archivist, {"retention": "永久"})) == {f"arc:{sent_item.pk}"}
    assert keys_of(services.search(jc_archivist, {"retention": "D30"})) == {f"arc:{received_item.pk}"}
    assert services.search(jc_archivist, {"retention": "永久"}).total == 0
    assert keys_of(services.search(yj_archivist, {"q": "Q109-WS·2024-Y-BGS-0001"})) == {f"arc:{sent_item.pk}"}
    assert [(f["value"], f["count"]) for f in services.search(yj_archivist, {"q": "碧道"}).facets["retention"]] == [
        ("永久", 1)
    ]
    # Another unit's archive stays invisible, its counts too.
    assert services.search(personas.jy_staff, {"q": "碧道"}).total == 0
    assert services.search(yj_archivist, {"q": "Q207-WS·2024-D30-BGS-0001"}).total == 0
    assert services.check_index().ok


def test_an_archive_of_another_units_document_is_for_that_units_archive_readers_only(embedded, personas, org_tree):
    """A co-issued document filed in a co-issuer's 全宗: its 档案员 and leaders find it there; its other staff
    do not (they cannot open the issuer's document); the issuer's unit keeps its own 发文 entry."""
    document = sent_document(personas.yj_staff, "关于联合开展校园安全检查的通知", "联合开展校园安全大检查。")
    edu_archivist = archivist_of(org_tree.yj_edu, "edu_arch")
    edu_staff = PersonFactory(username="edu_staff", name="教育局科员", unit=org_tree.yj_edu)
    item = archive_item(edu_archivist, document=document, retention="D10")
    services.reindex_all()
    assert keys_of(services.search(edu_archivist, {"q": "校园安全"})) == {f"arc:{item.pk}"}
    assert services.search(edu_staff, {"q": "校园安全"}).total == 0
    result = services.search(personas.yj_staff, {"q": "校园安全"})
    assert keys_of(result) == {f"doc:{document.pk}"} and boxes(result) == {"sent": 1}


def test_archiving_reaches_the_index_after_commit(embedded, personas, org_tree, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        document = sent_document(personas.yj_staff, "关于做好防汛防风工作的通知", "压实三防责任。")
    archivist = archivist_of(org_tree.yj_gov, "yj_arch")
    assert keys_of(services.search(archivist, {"q": "三防"})) == {f"doc:{document.pk}"}
    with django_capture_on_commit_callbacks(execute=True):
        item = archive_item(archivist, document=document, retention="D30")
    result = services.search(archivist, {"q": "三防"})
    assert keys_of(result) == {f"arc:{item.pk}"} and result.hits[0].box == "archived"
    assert services.check_index().ok


def test_the_archive_service_itself_files_a_received_document_into_the_index(
    embedded, org_tree, django_capture_on_commit_callbacks
):
    from documents.archive import services as archive
    from documents.workflow.models import IncomingDocument

    archivist = archivist_of(org_tree.jc_gov, "jc_arch")
    with django_capture_on_commit_callbacks(execute=True):
        paper = receive(org_tree.jc_gov, "关于报送农村人居环境整治情况的函", sender="江城区农业农村局", doc_type="函")
        with transaction.atomic():
            IncomingDocument.objects.filter(pk=paper.pk).update(status="done")  # its flow is not the point here
    with django_capture_on_commit_callbacks(execute=True):
        item = archive.archive(archivist, incoming=IncomingDocument.objects.get(pk=paper.pk), retention="D10")
    result = services.search(archivist, {"q": "人居环境"})
    assert keys_of(result) == {f"arc:{item.pk}"}
    assert (result.hits[0].retention, result.hits[0].archive_code) == ("10年", item.archive_code)
    assert services.check_index().ok


def test_check_and_reindex_cover_received_and_archived_entries(exchanged, org_tree, embedded, capsys):
    sent, received, paper = exchanged
    item = archive_item(archivist_of(org_tree.jc_gov, "jc_arch"), incoming=received)
    report = services.check_index()
    # The 收文 now archived is still indexed as a 收文 (no commit ran): it should give way to its archive entry.
    assert report.missing == [f"arc:{item.pk}"] and report.orphaned == [f"in:{received.pk}"]
    embedded.delete([f"in:{paper.pk}"])
    assert services.check_index().missing == [f"in:{paper.pk}", f"arc:{item.pk}"]
    call_command("search_check", "--fix")
    assert services.check_index().ok
    embedded.clear()
    call_command("search_reindex")
    assert "4/4" in capsys.readouterr().out  # rows read: 1 document + 2 收文 + 1 archive item
    assert set(embedded.fingerprints()) == {f"doc:{sent.pk}", f"in:{paper.pk}", f"arc:{item.pk}"}


def test_a_correction_of_an_archived_title_and_code_is_what_search_finds(
    embedded, personas, org_tree, django_capture_on_commit_callbacks
):
    from documents.archive.corrections import correct

    with django_capture_on_commit_callbacks(execute=True):
        document = sent_document(personas.yj_staff, "关于做好防汛防风工作的通知", "压实三防责任。")
    archivist = archivist_of(org_tree.yj_gov, "yj_arch")
    with django_capture_on_commit_callbacks(execute=True):
        item = archive_item(archivist, document=document, retention="D30")
    new_code = item.archive_code[:-4] + "0099"
    with django_capture_on_commit_callbacks(execute=True):
        correct(archivist, item, field="title", new_value="关于做好2024年防汛防台风工作的通知", reason="题名漏写年度")
        correct(archivist, item, field="archive_code", new_value=new_code, reason="件号编错")
    by_new_title = services.search(archivist, {"q": "防台风"})
    assert keys_of(by_new_title) == {f"arc:{item.pk}"}
    assert by_new_title.hits[0].archive_code == new_code
    assert keys_of(services.search(archivist, {"q": new_code})) == {f"arc:{item.pk}"}
    assert services.search(archivist, {"q": item.archive_code}).total == 0
    assert services.check_index().ok
