"""Scenario hooks for tests/e2e/test_workflow_live.py, run inside the daphne process (the in-memory channel
layer only reaches sockets of that process)."""

PASSWORD = "Gd-E2e-Passw0rd!2025"


def _people():
    from oa.org.models import LeaderKind, Person, Role, RoleAssignment, Unit

    unit, _ = Unit.objects.get_or_create(
        fonds_number="E2EWF1",
        defaults={
            "name": "阳西县人民政府",
            "short_name": "阳西县政府",
            "code": "阳西府",
            "kind": "government",
            "level": 3,
        },
    )

    def person(username, name, role=None):
        found = Person.objects.filter(username=username).first() or Person.objects.create_user(
            username, password=PASSWORD, name=name, unit=unit, title="科员"
        )
        if role:
            kind = {"leader_kind": LeaderKind.PRINCIPAL} if role == Role.SIGNER else {}
            RoleAssignment.objects.get_or_create(person=found, unit=unit, role=role, defaults=kind)
        return found

    return {
        "drafter": person("wf_drafter", "林科员"),
        "clerk": person("wf_clerk", "黄收发", Role.CLERK),
        "leader": person("wf_leader", "陈县长", Role.SIGNER),
    }


def live_flow(payload: dict | None = None) -> dict:
    """A 发文 at 签发 (the drafter watches its page)."""
    from documents import services
    from documents.workflow import outgoing

    people = _people()
    document = services.create_draft(
        people["drafter"],
        {
            "doc_type": "通知",
            "title": "阳西县人民政府关于做好秋季防火工作的通知",
            "main_recipients_text": "各镇人民政府",
            "body": [{"kind": "paragraph", "text": "现将秋季防火工作有关事项通知如下。"}],
        },
    )
    flow = outgoing.submit(people["drafter"], document)
    outgoing.approve(people["clerk"], flow, opinion="核稿无误")
    return {"flow_id": flow.pk, "username": "wf_drafter", "password": PASSWORD}


def leader_signs(payload: dict) -> dict:
    from documents.workflow import outgoing
    from documents.workflow.models import Flow

    flow = outgoing.approve(_people()["leader"], Flow.objects.get(pk=payload["flow_id"]), opinion="同意印发")
    return {"state": flow.state}


HOOKS = {"workflow_live_flow": live_flow, "workflow_leader_signs": leader_signs}
