"""Benchmark of the advisors' conversation list (issue 10: within 300 ms at 10,000
conversations).

Writes N conversations in Rasa's event format into a fresh SQLite tracker store,
folds them into the summaries (timed), logs in through the login form and times the
list page and the API with several filters. Prints a table; docs/performance.md
records the figures.

    .venv/bin/python scripts/bench_console.py [--conversations 10000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot import migrate
from bot.console import accounts, summaries, tracker
from bot.db import get_engine, session_scope
from bot.settings import settings_from

QUESTIONS = {
    "ask_export": "ik wil naar Duitsland exporteren, waar begin ik",
    "ask_financing": "hoe kom ik aan een lening voor mijn bedrijf",
    "ask_start": "hoe schrijf ik me in bij de kvk",
    "ask_corona_scheme": "moet ik de tvl terugbetalen",
    "ask_growth": "ik wil personeel aannemen",
    "ask_digitalisation": "ik wil een webshop beginnen",
}


def event_rows(sender_id: str, start: float, rng: random.Random) -> list[dict]:
    rows = []
    moment = start

    def add(type_name: str, data: dict, intent: str | None = None, action: str | None = None) -> None:
        nonlocal moment
        moment += rng.uniform(1, 20)
        data = {"event": type_name, "timestamp": moment, **data}
        rows.append(
            {
                "sender_id": sender_id,
                "type_name": type_name,
                "timestamp": moment,
                "intent_name": intent,
                "action_name": action,
                "data": json.dumps(data),
            }
        )

    add("action", {"name": "action_session_start"}, action="action_session_start")
    add("session_started", {})
    add("action", {"name": "action_listen"}, action="action_listen")
    for _ in range(rng.randint(1, 3)):
        intent = rng.choice(list(QUESTIONS))
        understood = rng.random() > 0.15
        name = intent if understood else "nlu_fallback"
        confidence = rng.uniform(0.75, 0.99) if understood else rng.uniform(0.2, 0.5)
        parse = {
            "intent": {"name": name, "confidence": confidence},
            "entities": [],
            "text": QUESTIONS[intent],
        }
        add("user", {"text": QUESTIONS[intent], "parse_data": parse}, intent=name)
        if not understood:
            add("action", {"name": "action_clarify"}, action="action_clarify")
        add("bot", {"text": "Een antwoord van de assistent.", "data": {"buttons": None}})
        add("action", {"name": "action_listen"}, action="action_listen")
    if rng.random() < 0.2:
        parse = {"intent": {"name": "request_advisor", "confidence": 1.0}, "entities": []}
        add("user", {"text": "/request_advisor", "parse_data": parse}, intent="request_advisor")
    if rng.random() < 0.3:
        add("slot", {"name": "rating", "value": rng.randint(1, 10)})
    return rows


def _group(found: re.Match[str] | None) -> str:
    assert found is not None, "no CSRF token on the login page"
    return found.group(1)


def timed(call, repeat: int) -> tuple[float, float]:
    durations = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        durations.append((time.perf_counter() - began) * 1000)
    durations.sort()
    return statistics.median(durations), durations[max(0, int(len(durations) * 0.95) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from starlette.testclient import TestClient

    from bot.web.app import create_app

    work = Path(tempfile.mkdtemp(prefix="bench-console-"))
    database_url = f"sqlite:///{work / 'loket.db'}"
    tracker_url = f"sqlite:///{work / 'tracker.db'}"
    migrate.upgrade(database_url)
    tracker.create_events_table(tracker_url)
    rng = random.Random(2021)
    now = datetime(2026, 12, 2, 10, tzinfo=timezone.utc)
    began = time.perf_counter()
    with get_engine(tracker_url).begin() as connection:
        batch: list[dict] = []
        for number in range(args.conversations):
            start = (now - timedelta(minutes=rng.uniform(0, 60 * 24 * 180))).timestamp()
            batch.extend(event_rows(f"bench-{number:05d}", start, rng))
            if len(batch) > 20_000:
                connection.execute(tracker.events.insert(), batch)
                batch = []
        if batch:
            connection.execute(tracker.events.insert(), batch)
        events = connection.execute(tracker.events.select().with_only_columns(tracker.events.c.id)).all()
    written = time.perf_counter() - began
    print(f"{args.conversations} conversations, {len(events)} events written in {written:.1f} s")

    settings = settings_from(
        {
            "DATABASE_URL": database_url,
            "TRACKER_STORE_URL": tracker_url,
            "LOKET_FAKE_NOW": "2026-12-02T11:00:00",
        }
    )
    began = time.perf_counter()
    with session_scope(database_url) as session:
        folded = summaries.sync(session, settings)
    print(f"first sync: {folded} events folded in {time.perf_counter() - began:.1f} s")

    with session_scope(database_url) as session:
        accounts.add_account(session, "bench@example.org", "Bench", "advisor", "bench-wachtwoord-123")
        account = accounts.find_account(session, "bench@example.org")
        assert account is not None
        token = accounts.issue_token(session, account)
    http = TestClient(create_app(settings))
    login = http.get("/console/login")
    csrf = _group(re.search(r'name="csrf_token" value="([^"]+)"', login.text))
    http.post(
        "/console/login",
        data={"email": "bench@example.org", "password": "bench-wachtwoord-123", "csrf_token": csrf},
    )
    yesterday = "2026-12-01"
    cases = [
        ("console: newest first, page 1", "/console/gesprekken"),
        (
            "console: yesterday, handed off",
            f"/console/gesprekken?date_from={yesterday}&date_to={yesterday}&handed_off=ja",
        ),
        ("console: topic + fallbacks", "/console/gesprekken?topic=ask_export&fallbacks=ja"),
        ("console: free text search", "/console/gesprekken?q=webshop"),
        ("console: low ratings, page 5", "/console/gesprekken?rating=laag&page=5"),
        ("console: last page", f"/console/gesprekken?page={args.conversations // summaries.PAGE_SIZE}"),
        ("api: /api/conversations", "/api/conversations"),
    ]
    headers = {"Authorization": f"Bearer {token}"}
    print(f"\n{'request':36} {'median ms':>10} {'p95 ms':>8}")
    worst = 0.0
    for label, path in cases:
        response = http.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        median, p95 = timed(lambda path=path: http.get(path, headers=headers), args.repeat)
        worst = max(worst, p95)
        print(f"{label:36} {median:10.1f} {p95:8.1f}")
    print(f"\nworst p95: {worst:.1f} ms (goal: 300 ms) -> {'OK' if worst <= 300 else 'TOO SLOW'}")
    return 0 if worst <= 300 else 1


if __name__ == "__main__":
    raise SystemExit(main())
