"""Shared fixtures: a fresh, migrated application database per test.

`database_url` is a real SQLite file; `postgres_url` is a fresh database on the
PostgreSQL server that `make test` starts (TEST_POSTGRES_URL). Outside `make test`
the PostgreSQL tests are skipped, unless REQUIRE_POSTGRES=1 makes that a failure.
"""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from bot import migrate
from bot.db import get_engine
from bot.settings import get_settings


def _use_database(monkeypatch: pytest.MonkeyPatch, url: str) -> str:
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    migrate.upgrade(url)
    return url


@pytest.fixture
def database_url(tmp_path, monkeypatch) -> str:
    url = _use_database(monkeypatch, f"sqlite:///{tmp_path / 'loket.db'}")
    yield url
    get_engine(url).dispose()
    get_settings.cache_clear()


@pytest.fixture
def postgres_url(monkeypatch) -> str:
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
    yield _use_database(monkeypatch, url)
    get_engine(url).dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    get_settings.cache_clear()
