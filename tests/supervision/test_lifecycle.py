"""The item's life: raise → sign → progress → ask to close → approve / send back; each step's todos."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oa.audit.models import AuditEvent
from oa.core.errors import NotFoundError, PermissionDeniedError, ServiceError
from oa.supervision import services, states
from oa.supervision.models import Event, ItemUnit, Status
from oa.todo.models import TodoItem
from tests.supervision.conftest import at

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def open_todos(person, step=None):
    query = TodoItem.objects.filter(owner=person, state="open", source_app="supervision")
    return query.filter(step=step) if step else query


def test_transition_table_is_the_only_source_of_truth():
    assert states.check(Status.PENDING_SIGN, "sign_lead") == Status.IN_PROGRESS
    assert states.check(Status.CLOSE_REQUESTED, "send_back") == Status.IN_PROGRESS
    assert states.check(Status.IN_PROGRESS, "report_progress") == Status.IN_PROGRESS
    for status in (Status.CLOSED, Status.CANCELLED):
        for action in states.TRANSITIONS:
            assert not states.allowed(status, action), (status, action)
    with pytest.raises(ServiceError, match="当前为“办理中”，不能同意办结"):
        states.check(Status.IN_PROGRESS, "approve_close")


def test_full_cycle_with_send_back(sv, raise_for):
    with at(2026, 9, 1):
        item = raise_for(milestones=[("拿出初步方案", date(2026, 9, 20))])
        assert item.status == Status.PENDING_SIGN
        assert item.raising_unit == sv.tree.yj_gov and item.supervisor == sv.sup and item.leader == sv.mayor
        # Both carrying units' handlers are asked to sign (their clerks and leaders).
        assert open_todos(sv.edu_clerk, "签收督办").count() == 1
        assert open_todos(sv.edu_head, "签收督办").count() == 1
        assert open_todos(sv.jc_clerk, "签收督办").count() == 1
        assert not open_todos(sv.edu_staff).exists()

        # A cooperating unit's 签收 does not start the item; the lead unit's does.
        services.sign_item(sv.jc_clerk, item)
        item.refresh_from_db()
        assert item.status == Status.PENDING_SIGN
        services.sign_item(sv.edu_clerk, item)
        item.refresh_from_db()
        assert item.status == Status.IN_PROGRESS
        assert item.next_report_due == date(2026, 9, 8)  # 5 working days
        # The whole unit's sign-for todo closes, whoever signed; the handling todo opens.
        assert not open_todos(sv.edu_head, "签收督办").exists()
        assert open_todos(sv.edu_head, "办理督办").count() == 1
        with pytest.raises(ServiceError, match="本单位已于"):
            services.sign_item(sv.edu_head, item)

        milestone = item.milestones.get()
        upload = SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
        report = services.report_progress(
            sv.edu_staff, item, text="已完成摸底调查。", percent=40, milestone=milestone.pk, attachments=[upload]
        )
        assert report.attachments.get().kind == "pdf"
        item.refresh_from_db()
        assert item.progress_percent == 40
        assert open_todos(sv.sup, "督办进展").count() == 1

    with at(2026, 10, 20):
        with pytest.raises(PermissionDeniedError):
            services.request_close(sv.edu_staff, item, text="完成")  # a plain member cannot ask to close
        services.request_close(sv.edu_clerk, item, text="方案已印发。")
        item.refresh_from_db()
        assert item.status == Status.CLOSE_REQUESTED and item.completed_on == date(2026, 10, 20)
        assert open_todos(sv.sup, "审核办结").count() == 1
        with pytest.raises(ServiceError, match="退回理由不能为空"):
            services.send_back(sv.sup, item, reason=" ")
        services.send_back(sv.sup, item, reason="缺少经费测算。")
        item.refresh_from_db()
        assert item.status == Status.IN_PROGRESS and item.completed_on is None
        assert not open_todos(sv.sup, "审核办结").exists()
        assert open_todos(sv.edu_clerk, "督办退回").filter(title__contains="缺少经费测算").exists()

    with at(2026, 10, 28):
        services.request_close(sv.edu_head, item, text="已补充经费测算。")
        services.approve_close(sv.sup, item, opinion="同意。")
        item.refresh_from_db()
        assert item.status == Status.CLOSED and item.completed_on == date(2026, 10, 28)
        assert not open_todos(sv.edu_clerk, "办理督办").exists()
        assert not open_todos(sv.jc_clerk, "办理督办").exists()
        assert open_todos(sv.mayor, "督办办结").count() == 1
        with pytest.raises(ServiceError, match="已办结"):
            services.report_progress(sv.edu_staff, item, text="补充")

    kinds = list(Event.objects.filter(item=item).values_list("kind", flat=True))
    assert kinds == [
        "raised",
        "signed",
        "signed",
        "progress",
        "close_requested",
        "sent_back",
        "close_requested",
        "closed",
    ]
    actions = set(AuditEvent.objects.filter(action__startswith="supervision.").values_list("action", flat=True))
    assert {"supervision.raise", "supervision.sign", "supervision.send_back", "supervision.approve_close"} <= actions


def test_progress_needs_the_units_sign_for_first(sv, raise_for):
    with at(2026, 9, 1):
        item = raise_for()
        services.sign_item(sv.edu_clerk, item)
        with pytest.raises(ServiceError, match="尚未签收"):
            services.report_progress(sv.jc_clerk, item, text="配合情况")


def test_who_may_raise_and_what_is_checked(sv, raise_for):
    with at(2026, 9, 1):
        with pytest.raises(PermissionDeniedError, match="督查员或领导"):
            services.raise_item(
                sv.yj_staff,
                title="x",
                instruction="y",
                source_kind="direct",
                lead_unit=sv.tree.yj_edu,
                deadline=date(2026, 10, 9),
            )
        # A leader raises from an instruction: they become the item's leader.
        item = services.raise_item(
            sv.mayor,
            title="整治河道",
            instruction="请抓紧。",
            source_kind="instruction",
            source_ref="documents.incoming:42",
            source_url="/documents/incoming/42/",
            lead_unit=sv.tree.jc_gov,
            deadline=10,
        )
        assert item.leader == sv.mayor and item.supervisor is None and item.deadline == date(2026, 9, 15)
        # The unit's 督查员 supervises it all the same (no named supervisor).
        services.get_item_for(sv.sup, item.pk)
        with pytest.raises(ServiceError, match="应用.模型:编号"):
            raise_for(source_ref="javascript:alert(1)")
        with pytest.raises(ServiceError, match="节点"):
            raise_for(milestones=[("太晚", date(2026, 12, 1))])
        with pytest.raises(ServiceError, match="批示领导"):
            raise_for(leader=None)


def test_cancel_closes_every_todo(sv, raise_for):
    with at(2026, 9, 1):
        item = raise_for()
        services.cancel_item(sv.sup, item, reason="领导批示撤回")
        item.refresh_from_db()
        assert item.status == Status.CANCELLED
        assert not open_todos(sv.edu_clerk, "签收督办").exists()
        with pytest.raises(ServiceError):
            services.sign_item(sv.edu_clerk, item)


def test_outsider_cannot_act_even_through_the_service(sv, raise_for):
    with at(2026, 9, 1):
        item = raise_for()
        for call in (
            lambda: services.sign_item(sv.outsider, item),
            lambda: services.report_progress(sv.outsider, item, text="x"),
            lambda: services.approve_close(sv.outsider, item),
            lambda: services.remind(sv.outsider, item),
        ):
            with pytest.raises(NotFoundError):
                call()
        # The lead unit may not decide for the 督查员.
        with pytest.raises(PermissionDeniedError):
            services.remind(sv.edu_head, item)
    assert ItemUnit.objects.filter(item=item, signed_at__isnull=False).count() == 0


def test_attachments_are_checked_by_content_and_size(sv, raise_for, settings):
    settings.SUPERVISION_ATTACHMENT_MAX_MB = 1
    with at(2026, 9, 1):
        item = raise_for()
        services.sign_item(sv.edu_clerk, item)
        fake = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")
        with pytest.raises(ServiceError, match="不是允许的类型"):
            services.report_progress(sv.edu_staff, item, text="x", attachments=[fake])
        renamed = SimpleUploadedFile("报告.docx", PDF)
        with pytest.raises(ServiceError, match="扩展名与内容不符"):
            services.report_progress(sv.edu_staff, item, text="x", attachments=[renamed])
        big = SimpleUploadedFile("大.pdf", PDF + b"0" * (1024 * 1024))
        with pytest.raises(ServiceError, match="过大"):
            services.report_progress(sv.edu_staff, item, text="x", attachments=[big])
        with pytest.raises(ServiceError, match="0 至 100"):
            services.report_progress(sv.edu_staff, item, text="x", percent=150)
    assert not item.reports.exists()
