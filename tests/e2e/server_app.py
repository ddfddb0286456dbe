"""The ASGI app the browser test runs under daphne in a child process: the real oa.asgi application on a
fresh SQLite file, plus two test-only HTTP hooks (guarded by a per-run token) so the test can create work
*inside the server process* — the in-memory channel layer only reaches sockets of the same process.

Never imported by the project; only ``tests/e2e`` starts it.
"""

import json
import os

import django
from django.core.management import call_command

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oa.test_settings")
django.setup()
call_command("migrate", verbosity=0, interactive=False)

from asgiref.sync import sync_to_async  # noqa: E402

from oa.asgi import application as oa_application  # noqa: E402

TOKEN = os.environ["OA_E2E_TOKEN"].encode()
USERNAME = "e2e_leader"
PASSWORD = "Gd-E2e-Passw0rd!2025"


def _seed() -> dict:
    from oa.org.models import Person, Unit

    unit, _ = Unit.objects.get_or_create(
        fonds_number="E2E001",
        defaults={
            "name": "阳江市人民政府", "short_name": "阳江市政府", "code": "阳府", "kind": "government", "level": 2
        },
    )
    person = Person.objects.filter(username=USERNAME).first()
    if person is None:
        person = Person.objects.create_user(USERNAME, password=PASSWORD, name="吴市长", unit=unit, title="市长")
    return {"username": USERNAME, "password": PASSWORD, "user_id": person.pk}


def _give(payload: dict) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from oa.org.models import Person
    from oa.todo.services import create_todo

    owner = Person.objects.get(username=USERNAME)
    days = payload.pop("deadline_in_days", None)
    if days is not None:
        payload["deadline"] = timezone.now() + timedelta(days=days)
    item = create_todo(None, owner=owner, **payload)
    return {"id": item.pk}


def _idle_all_sessions() -> dict:
    """Make every session look idle past the limit, as if the person had left the tablet for half an hour."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    from oa.accounts.middleware import LAST_ACTIVITY_KEY

    aged = 0
    for row in Session.objects.all():
        store = SessionStore(session_key=row.session_key)
        if store.get(LAST_ACTIVITY_KEY) is not None:
            store[LAST_ACTIVITY_KEY] -= int(settings.IDLE_TIMEOUT_SECONDS) + 60
            store.save()
            aged += 1
    return {"aged": aged}


def _person(payload: dict) -> dict:
    """Another person in the seeded unit (tests/e2e/test_chat.py: two people chatting)."""
    from oa.org.models import Person, Unit

    unit = Unit.objects.get(fonds_number="E2E001")
    person = Person.objects.filter(username=payload["username"]).first()
    if person is None:
        person = Person.objects.create_user(
            payload["username"], password=PASSWORD, name=payload["name"], unit=unit, title="科员"
        )
    return {"username": person.username, "password": PASSWORD, "user_id": person.pk}


HOOKS = {
    "/__e2e__/seed": _seed,
    "/__e2e__/todo": _give,
    "/__e2e__/idle": _idle_all_sessions,
    "/__e2e__/person": _person,
}


async def _read_body(receive) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def application(scope, receive, send):
    hook = HOOKS.get(scope.get("path", "")) if scope["type"] == "http" else None
    if hook is None:
        return await oa_application(scope, receive, send)
    headers = dict(scope.get("headers", []))
    if headers.get(b"x-e2e-token") != TOKEN or scope.get("method") != "POST":
        status, result = 403, {"detail": "forbidden"}
    else:
        body = await _read_body(receive)
        args = (json.loads(body),) if body else ()
        status, result = 200, await sync_to_async(hook)(*args)
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps(result).encode()})


def _signoff_flow(payload: dict | None = None) -> dict:
    """A 发文 waiting for the seeded leader's 签发 (tests/e2e/test_tablet_signoff.py)."""
    import datetime

    from documents import services
    from documents.workflow import outgoing
    from oa.org.models import LeaderKind, Person, Role, RoleAssignment, Unit

    unit = Unit.objects.get(fonds_number="E2E001")
    leader = Person.objects.get(username=USERNAME)
    RoleAssignment.objects.get_or_create(
        person=leader, unit=unit, role=Role.SIGNER, defaults={"leader_kind": LeaderKind.PRINCIPAL}
    )
    clerk = Person.objects.filter(username="e2e_clerk").first() or Person.objects.create_user(
        "e2e_clerk", password=PASSWORD, name="周收发", unit=unit, title="收发员"
    )
    RoleAssignment.objects.get_or_create(person=clerk, unit=unit, role=Role.CLERK)
    drafter = Person.objects.filter(username="e2e_drafter").first() or Person.objects.create_user(
        "e2e_drafter", password=PASSWORD, name="王科员", unit=unit, title="科员"
    )
    document = services.create_draft(
        drafter,
        {
            "doc_type": "通知",
            "title": "阳江市人民政府关于做好防汛工作的通知",
            "main_recipients_text": "各县（市、区）人民政府",
            "body": [{"kind": "paragraph", "text": "为做好今年防汛工作，现将有关事项通知如下。"}],
            "written_date": datetime.date(2025, 5, 6),
        },
    )
    flow = outgoing.submit(drafter, document)
    outgoing.approve(clerk, flow, opinion="核稿无误")
    return {"flow_id": flow.pk, "document_id": document.pk}


HOOKS["/__e2e__/signoff_flow"] = _signoff_flow


def _load_area_hooks() -> None:
    """Each area keeps its scenario hooks in ``tests/e2e/hooks_<area>.py`` with a ``HOOKS`` dict of its own,
    so areas never edit this file to add one."""
    import importlib
    import pathlib

    for path in sorted(pathlib.Path(__file__).parent.glob("hooks_*.py")):
        module = importlib.import_module(f"tests.e2e.{path.stem}")
        HOOKS.update({f"/__e2e__/{name}": hook for name, hook in module.HOOKS.items()})


_load_area_hooks()
