"""The tracker store that remembers the latest session (bot/tracker_store.py), on real SQLite
files, against Rasa's own SQLTrackerStore: the same rows in the table, the same tracker after
every read, and the table read again whenever anything else changed the conversation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot import tracker_store as module
from bot.tracker_store import HelpdeskTrackerStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def run(coroutine):
    return asyncio.run(coroutine)


def store(kind, domain: Domain, path: Path):
    return kind(domain=domain, host=f"sqlite:///{path}")


class Clock:
    """Event timestamps that always go forward, as in a real conversation."""

    def __init__(self, start: float = 1_790_000_000.0) -> None:
        self.now = start

    def __call__(self, seconds: float = 0.5) -> float:
        self.now += seconds
        return self.now

    def later(self, seconds: float) -> Clock:
        self.now += seconds
        return self


def session_start(clock: Clock) -> list[Event]:
    return [
        SlotSet("session_started_metadata", {"source": "widget"}, timestamp=clock()),
        ActionExecuted("action_session_start", timestamp=clock()),
        SessionStarted(timestamp=clock()),
        ActionExecuted("action_listen", timestamp=clock()),
    ]


def message(clock: Clock, text: str, intent: str, *replies: Event) -> list[Event]:
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.97}, "entities": []}
    return [
        UserUttered(text, parse["intent"], [], parse, timestamp=clock()),
        *replies,
        ActionExecuted("action_listen", timestamp=clock()),
    ]


def conversation(clock: Clock) -> list[list[Event]]:
    """Messages as Rasa handles them: session start, a topic question, a form, a new session."""
    return [
        session_start(clock) + message(clock, "Hallo", "greet", BotUttered("Goedendag!", timestamp=clock())),
        message(
            clock,
            "Wij willen exporteren naar Duitsland",
            "ask_export",
            ActionExecuted("action_answer_topic", timestamp=clock()),
            SlotSet("last_topic", "export", timestamp=clock()),
            BotUttered("Dit past bij uw vraag.", timestamp=clock()),
        ),
        message(
            clock,
            "Ik wil een adviseur spreken",
            "request_advisor",
            ActionExecuted("booking_form", timestamp=clock()),
            ActiveLoop("booking_form", timestamp=clock()),
            SlotSet("requested_slot", "person_name", timestamp=clock()),
        ),
        message(
            clock,
            "Jan Jansen",
            "inform",
            ActionExecuted("booking_form", timestamp=clock()),
            SlotSet("person_name", "Jan Jansen", timestamp=clock()),
        ),
        # The session expired: Rasa starts a new one inside this message.
        session_start(clock.later(4000)) + message(clock, "Ben ik er weer", "greet"),
        message(clock, "bedankt", "thank", BotUttered("Graag gedaan.", timestamp=clock())),
    ]


async def handle(kind_store, sender: str, events: list[Event]) -> None:
    """One message: read (or create) the tracker, add the message's events, save."""
    tracker = await kind_store.retrieve(sender)
    if tracker is None:
        tracker = await kind_store.create_tracker(sender, append_action_listen=False)
    for event in events:
        tracker.update(event)
    await kind_store.save(tracker)


COLUMNS = "sender_id, type_name, timestamp, intent_name, action_name, data"


def rows(path: Path) -> list[tuple]:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        found = connection.execute(sa.text(f"SELECT {COLUMNS} FROM events ORDER BY id")).fetchall()
    engine.dispose()
    return [tuple(row) for row in found]


def state(tracker: DialogueStateTracker | None) -> dict | None:
    return None if tracker is None else tracker.current_state(EventVerbosity.ALL)


class Statements:
    """The SQL statements an engine runs, seen through SQLAlchemy's own event hook."""

    def __init__(self, engine) -> None:
        self.seen: list[str] = []
        sa.event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _connection, _cursor, statement, *_args) -> None:
        self.seen.append(" ".join(statement.split()))

    def take(self) -> list[str]:
        seen, self.seen = self.seen, []
        return seen


def test_same_rows_and_same_tracker_as_rasas_store(domain, tmp_path):
    clock_a, clock_b = Clock(), Clock()
    ours = store(HelpdeskTrackerStore, domain, tmp_path / "ours.db")
    rasas = store(SQLTrackerStore, domain, tmp_path / "rasa.db")
    for ours_events, rasa_events in zip(conversation(clock_a), conversation(clock_b), strict=True):
        run(handle(ours, "jan", ours_events))
        run(handle(rasas, "jan", rasa_events))
        # What Rasa's own store reads from our table equals what ours hands out.
        reader = store(SQLTrackerStore, domain, tmp_path / "ours.db")
        assert state(run(ours.retrieve("jan"))) == state(run(reader.retrieve("jan")))
        assert state(run(ours.retrieve("jan"))) == state(run(rasas.retrieve("jan")))
    assert rows(tmp_path / "ours.db") == rows(tmp_path / "rasa.db")
    # The new session is what is handed out; the old one stays in the table.
    tracker = run(ours.retrieve("jan"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["Ben ik er weer", "bedankt"]
    assert tracker.get_slot("person_name") is None
    assert len(rows(tmp_path / "ours.db")) == sum(len(m) for m in conversation(Clock()))


def test_an_unchanged_conversation_is_read_with_one_small_query(domain, tmp_path):
    ours = store(HelpdeskTrackerStore, domain, tmp_path / "t.db")
    messages = conversation(Clock())
    run(handle(ours, "jan", messages[0]))
    statements = Statements(ours.engine)
    run(ours.retrieve("jan"))
    # Reading: only the count and highest id of the conversation, not its events.
    (read,) = statements.take()
    assert read.startswith("SELECT count(events.id)") and "max(events.id)" in read and "data" not in read
    run(handle(ours, "jan", messages[1]))
    written = statements.take()
    # Writing: one insert of the new rows, and no count of the stored session as Rasa does.
    assert [s.split(" ")[0] for s in written] == ["SELECT", "INSERT", "SELECT"]
    assert not any("session_start" in s for s in written)


def test_events_written_by_another_instance_are_read_from_the_table(domain, tmp_path):
    path = tmp_path / "t.db"
    first = store(HelpdeskTrackerStore, domain, path)
    second = store(HelpdeskTrackerStore, domain, path)
    messages = conversation(Clock())
    run(handle(first, "jan", messages[0]))
    run(handle(first, "jan", messages[1]))
    # The next message of the conversation lands on the other instance.
    run(handle(second, "jan", messages[2]))
    tracker = run(first.retrieve("jan"))
    assert tracker.active_loop_name == "booking_form"
    assert state(tracker) == state(run(store(SQLTrackerStore, domain, path).retrieve("jan")))
    # And what `first` then writes continues the table without a gap or a double row.
    run(handle(first, "jan", messages[3]))
    assert len(rows(path)) == sum(len(m) for m in messages[:4])
    assert run(second.retrieve("jan")).get_slot("person_name") == "Jan Jansen"


def test_an_erased_conversation_is_not_handed_out_again(domain, tmp_path):
    path = tmp_path / "t.db"
    ours = store(HelpdeskTrackerStore, domain, path)
    run(handle(ours, "jan", conversation(Clock())[0]))
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events WHERE sender_id = 'jan'"))
    engine.dispose()
    assert run(ours.retrieve("jan")) is None


def test_a_tracker_not_read_here_is_saved_the_way_rasa_saves_it(domain, tmp_path):
    written = {}
    for kind in (HelpdeskTrackerStore, SQLTrackerStore):
        path = tmp_path / f"{kind.__name__}.db"
        kind_store = store(kind, domain, path)
        messages = conversation(Clock())
        run(handle(kind_store, "jan", messages[0]))
        # A tracker built elsewhere (as Rasa's HTTP API does): Rasa counts what is stored.
        built = DialogueStateTracker.from_events("jan", messages[0] + messages[1], domain.slots)
        run(kind_store.save(built))
        written[kind] = rows(path)
        reader = store(SQLTrackerStore, domain, path)
        assert state(run(kind_store.retrieve("jan"))) == state(run(reader.retrieve("jan")))
    assert written[HelpdeskTrackerStore] == written[SQLTrackerStore]


def test_only_so_many_conversations_are_remembered(domain, tmp_path, monkeypatch):
    monkeypatch.setattr(module, "REMEMBERED_CONVERSATIONS", 3)
    ours = store(HelpdeskTrackerStore, domain, tmp_path / "t.db")
    for number in range(5):
        run(handle(ours, f"user-{number}", conversation(Clock())[0]))
    assert list(ours._sessions) == ["user-2", "user-3", "user-4"]
    # A forgotten conversation is simply read from the table again.
    assert run(ours.retrieve("user-0")).latest_message.text == "Hallo"


def test_same_rows_on_a_database_server(domain, tmp_path, postgres_url):
    # PostgreSQL (as in the scale-out profile). The test name keeps "postgresql" out of
    # tmp_path: Rasa takes any URL containing that word for a PostgreSQL URL.
    ours = HelpdeskTrackerStore(domain=domain, host=postgres_url)
    rasas = store(SQLTrackerStore, domain, tmp_path / "rasa.db")
    for ours_events, rasa_events in zip(conversation(Clock()), conversation(Clock()), strict=True):
        run(handle(ours, "jan", ours_events))
        run(handle(rasas, "jan", rasa_events))
        assert state(run(ours.retrieve("jan"))) == state(run(rasas.retrieve("jan")))
    reader = SQLTrackerStore(domain=domain, host=postgres_url)
    assert state(run(reader.retrieve("jan"))) == state(run(ours.retrieve("jan")))
    with ours.engine.connect() as connection:
        written = connection.execute(sa.text(f"SELECT {COLUMNS} FROM events ORDER BY id")).fetchall()
    assert [tuple(row) for row in written] == rows(tmp_path / "rasa.db")
    ours.engine.dispose()
    reader.engine.dispose()


def test_a_sqlite_file_is_used_in_wal_mode_over_one_kept_connection(domain, tmp_path):
    path = tmp_path / "t.db"
    ours = store(HelpdeskTrackerStore, domain, path)
    opened = []
    sa.event.listen(ours.engine, "connect", lambda *_: opened.append(1))
    for events in conversation(Clock()):
        run(handle(ours, "jan", events))
    assert len(opened) == 1  # Rasa's own store opens one per read and one per write
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()
