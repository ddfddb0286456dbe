"""The whole path: a 发文 through its workflow to 待分发, dispatched to its 主送 units (closing the 分发 step),
signed for at 江城区, where the 收文 flow starts past the 签收 step the clerk already did here."""

from documents.exchange import services
from documents.exchange.models import Delivery, State
from documents.models import Document, Status
from documents.workflow import outgoing
from documents.workflow.models import Flow, IncomingDocument


def test_dispatch_from_the_outgoing_flow_and_sign_for_starts_the_incoming_flow(
    ex, make_draft, personas, org_tree, run_commits
):
    document = make_draft()
    flow = outgoing.submit(personas.yj_staff, document)
    outgoing.approve(personas.yj_clerk, flow)
    outgoing.approve(personas.yj_mayor, Flow.objects.get(pk=flow.pk))
    outgoing.approve(personas.yj_clerk, Flow.objects.get(pk=flow.pk))
    outgoing.mark_sealed(personas.yj_clerk, document)
    assert Document.objects.get(pk=document.pk).status == Status.DISTRIBUTING
    main, cc = services.addressee_units(document)
    assert main == [org_tree.jc_gov]
    run_commits(services.dispatch, personas.yj_clerk, document, main, cc=cc)
    flow.refresh_from_db()
    assert flow.finished and flow.state == "distributed"
    assert Document.objects.get(pk=document.pk).status == Status.DISTRIBUTED
    delivery = Delivery.objects.get(document=document)
    assert delivery.state == State.DELIVERED
    run_commits(services.sign_for, ex.jc_clerk, delivery.pk)
    incoming = IncomingDocument.objects.get(unit=org_tree.jc_gov)
    assert incoming.source_number == Document.objects.get(pk=document.pk).doc_number
    incoming_flow = Flow.objects.get(incoming=incoming)
    assert incoming_flow.state != "receiving"  # 签收 done once, in the exchange
