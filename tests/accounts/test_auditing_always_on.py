"""Nobody can switch auditing off: no setting does it, and sign-in events are recorded under every
setting this area exposes."""

import re

import pytest
from django.conf import settings as django_settings

from tests.factories import PASSWORD

EXPOSED_SETTINGS = [
    {"AXES_ENABLED": False},
    {"AXES_FAILURE_LIMIT": 1000},
    {"AXES_ENABLE_ACCESS_FAILURE_LOG": False},
    {"AXES_DISABLE_ACCESS_LOG": True},
    {"IDLE_TIMEOUT_SECONDS": 10**9},
    {"PASSWORD_MAX_AGE_DAYS": 0},
    {"LOCKOUT_ADDRESS_FAILURES": 0},
    {"DEBUG": True},
]


@pytest.mark.parametrize("overrides", EXPOSED_SETTINGS, ids=lambda o: next(iter(o)))
def test_sign_in_events_are_recorded_whatever_the_settings(personas, client, settings, events, overrides):
    for name, value in overrides.items():
        setattr(settings, name, value)
    client.post("/accounts/login/", {"username": "yj_staff", "password": "Wrong-Passw0rd!"})
    client.post("/accounts/login/", {"username": "yj_staff", "password": PASSWORD})
    client.post("/accounts/logout/")
    assert [e.action for e in events()] == ["login_failed", "login", "logout"]


def test_no_setting_or_environment_variable_turns_auditing_off():
    switch = re.compile(r"AUDIT.*(ENABLE|DISABLE|OFF|SKIP)|(ENABLE|DISABLE|SKIP).*AUDIT", re.IGNORECASE)
    assert not [name for name in dir(django_settings) if switch.search(name)]
    source = (django_settings.BASE_DIR / "oa" / "settings.py").read_text(encoding="utf-8")
    assert not switch.search(" ".join(re.findall(r'"(OA_[A-Z_]+)"', source)))
