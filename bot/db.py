"""Database access: one engine per URL, one session per unit of work.

Every table of the application database derives from `Base`; Alembic migrations
under `bot/migrations/` create and change them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.types import DateTime, TypeDecorator

Base = declarative_base()


def get_engine(url: str) -> Engine:
    """The engine of `url` (one per URL and process, shared by all sessions)."""
    return _engine(url)


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"future": True, "pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", sqlite_pragmas)
    return engine


def sqlite_pragmas(dbapi_connection, _record) -> None:
    """Settings of every SQLite connection (an engine's "connect" listener). WAL keeps
    readers (the console) from blocking writers (bookings) and, with synchronous=NORMAL,
    syncs to disk at checkpoints instead of at every commit: a crashed process loses
    nothing committed, a power cut at most the last commits. Foreign keys are off by
    default in SQLite."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back on error."""
    factory = sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# --- storing moments -----------------------------------------------------------------


class UTCDateTime(TypeDecorator):
    """A moment stored as naive UTC (same on SQLite and PostgreSQL), read back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column; attach a time zone first")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # SQLite through raw text() queries
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=timezone.utc)


def utc_now() -> datetime:
    """The real clock in UTC, for technical time stamps (outbox, created_at)."""
    return datetime.now(timezone.utc)
