"""A real server for browser tests: daphne (HTTP + WebSocket on one port) in a child process."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Live updates cross a socket, a worker and a loaded 2-core CI box: give them room. A pass costs no extra time.
expect.set_options(timeout=15_000)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, url: str, token: str):
        self.url = url
        self.token = token

    def hook(self, name: str, payload: dict | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.url}/__e2e__/{name}",
            data=json.dumps(payload).encode() if payload is not None else b"",
            headers={"X-E2E-Token": self.token, "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())


@pytest.fixture(scope="session")
def asgi_server(tmp_path_factory):
    var = tmp_path_factory.mktemp("e2e-var")
    port = _free_port()
    token = secrets.token_hex(16)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oa.test_settings",
        "OA_VAR_DIR": str(var),
        # Its own throw-away database, whatever profile the suite runs on (never CI's PostgreSQL database).
        "OA_DB_ENGINE": "sqlite",
        "OA_SQLITE_PATH": str(var / "e2e.sqlite3"),
        "OA_REDIS_URL": "",  # in-memory channel layer: the test's hooks run inside the server process
        "OA_E2E_TOKEN": token,
    }
    log = open(var / "daphne.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "tests.e2e.server_app:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # The child migrates a fresh database before it listens: on a loaded 2-core CI box that alone has
        # taken over a minute.
        deadline = time.monotonic() + float(os.environ.get("OA_E2E_START_SECONDS", "300"))
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"daphne did not start:\n{(var / 'daphne.log').read_text(errors='replace')}")
            time.sleep(0.2)
        yield LiveServer(url, token)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
