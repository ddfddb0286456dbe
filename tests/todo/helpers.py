"""People and items for the todo/web/e2e tests."""

import itertools

from oa.org.models import Person
from oa.todo import services

_seq = itertools.count(1)
PASSWORD = "Gd-Test-Passw0rd!"


def make_person(name: str = "张三", **fields) -> Person:
    n = next(_seq)
    return Person.objects.create_user(username=f"user{n}", password=PASSWORD, name=name, **fields)


# Explicit: Client.force_login() otherwise picks the first backend with get_user(), which may not load users.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def login(client, person):
    client.force_login(person, backend=MODEL_BACKEND)
    return client


def give_todo(owner, actor=None, **overrides):
    values = {
        "owner": owner,
        "kind": "todo",
        "title": "关于做好2025年防汛工作的通知",
        "step": "审核",
        "url": "/documents/1/",
        "source_app": "documents",
        "source_id": "1",
        "category": "通知",
        "sender": "阳江市人民政府办公室",
    }
    values.update(overrides)
    return services.create_todo(actor, **values)
