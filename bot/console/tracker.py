"""Reading (and, for erasure, deleting) conversations in Rasa's SQL tracker store:
the table `events` that Rasa's SQLTrackerStore writes (TRACKER_STORE_URL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, inspect, select
from sqlalchemy.engine import Engine

from bot.db import get_engine

metadata = MetaData()
# The columns of rasa.core.tracker_store.SQLTrackerStore.SQLEvent (Rasa 3.6).
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)


@dataclass(frozen=True)
class Event:
    id: int
    sender_id: str
    type_name: str
    at: datetime
    data: dict


def engine(url: str) -> Engine:
    return get_engine(url)


def has_events_table(url: str) -> bool:
    return inspect(engine(url)).has_table("events")


def _event(row) -> Event:
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        data = {}
    return Event(
        id=row.id,
        sender_id=row.sender_id,
        type_name=row.type_name,
        at=datetime.fromtimestamp(row.timestamp or 0, tz=timezone.utc),
        data=data if isinstance(data, dict) else {},
    )


def events_after(url: str, last_id: int, limit: int) -> list[Event]:
    """The next events of every conversation, oldest first, after event id `last_id`."""
    if not has_events_table(url):
        return []
    with engine(url).connect() as connection:
        rows = connection.execute(
            select(events).where(events.c.id > last_id).order_by(events.c.id).limit(limit)
        ).all()
    return [_event(row) for row in rows]


def conversation_events(url: str, sender_id: str) -> Iterator[Event]:
    if not has_events_table(url):
        return iter(())
    with engine(url).connect() as connection:
        rows = connection.execute(
            select(events).where(events.c.sender_id == sender_id).order_by(events.c.id)
        ).all()
    return (_event(row) for row in rows)


def delete_conversation(url: str, sender_id: str) -> int:
    if not has_events_table(url):
        return 0
    with engine(url).begin() as connection:
        return connection.execute(delete(events).where(events.c.sender_id == sender_id)).rowcount


def create_events_table(url: str) -> None:
    """For tests and the benchmark; Rasa creates the table itself when it starts."""
    metadata.create_all(engine(url))
