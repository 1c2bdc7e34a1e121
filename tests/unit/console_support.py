"""Helpers for the console tests: a real Rasa SQL tracker store (Rasa's own
SQLTrackerStore writes the `events` table), the web app on a real SQLite database,
accounts, and logging in through the login form."""

from __future__ import annotations

import asyncio
import re
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


class Conversations:
    """Writes conversations with Rasa's own tracker store, as a running Rasa would."""

    def __init__(self, path: Path) -> None:
        self.store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
        self.trackers: dict[str, DialogueStateTracker] = {}

    def add(self, sender_id: str, *events) -> None:
        tracker = self.trackers.get(sender_id)
        if tracker is None:
            tracker = DialogueStateTracker(sender_id, [])
            self.trackers[sender_id] = tracker
        for event in events:
            tracker.update(event)
        asyncio.run(self.store.save(tracker))


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
        return accounts.issue_token(session, accounts.find_account(session, email))


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
