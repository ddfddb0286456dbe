"""Security headers, cookie flags and the production check (等保 level 3)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/accounts/login/", "/"])
def test_security_headers_on_pages(db, client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_and_csrf_cookies_are_not_readable_by_scripts(personas, client):
    page = client.get("/accounts/login/")
    csrf = page.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    response = client.post("/accounts/login/", {"username": "yj_staff", "password": PASSWORD})
    session = response.cookies["sessionid"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert not session["max-age"]  # ends with the browser


def test_login_rotates_the_session_key(personas, client):
    client.get("/accounts/login/")
    client.session.save()
    before = client.session.session_key
    client.post("/accounts/login/", {"username": "yj_staff", "password": PASSWORD})
    assert client.session.session_key != before


def test_pages_with_credentials_are_not_cached(client, db):
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"]


def _production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OA_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        OA_PRODUCTION="true",
        OA_SECRET_KEY=secrets.token_urlsafe(64),
        OA_ALLOWED_HOSTS="oa.example.gov.cn",
        DJANGO_SETTINGS_MODULE="oa.settings",
        **extra,
    )
    return env


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(OA_VAR_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_only_the_documented_check_is_silenced():
    # axes.W006 (no per-address lockout) is a decision explained in settings.py; nothing else is hidden.
    assert list(django_settings.SILENCED_SYSTEM_CHECKS) == ["axes.W006"]
