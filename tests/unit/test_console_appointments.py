"""Appointments and call-backs in the console and the API: urgent first, status
planned/done/cancelled/no-show changed by a form (with CSRF), the CRM delivery state
and "opnieuw versturen" for failed deliveries, a link to the conversation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from console_support import add_account, add_booking, client, console_settings, csrf_in, log_in, token_for

from bot.booking.models import Appointment
from bot.crm import OutboxMessage
from bot.db import session_scope, utc_now


@pytest.fixture
def desk(database_url, tmp_path):
    settings = console_settings(database_url, tmp_path / "tracker.db")
    add_account(database_url, "anna@vraagbaak.example.org")
    add_booking(database_url, "gesprek-1", "AFS-AAAAA2", "2026-12-03T10:00:00")
    add_booking(
        database_url,
        "gesprek-2",
        "AFS-BBBBB3",
        "2026-12-04T19:00:00",
        kind="callback",
        urgent=True,
        person_name="Els Zorg",
        phone="+31687654321",
        email=None,
    )
    add_booking(database_url, None, "AFS-CCCCC4", "2026-12-02T15:00:00", person_name="Piet Klaar")
    with session_scope(database_url) as session:
        failing = session.query(OutboxMessage).filter_by(reference="AFS-AAAAA2").one()
        failing.attempts, failing.last_error = 3, "HTTP 503: CRM onderhoud"
        failing.next_attempt_at = utc_now() + timedelta(minutes=30)
        delivered = session.query(OutboxMessage).filter_by(reference="AFS-CCCCC4").one()
        delivered.delivered_at, delivered.attempts = utc_now(), 1
    return {"settings": settings, "db": database_url}


def order_of(html: str) -> list[str]:
    import re

    return re.findall(r"<code>(AFS-[A-Z0-9]{6})</code>", html)


def test_list_urgent_first_with_crm_state_and_conversation_link(desk):
    http = client(desk["settings"])
    log_in(http, "anna@vraagbaak.example.org")
    page = http.get("/console/afspraken")
    assert order_of(page.text) == ["AFS-BBBBB3", "AFS-CCCCC4", "AFS-AAAAA2"]
    assert "Spoed" in page.text and "terugbelverzoek" in page.text
    assert "wacht (poging 3 mislukt)" in page.text and "afgeleverd" in page.text
    assert 'href="/console/gesprek/gesprek-1"' in page.text
    # Only the failed delivery offers "opnieuw versturen".
    assert page.text.count("Opnieuw versturen") == 1
    assert order_of(http.get("/console/afspraken?kind=callback").text) == ["AFS-BBBBB3"]
    assert order_of(http.get("/console/afspraken?date_from=2026-12-03&date_to=2026-12-03").text) == [
        "AFS-AAAAA2"
    ]


def test_status_changes(desk):
    http = client(desk["settings"])
    log_in(http, "anna@vraagbaak.example.org")
    token = csrf_in(http.get("/console/afspraken").text)
    refused = http.post("/console/afspraken/AFS-CCCCC4/status", data={"status": "done"})
    assert refused.status_code == 403  # no CSRF token
    http.post("/console/afspraken/AFS-CCCCC4/status", data={"status": "done", "csrf_token": token})
    http.post("/console/afspraken/AFS-AAAAA2/status", data={"status": "no_show", "csrf_token": token})
    assert order_of(http.get("/console/afspraken?status=done").text) == ["AFS-CCCCC4"]
    assert order_of(http.get("/console/afspraken?status=no_show").text) == ["AFS-AAAAA2"]
    assert order_of(http.get("/console/afspraken?status=planned").text) == ["AFS-BBBBB3"]
    # Back to planned is allowed; cancelling goes through the booking (slot freed, CRM told).
    http.post("/console/afspraken/AFS-AAAAA2/status", data={"status": "planned", "csrf_token": token})
    http.post("/console/afspraken/AFS-BBBBB3/status", data={"status": "cancelled", "csrf_token": token})
    with session_scope(desk["db"]) as session:
        assert session.query(Appointment).filter_by(reference="AFS-BBBBB3").one().status == "cancelled"
        events = [m.event_type for m in session.query(OutboxMessage).filter_by(reference="AFS-BBBBB3")]
        assert events == ["appointment.booked", "appointment.cancelled"]
    again = http.post("/console/afspraken/AFS-BBBBB3/status", data={"status": "planned", "csrf_token": token})
    assert "kan niet terug" in http.get(again.headers["location"]).text
    assert order_of(http.get("/console/afspraken?status=planned").text) == ["AFS-AAAAA2"]


def test_send_again_makes_the_failed_delivery_due_now(desk):
    http = client(desk["settings"])
    log_in(http, "anna@vraagbaak.example.org")
    token = csrf_in(http.get("/console/afspraken").text)
    response = http.post("/console/afspraken/AFS-AAAAA2/opnieuw", data={"csrf_token": token})
    assert "opnieuw naar het CRM verstuurd" in http.get(response.headers["location"]).text
    with session_scope(desk["db"]) as session:
        message = session.query(OutboxMessage).filter_by(reference="AFS-AAAAA2").one()
        assert message.next_attempt_at <= utc_now() and message.delivered_at is None


def test_api_appointments(desk):
    headers = {"Authorization": f"Bearer {token_for(desk['db'], 'anna@vraagbaak.example.org')}"}
    http = client(desk["settings"])
    items = http.get("/api/appointments", headers=headers).json()
    assert [item["reference"] for item in items] == ["AFS-BBBBB3", "AFS-CCCCC4", "AFS-AAAAA2"]
    callback = items[0]
    for key in (
        "reference",
        "kind",
        "start",
        "status",
        "person_name",
        "email",
        "phone",
        "municipality",
        "sender_id",
    ):
        assert key in callback
    assert callback["kind"] == "callback" and callback["status"] == "planned"
    assert callback["start"] == "2026-12-04T19:00:00+01:00" and callback["sender_id"] == "gesprek-2"
    assert http.get("/api/appointments?status=kwijt", headers=headers).status_code == 400
    assert [i["reference"] for i in http.get("/api/appointments?kind=callback", headers=headers).json()] == [
        "AFS-BBBBB3"
    ]
    assert http.get("/api/appointments").status_code == 401
