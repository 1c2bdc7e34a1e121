"""Shared fixtures.

`configure(NAME=value)` sets environment variables and returns the Settings they make;
`settings` is the Settings of a test with its own database. Services get these passed,
as they get them from the entry points in production.
`database_url` is a fresh, migrated application database in a real SQLite file;
`postgres_url` is a fresh database on the PostgreSQL server that `make test` starts
(TEST_POSTGRES_URL). Outside `make test` the PostgreSQL tests are skipped, unless
REQUIRE_POSTGRES=1 makes that a failure.

`helpdesk` starts the real help desk (`python -m bot serve`: Rasa, actions, web app,
CRM worker) once per test run on spare ports with fresh databases, and `crm` is the
real local HTTP server it delivers cases to; the end-to-end and browser tests share them.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from bot import migrate
from bot.db import get_engine
from bot.settings import Settings, get_settings


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Settings]]:
    """`configure(NAME=value, …)` sets environment variables for the code under test (None
    removes one) and returns the Settings they make: the tests pass these to the services,
    and the actions, which read `get_settings()` at their entry, see the same. This fixture
    is the one place that refreshes the cached settings."""

    def apply(**env: str | None) -> Settings:
        for name, value in env.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        get_settings.cache_clear()
        return get_settings()

    yield apply
    get_settings.cache_clear()


def _use_database(configure: Callable[..., Settings], url: str) -> str:
    configure(DATABASE_URL=url)
    migrate.upgrade(url)
    return url


@pytest.fixture
def database_url(tmp_path, configure) -> Iterator[str]:
    url = _use_database(configure, f"sqlite:///{tmp_path / 'loket.db'}")
    yield url
    get_engine(url).dispose()


@pytest.fixture
def settings(database_url, configure) -> Settings:
    """The settings of a test with a fresh database of its own; `configure` changes more."""
    return configure()


@pytest.fixture
def postgres_url(configure) -> Iterator[str]:
    server = os.environ.get("TEST_POSTGRES_URL")
    if not server:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("TEST_POSTGRES_URL is not set but REQUIRE_POSTGRES=1")
        pytest.skip("no PostgreSQL server (make test starts one)")
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.rsplit("/", 1)[0] + f"/{name}"
    yield _use_database(configure, url)
    get_engine(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# --- the running help desk -------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 240
# A Wednesday morning: the help desk is open, so a booking is an appointment.
FAKE_NOW = "2026-12-02T10:00:00"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CrmEndpoint:
    """A real HTTP server on loopback standing in for the program's CRM webhook."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                endpoint.received.append(
                    {"key": self.headers.get("Idempotency-Key"), "body": json.loads(body)}
                )
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cases"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="session")
def crm():
    endpoint = CrmEndpoint()
    yield endpoint
    endpoint.close()


@pytest.fixture(scope="session")
def helpdesk(tmp_path_factory, crm):
    work = tmp_path_factory.mktemp("helpdesk")
    rasa_port, actions_port, web_port = free_port(), free_port(), free_port()
    env = dict(os.environ)
    env.update(
        {
            "RASA_PORT": str(rasa_port),
            "ACTIONS_PORT": str(actions_port),
            "WEB_PORT": str(web_port),
            "DATABASE_URL": f"sqlite:///{work / 'loket.db'}",
            "TRACKER_STORE_URL": f"sqlite:///{work / 'tracker.db'}",
            "RASA_API_TOKEN": "e2e-token",
            "RASA_TELEMETRY_ENABLED": "false",
            "LOKET_FAKE_NOW": FAKE_NOW,
            "CRM_WEBHOOK_URL": crm.url,
        }
    )
    python = str(ROOT / ".venv" / "bin" / "python")
    for command in (["db", "upgrade"], ["catalog", "load"], ["agenda", "seed-sample"]):
        subprocess.run([python, "-m", "bot", *command], cwd=ROOT, env=env, check=True)
    with open(work / "serve.log", "w") as log:
        process = subprocess.Popen(
            [python, "-m", "bot", "serve"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{rasa_port}"
        try:
            _wait_until_ready(base, actions_port, web_port, process, work / "serve.log")
            yield {
                "base": base,
                "web": f"http://127.0.0.1:{web_port}",
                "token": "e2e-token",
                "work": work,
                "env": env,
                "python": python,
            }
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_ready(
    base: str, actions_port: int, web_port: int, process: subprocess.Popen, log: Path
) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve stopped early:\n{log.read_text()[-4000:]}")
        try:
            status = requests.get(f"{base}/status", params={"token": "e2e-token"}, timeout=2)
            actions = requests.get(f"http://127.0.0.1:{actions_port}/health", timeout=2)
            web = requests.get(f"http://127.0.0.1:{web_port}/healthz", timeout=2)
            if status.ok and status.json().get("model_file") and actions.ok and web.ok:
                return
        except requests.RequestException:
            pass
        time.sleep(2)
    raise RuntimeError(f"help desk not ready after {STARTUP_SECONDS}s:\n{log.read_text()[-4000:]}")
