"""Helpers for the console tests: a real Rasa SQL tracker store (Rasa's own
SQLTrackerStore writes the `events` table), the web app on a real SQLite database,
accounts, and logging in through the login form."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from starlette.testclient import TestClient

from bot.console import accounts
from bot.db import session_scope
from bot.settings import Settings, settings_from
from bot.web.app import create_app

TZ = ZoneInfo("Europe/Amsterdam")
PASSWORD = "een-lang-wachtwoord-42"
FAKE_NOW = "2026-12-02T10:00:00"


def ts(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=TZ).timestamp()


def console_settings(database_url: str, tracker_path: Path, **extra: str) -> Settings:
    return settings_from(
        {
            "DATABASE_URL": database_url,
            "TRACKER_STORE_URL": f"sqlite:///{tracker_path}",
            "LOKET_FAKE_NOW": FAKE_NOW,
            **extra,
        }
    )


# The slots the sample conversations set (the real domain has them too).
DOMAIN = Domain.from_dict(
    {
        "slots": {
            name: {"type": "any", "mappings": [{"type": "custom"}]}
            for name in ("country", "rating", "rating_comment", "requested_slot")
        }
    }
)


class Conversations:
    """Writes conversations with Rasa's own tracker store, as a running Rasa would."""

    def __init__(self, path: Path) -> None:
        self.store = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(path))
        self.trackers: dict[str, DialogueStateTracker] = {}

    def add(self, sender_id: str, *events) -> None:
        tracker = self.trackers.get(sender_id)
        if tracker is None:
            tracker = DialogueStateTracker(sender_id, DOMAIN.slots)
            self.trackers[sender_id] = tracker
        for event in events:
            tracker.update(event)
        # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, self.store.save(tracker)).result()


def start(at: str) -> list:
    moment = ts(at)
    return [
        ActionExecuted("action_session_start", timestamp=moment),
        SessionStarted(timestamp=moment),
        ActionExecuted("action_listen", timestamp=moment),
    ]


def user(text: str, intent: str, confidence: float, at: str, entities=(), ranking=None) -> UserUttered:
    parse = {
        "intent": {"name": intent, "confidence": confidence},
        "entities": list(entities),
        "text": text,
        "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
    }
    return UserUttered(text, parse["intent"], list(entities), parse, timestamp=ts(at))


def bot(text: str, at: str, buttons=None) -> BotUttered:
    return BotUttered(text, {"buttons": buttons} if buttons else {}, timestamp=ts(at))


def slot(name: str, value, at: str) -> SlotSet:
    return SlotSet(name, value, timestamp=ts(at))


def action(name: str, at: str) -> ActionExecuted:
    return ActionExecuted(name, timestamp=ts(at))


def add_account(database_url: str, email: str, role: str = "advisor", name: str = "Anna Adviseur") -> None:
    with session_scope(database_url) as session:
        accounts.add_account(session, email, name, role, PASSWORD)


def token_for(database_url: str, email: str) -> str:
    with session_scope(database_url) as session:
        account = accounts.find_account(session, email)
        assert account is not None
        return accounts.issue_token(session, account)


def client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings), base_url="http://testserver", follow_redirects=False)


def csrf_in(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def log_in(http: TestClient, email: str, password: str = PASSWORD):
    page = http.get("/console/login")
    return http.post(
        "/console/login",
        data={"email": email, "password": password, "csrf_token": csrf_in(page.text), "next": ""},
    )


def add_booking(database_url: str, sender_id: str | None, reference: str, start: str, **fields):
    """An appointment as the booking form leaves it (with an agenda advisor)."""
    from datetime import timedelta

    from bot import crm
    from bot.booking.appointments import crm_payload
    from bot.booking.models import Advisor, Appointment

    with session_scope(database_url) as session:
        advisor = session.query(Advisor).first()
        if advisor is None:
            advisor = Advisor(first_name="Femke", name="Femke (test)", email="femke@adviseurs.example.org")
            session.add(advisor)
            session.flush()
        begin = datetime.fromisoformat(start).replace(tzinfo=TZ)
        values = {
            "kind": "appointment",
            "person_name": "Jan de Vries",
            "email": "jan@bakkerij.example.org",
            "phone": "+31612345678",
            "municipality": "Assen",
            "question_summary": "Export naar Duitsland",
            "topics": ["ask_export"],
            **fields,
        }
        appointment = Appointment(
            reference=reference,
            advisor_id=advisor.id,
            start=begin,
            end=begin + timedelta(minutes=45),
            sender_id=sender_id,
            **values,
        )
        session.add(appointment)
        session.flush()
        payload = crm_payload(appointment, settings_from({}))
        crm.enqueue(session, crm.BOOKED_EVENT, payload, reference=reference, sender_id=sender_id)
        return appointment.id


def sample_conversations(conversations: Conversations) -> None:
    """Three conversations: yesterday's export question handed off, an older one that
    was not understood (with script in it), and one from this morning."""
    conversations.add(
        "gesprek-export",
        *start("2026-12-01T14:00:00"),
        user(
            "Ik wil naar Duitsland exporteren",
            "ask_export",
            0.93,
            "2026-12-01T14:00:05",
            entities=[{"entity": "country", "value": "Duitsland", "start": 14, "end": 23}],
        ),
        action("action_answer_topic", "2026-12-01T14:00:06"),
        bot(
            "De Exportcarrousel helpt u op weg.",
            "2026-12-01T14:00:06",
            buttons=[{"title": "Een adviseur spreken", "payload": "/request_advisor"}],
        ),
        slot("country", "Duitsland", "2026-12-01T14:00:06"),
        user("/request_advisor", "request_advisor", 1.0, "2026-12-01T14:01:00"),
        bot("Wat is uw naam?", "2026-12-01T14:01:01"),
        slot("rating", 8, "2026-12-01T14:05:00"),
    )
    conversations.add(
        "gesprek-onduidelijk",
        *start("2026-11-20T20:00:00"),
        user(
            "blabla <script>alert(1)</script>",
            "nlu_fallback",
            0.45,
            "2026-11-20T20:00:05",
            ranking=[
                {"name": "nlu_fallback", "confidence": 0.45},
                {"name": "ask_growth", "confidence": 0.31},
            ],
        ),
        action("action_clarify", "2026-11-20T20:00:06"),
        bot(
            "Bedoelt u een van deze onderwerpen?",
            "2026-11-20T20:00:06",
            buttons=[{"title": "Groeien", "payload": "/ask_growth"}],
        ),
        user("hoe zit het met die tvl dinges", "ask_corona_scheme", 0.61, "2026-11-20T20:01:00"),
        bot("De TVL is gesloten.", "2026-11-20T20:01:01"),
        slot("rating", 3, "2026-11-20T20:02:00"),
        slot("rating_comment", "niet geholpen, bel me op 06-12345678", "2026-11-20T20:02:30"),
    )
    conversations.add(
        "gesprek-start",
        *start("2026-12-02T09:00:00"),
        user("hoe begin ik een eigen bedrijf", "ask_start", 0.98, "2026-12-02T09:00:05"),
        bot("Begin bij de KVK.", "2026-12-02T09:00:06"),
    )


def must_find(pattern: str, html: str) -> re.Match[str]:
    found = re.search(pattern, html)
    assert found is not None, f"{pattern!r} not in the page"
    return found
