import pytest
from django.urls import reverse

from tests.factories import PASSWORD

LOGIN_URL = "/accounts/login/"


@pytest.fixture
def login_url():
    return reverse("accounts:login")


@pytest.fixture
def attempt(client, login_url):
    """POST the login form the way a browser does (axes needs the request passed to authenticate())."""

    def _attempt(username, password=PASSWORD, address="10.20.30.40", c=None, **extra):
        return (c or client).post(
            login_url, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
        )

    return _attempt


@pytest.fixture
def events():
    from oa.audit.models import AuditEvent

    def _events(action=None, **filters):
        qs = AuditEvent.objects.order_by("seq")
        if action:
            qs = qs.filter(action=action)
        return list(qs.filter(**filters))

    return _events
