"""The browser test's server: the e2e application (tests/e2e/server_app.py) plus exchange hooks that run
*inside the server process*, so pushes reach the browser's socket over the in-memory channel layer.
Only tests/exchange/test_inbox_browser.py starts it."""

import json

from asgiref.sync import sync_to_async

from tests.e2e import server_app as base

PASSWORD = base.PASSWORD


def _setup() -> dict:
    from django.db import transaction

    from documents.models import Document, Status
    from oa.org import tree
    from oa.org.models import Person, Role, RoleAssignment, Unit

    def unit(fonds, name, level, parent=None):
        made, created = Unit.objects.get_or_create(
            fonds_number=fonds,
            defaults={
                "name": name,
                "short_name": name[:6],
                "code": fonds,
                "kind": "government",
                "level": level,
                "parent": parent,
            },
        )
        if created:
            tree.assign_path(made)
            made.save(update_fields=["path", "depth"])
        return made

    def clerk(username, name, where):
        person = Person.objects.filter(username=username).first()
        if person is None:
            person = Person.objects.create_user(username, password=PASSWORD, name=name, unit=where, title="收发员")
            RoleAssignment.objects.create(person=person, unit=where, role=Role.CLERK)
        return person

    city = unit("EXC001", "阳江市人民政府", 2)
    county = unit("EXC002", "江城区人民政府", 3, city)
    sender = clerk("exc_sender", "周收发", city)
    clerk("exc_clerk", "冯收发", county)
    with transaction.atomic():
        document = Document.objects.create(
            owner_unit=city, drafter=sender, title="关于做好秋冬季森林防火工作的通知", status=Status.DISTRIBUTING
        )
    return {
        "username": "exc_clerk",
        "sender_username": "exc_sender",
        "password": PASSWORD,
        "document": document.pk,
        "county": county.pk,
    }


def _dispatch(payload: dict) -> dict:
    from documents.exchange import services
    from documents.models import Document
    from oa.org.models import Person, Unit

    sender = Person.objects.get(username="exc_sender")
    created = services.dispatch(
        sender, Document.objects.get(pk=payload["document"]), [Unit.objects.get(pk=payload["county"])]
    )
    return {"deliveries": [d.pk for d in created]}


HOOKS = {"/__exchange__/setup": _setup, "/__exchange__/dispatch": _dispatch}


async def application(scope, receive, send):
    hook = HOOKS.get(scope.get("path", "")) if scope["type"] == "http" else None
    if hook is None:
        return await base.application(scope, receive, send)
    headers = dict(scope.get("headers", []))
    if headers.get(b"x-e2e-token") != base.TOKEN or scope.get("method") != "POST":
        status, result = 403, {"detail": "forbidden"}
    else:
        body = await base._read_body(receive)
        args = (json.loads(body),) if body else ()
        status, result = 200, await sync_to_async(hook)(*args)
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": json.dumps(result).encode()})
