"""Rasa's SQL tracker store with the current session remembered between messages.

For every message Rasa's `SQLTrackerStore` reads all events of the conversation's latest
session, turns each back into an object and replays them (about 5 ms for a booking
conversation of 70 events), and before saving it counts the stored events again to find
the new ones. This store keeps, per conversation, the stored text of the latest session's
events (exactly the rows Rasa's query would return) with the number of events the
conversation has in the table and the highest id. Reading a conversation is then one
indexed `count`/`max` query: when both figures are unchanged, the remembered events are
used; when anything else wrote to or deleted from the conversation (another Rasa
instance, the console's erasure, a purge), the figures differ and the session is read
from the table as before. Saving writes only the events added since the read, in one
insert, so the extra count is gone. On SQLite the file is used in WAL mode as the
application database is (bot/db.py), with a few connections kept open: the console
reads while Rasa writes, and a commit is not a disk sync.

The table, the rows and what a conversation looks like after a read are the same as with
Rasa's store: the remembered events are the JSON text that was written, turned into
events the same way. `endpoints.yml` selects it as `type: bot.tracker_store.HelpdeskTrackerStore`.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.orm import sessionmaker

from bot.db import sqlite_pragmas

logger = logging.getLogger(__name__)

# Conversations remembered per process; the least recently used are forgotten first.
REMEMBERED_CONVERSATIONS = 1000
# Attribute on a tracker this store handed out: what of it is already in the table.
_READ_STATE = "_helpdesk_read_state"


@dataclass(frozen=True)
class StoredSession:
    """The latest session of one conversation as it is in the table."""

    rows: int  # all events of the conversation in the table, every session
    last_id: int | None  # the highest event id of the conversation
    events: tuple[str, ...]  # the JSON text of the latest session's events, in id order


@dataclass(frozen=True)
class ReadState:
    """What of a handed-out tracker is in the table: its first events, stored as `texts`."""

    texts: tuple[str, ...]
    rows: int
    last_id: int | None


def latest_session(events: Sequence[tuple[Event, str]]) -> tuple[str, ...]:
    """The events Rasa's query would return: those at or after the latest session start.

    Mirrors `SQLTrackerStore._event_query`: the newest `SessionStarted` timestamp, or all
    events when the conversation has none.
    """
    starts = [event.timestamp for event, _ in events if isinstance(event, SessionStarted)]
    if not starts:
        return tuple(text for _, text in events)
    start = max(starts)
    return tuple(text for event, text in events if event.timestamp >= start)


class HelpdeskTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore` that remembers each conversation's latest session (see the module)."""

    engine: sa.engine.Engine  # set by SQLTrackerStore.__init__ (untyped there)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sessions: OrderedDict[str, StoredSession] = OrderedDict()
        if self.engine.dialect.name == "sqlite":
            # Rasa opens a new SQLite connection for every read and write (SQLAlchemy 1.4's
            # NullPool for files); keep a few open instead, set up as the application
            # database's are (bot/db.py).
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(
                url, poolclass=sa.pool.QueuePool, pool_size=4, connect_args={"check_same_thread": False}
            )
            sa.event.listen(self.engine, "connect", sqlite_pragmas)
            self.sessionmaker = sessionmaker(bind=self.engine)

    def forget(self, sender_id: str | None = None) -> None:
        """Drops what is remembered about one conversation, or about all of them."""
        if sender_id is None:
            self._sessions.clear()
        else:
            self._sessions.pop(sender_id, None)

    def _remember(self, sender_id: str, session: StoredSession) -> None:
        self._sessions[sender_id] = session
        self._sessions.move_to_end(sender_id)
        while len(self._sessions) > REMEMBERED_CONVERSATIONS:
            self._sessions.popitem(last=False)

    def _figures(self, connection: Any, sender_id: str) -> tuple[int, int | None]:
        """How many events the conversation has in the table, and the highest id."""
        table = self.SQLEvent.__table__
        rows, last_id = connection.execute(
            sa.select(sa.func.count(table.c.id), sa.func.max(table.c.id)).where(
                table.c.sender_id == sender_id
            )
        ).one()
        return int(rows), last_id

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session of the conversation, from memory when the table has not changed."""
        with self.engine.connect() as connection:
            rows, last_id = self._figures(connection, sender_id)
        remembered = self._sessions.get(sender_id)
        if remembered is not None and (remembered.rows, remembered.last_id) == (rows, last_id):
            self._sessions.move_to_end(sender_id)
        elif rows == 0:
            self.forget(sender_id)
            return None
        else:
            with self.session_scope() as session:
                query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
                texts = tuple(text for (text,) in query.with_entities(self.SQLEvent.data).all())
            # Figures read before the events: if something was written in between, the next
            # read sees different figures and reads the table again.
            remembered = StoredSession(rows=rows, last_id=last_id, events=texts)
            self._remember(sender_id, remembered)
        if not self.domain or not remembered.events:
            return None
        tracker = DialogueStateTracker.from_dict(
            sender_id, [json.loads(text) for text in remembered.events], self.domain.slots
        )
        if len(tracker.events) == len(remembered.events):  # else an event was skipped: save as Rasa does
            setattr(tracker, _READ_STATE, ReadState(remembered.events, rows, last_id))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Writes the events added since the read (Rasa's own way for a tracker not read here)."""
        read: ReadState | None = getattr(tracker, _READ_STATE, None)
        if read is None:
            with self.engine.connect() as connection:
                rows, last_id = self._figures(connection, tracker.sender_id)
            if rows == 0:  # a new conversation (Rasa's `create_tracker`): every event is new
                read = ReadState(texts=(), rows=0, last_id=None)
        events = list(tracker.events)
        if read is None or len(read.texts) > len(events):
            self.forget(tracker.sender_id)
            await super().save(tracker)
            return
        await self.stream_events(tracker)
        new = [self._row(tracker.sender_id, event) for event in events[len(read.texts) :]]
        last_id = read.last_id
        if new:
            table = self.SQLEvent.__table__
            with self.engine.begin() as connection:
                connection.execute(table.insert(), new)
                last_id = connection.execute(
                    sa.select(sa.func.max(table.c.id)).where(table.c.sender_id == tracker.sender_id)
                ).scalar()
        texts = read.texts + tuple(row["data"] for row in new)
        now = ReadState(texts=texts, rows=read.rows + len(new), last_id=last_id)
        setattr(tracker, _READ_STATE, now)
        self._remember(
            tracker.sender_id,
            StoredSession(
                rows=now.rows, last_id=last_id, events=latest_session(list(zip(events, texts, strict=True)))
            ),
        )
        logger.debug("Tracker with sender_id '%s' stored to database", tracker.sender_id)

    def _row(self, sender_id: str, event: Event) -> dict[str, Any]:
        """The table row of one event, filled as Rasa's store fills it."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }
