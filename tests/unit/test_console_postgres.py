"""The console on PostgreSQL (as in production with several Rasa instances): the
migration, summaries from a Rasa tracker store on PostgreSQL, the filters, the API
and an admin's erasure behave as on SQLite."""

from __future__ import annotations

from console_support import (
    DOMAIN,
    Conversations,
    add_account,
    add_booking,
    client,
    log_in,
    sample_conversations,
    token_for,
)
from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import create_engine, text

from bot.booking.models import Appointment
from bot.db import session_scope
from bot.settings import settings_from


class PostgresConversations(Conversations):
    def __init__(self, url: str) -> None:
        self.store = SQLTrackerStore(DOMAIN, host=url)
        self.trackers: dict = {}


def test_console_on_postgres(postgres_url):
    sample_conversations(PostgresConversations(postgres_url))
    settings = settings_from(
        {
            "DATABASE_URL": postgres_url,
            "TRACKER_STORE_URL": postgres_url,
            "LOKET_FAKE_NOW": "2026-12-02T10:00:00",
        }
    )
    add_account(postgres_url, "anna@vraagbaak.example.org")
    add_account(postgres_url, "beheer@vraagbaak.example.org", role="admin")
    appointment_id = add_booking(postgres_url, "gesprek-export", "AFS-PGPG23", "2026-12-04T10:00:00")
    http = client(settings)
    log_in(http, "anna@vraagbaak.example.org")
    page = http.get("/console/gesprekken?date_from=2026-12-01&date_to=2026-12-01&handed_off=ja&q=duitsland")
    assert page.status_code == 200 and 'href="/console/gesprek/gesprek-export"' in page.text
    assert "1 gesprek gevonden" in page.text
    assert "&lt;script&gt;" in http.get("/console/gesprek/gesprek-onduidelijk").text
    assert "hoe zit het met die tvl dinges" in http.get("/console/inbox").text
    assert "Gemiddeld cijfer: <strong>5,5</strong>" in http.get("/console/beoordelingen").text
    headers = {"Authorization": f"Bearer {token_for(postgres_url, 'beheer@vraagbaak.example.org')}"}
    items = http.get("/api/conversations?rating=laag", headers=headers).json()
    assert [item["sender_id"] for item in items] == ["gesprek-onduidelijk"]
    assert http.get("/api/appointments", headers=headers).json()[0]["reference"] == "AFS-PGPG23"
    assert http.delete("/api/conversations/gesprek-export", headers=headers).status_code == 204
    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        senders = set(connection.execute(text("SELECT DISTINCT sender_id FROM events")).scalars())
    engine.dispose()
    assert senders == {"gesprek-onduidelijk", "gesprek-start"}
    with session_scope(postgres_url) as session:
        assert session.get(Appointment, appointment_id).person_name == "[verwijderd]"
