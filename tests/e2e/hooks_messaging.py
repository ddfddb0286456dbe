"""Scenario hooks for tests/e2e/test_chat.py (run inside the server process)."""

PASSWORD = "Gd-E2e-Messaging-Passw0rd!2025"
TITLE = "关于转发省三防指挥部防御台风“海鸥”的紧急通知"
GROUP = "防台风工作群"


def _share_setup(payload=None) -> dict:
    """A 收文 arrived at 阳西县人民政府 (its 收发员 holds the 签收 task); a group of two of its staff and a
    colleague from another county, who is in the chat but may not see the 收文."""
    from documents.workflow import incoming
    from documents.workflow.models import IncomingDocument
    from oa.messaging import services
    from oa.messaging.models import Conversation
    from oa.org.models import Person, Role, RoleAssignment, Unit

    def unit(fonds, name, short):
        found, _ = Unit.objects.get_or_create(
            fonds_number=fonds,
            defaults={"name": name, "short_name": short, "code": short[:2], "kind": "government", "level": 3},
        )
        return found

    county, other = unit("E2EM01", "阳西县人民政府", "阳西县政府"), unit("E2EM02", "阳东区人民政府", "阳东区政府")

    def person(username, name, where, role=None):
        found = Person.objects.filter(username=username).first()
        if found is None:
            found = Person.objects.create_user(username, password=PASSWORD, name=name, unit=where, title="科员")
        if role:
            RoleAssignment.objects.get_or_create(person=found, unit=where, role=role)
        return found

    person("e2e_msg_clerk", "阳西收发员", county, Role.CLERK)
    sharer = person("e2e_msg_sharer", "陈科长", county)
    colleague = person("e2e_msg_colleague", "林科员", county)
    outsider = person("e2e_msg_outsider", "黄科员", other)
    received = IncomingDocument.objects.filter(unit=county, title=TITLE).first()
    if received is None:
        received = incoming.receive(None, unit=county, title=TITLE, sender_name="阳江市三防指挥部").incoming
    group = Conversation.objects.filter(title=GROUP).first()
    if group is None:
        group = services.create_group(sharer, title=GROUP, members=[colleague, outsider])
    return {
        "password": PASSWORD,
        "sharer": sharer.username,
        "colleague": colleague.username,
        "outsider": outsider.username,
        "flow": received.flow.pk,
        "title": TITLE,
        "group": group.pk,
        "group_title": GROUP,
    }


HOOKS = {"share_setup": _share_setup}
