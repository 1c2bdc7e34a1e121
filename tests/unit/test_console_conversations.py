"""Conversations in the console and the API: summaries folded incrementally from a real
Rasa tracker store, the list with its filters in the URL, the transcript, review marks,
tags and notes, and the admin's erasure of a conversation and its personal data."""

from __future__ import annotations

import json
import re

import pytest
from console_support import (
    Conversations,
    add_account,
    add_booking,
    bot,
    client,
    console_settings,
    csrf_in,
    log_in,
    must_find,
    sample_conversations,
    token_for,
    user,
)
from sqlalchemy import create_engine, text

from bot.console import summaries
from bot.console.models import AuditEntry, ConversationSummary, SyncCursor
from bot.crm import OutboxMessage
from bot.db import session_scope


@pytest.fixture
def desk(database_url, tmp_path):
    tracker = tmp_path / "tracker.db"
    conversations = Conversations(tracker)
    sample_conversations(conversations)
    settings = console_settings(database_url, tracker)
    add_account(database_url, "anna@vraagbaak.example.org")
    add_account(database_url, "beheer@vraagbaak.example.org", role="admin", name="Bert Beheer")
    return {"settings": settings, "conversations": conversations, "tracker": tracker, "db": database_url}


def listed(html: str) -> list[str]:
    return re.findall(r'href="/console/gesprek/([^"#/]+)"', html)


def test_summaries_fold_new_events_only(desk):
    settings = desk["settings"]
    with session_scope(desk["db"]) as session:
        assert summaries.sync(session, settings) > 20
        export = session.get(ConversationSummary, "gesprek-export")
        assert export.topics == ["ask_export", "request_advisor"]
        assert export.handed_off and export.fallbacks == 0 and export.rating == 8
        assert export.first_message == "Ik wil naar Duitsland exporteren"
        unclear = session.get(ConversationSummary, "gesprek-onduidelijk")
        assert unclear.fallbacks == 1 and not unclear.handed_off and unclear.rating == 3
        assert unclear.topics == ["ask_corona_scheme"]
        position = session.get(SyncCursor, summaries.CURSOR).position
    with session_scope(desk["db"]) as session:
        assert summaries.sync(session, settings) == 0
    desk["conversations"].add(
        "gesprek-start",
        user("kan ik subsidie krijgen", "ask_financing", 0.9, "2026-12-02T09:03:00"),
        bot("Kijk bij de Financieringstafel.", "2026-12-02T09:03:01"),
    )
    with session_scope(desk["db"]) as session:
        assert summaries.sync(session, settings) == 2
        start = session.get(ConversationSummary, "gesprek-start")
        assert start.topics == ["ask_start", "ask_financing"] and start.user_messages == 2
        assert session.get(SyncCursor, summaries.CURSOR).position == position + 2


def test_a_booking_in_the_conversation_is_a_hand_off_with_a_link(desk):
    http = client(desk["settings"])
    log_in(http, "anna@vraagbaak.example.org")
    assert "gesprek-start" in listed(http.get("/console/gesprekken?handed_off=nee").text)
    # Stored after the conversation's events were folded: the transcript still finds it.
    add_booking(desk["db"], "gesprek-start", "AFS-ABC234", "2026-12-03T10:00:00")
    page = http.get("/console/gesprek/gesprek-start")
    assert "AFS-ABC234" in page.text and "/console/afspraken?date_from=2026-12-03" in page.text
    with session_scope(desk["db"]) as session:
        assert session.get(ConversationSummary, "gesprek-start").handed_off


def test_list_newest_first_with_filters_in_the_url(desk):
    http = client(desk["settings"])
    log_in(http, "anna@vraagbaak.example.org")
    page = http.get("/console/gesprekken")
    assert listed(page.text) == ["gesprek-start", "gesprek-export", "gesprek-onduidelijk"]
    cases = {
        "date_from=2026-12-01&date_to=2026-12-01&handed_off=ja": ["gesprek-export"],
        "handed_off=nee": ["gesprek-start", "gesprek-onduidelijk"],
        "topic=ask_corona_scheme": ["gesprek-onduidelijk"],
        "fallbacks=ja": ["gesprek-onduidelijk"],
        "fallbacks=nee": ["gesprek-start", "gesprek-export"],
        "rating=laag": ["gesprek-onduidelijk"],
        "rating=8": ["gesprek-export"],
        "rating=geen": ["gesprek-start"],
        "reviewed=nee": ["gesprek-start", "gesprek-export", "gesprek-onduidelijk"],
        "q=DUITSLAND": ["gesprek-export"],
        "q=100%25": [],
        "date_to=2026-11-30": ["gesprek-onduidelijk"],
    }
    for query, expected in cases.items():
        assert listed(http.get(f"/console/gesprekken?{query}").text) == expected, query
    # The chosen filters come back in the form, so the URL is the view.
    page = http.get("/console/gesprekken?handed_off=ja&date_from=2026-12-01")
    assert 'value="2026-12-01"' in page.text and '<option value="ja" selected>' in page.text
    bad = http.get("/console/gesprekken?date_from=gisteren")
    assert "klopt niet" in bad.text and len(listed(bad.text)) == 3


def test_pagination(desk):
    http = client(desk["settings"])
    log_in(http, "anna@vraagbaak.example.org")
    first = http.get("/console/gesprekken?per_page=2&fallbacks=")
    assert listed(first.text) == ["gesprek-start", "gesprek-export"] and "pagina 1 van 2" in first.text
    next_page = must_find(r'href="(\?[^"]*)" rel="next"', first.text).group(1).replace("&amp;", "&")
    assert next_page == "?per_page=2&page=2"
    second = http.get("/console/gesprekken" + next_page)
    assert listed(second.text) == ["gesprek-onduidelijk"] and "Vorige pagina" in second.text


def test_transcript_review_tags_and_notes(desk):
    http = client(desk["settings"])
    log_in(http, "anna@vraagbaak.example.org")
    page = http.get("/console/gesprek/gesprek-onduidelijk")
    assert page.status_code == 200
    # A message with script is shown as text, never run.
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "nlu_fallback" in page.text and "0.45" in page.text
    assert "Groeien" in page.text  # the buttons the assistant offered
    assert "niet geholpen" in page.text  # the rating comment
    export = http.get("/console/gesprek/gesprek-export").text
    assert "country = Duitsland" in export and "ask_export" in export and "0.93" in export
    token = csrf_in(page.text)
    url = "/console/gesprek/gesprek-onduidelijk"
    assert http.post(f"{url}/beoordeeld", data={"csrf_token": token, "reviewed": "ja"}).status_code == 303
    assert http.post(f"{url}/labels", data={"csrf_token": token, "tag": "Training nodig"}).status_code == 303
    http.post(f"{url}/notities", data={"csrf_token": token, "text": "Terugbellen over <b>TVL</b>"})
    page = http.get(url).text
    assert "Bekeken door Anna Adviseur" in page and "training nodig" in page
    assert "Terugbellen over &lt;b&gt;TVL&lt;/b&gt;" in page
    assert listed(http.get("/console/gesprekken?reviewed=ja").text) == ["gesprek-onduidelijk"]
    assert listed(http.get("/console/gesprekken?tag=training+nodig").text) == ["gesprek-onduidelijk"]
    http.post(f"{url}/labels/verwijderen", data={"csrf_token": token, "tag": "training nodig"})
    assert listed(http.get("/console/gesprekken?tag=training+nodig").text) == []
    assert http.get("/console/gesprek/bestaat-niet").status_code == 404


def test_api_conversations_and_transcript(desk):
    add_account(desk["db"], "script@vraagbaak.example.org")
    headers = {"Authorization": f"Bearer {token_for(desk['db'], 'script@vraagbaak.example.org')}"}
    http = client(desk["settings"])
    response = http.get("/api/conversations", headers=headers)
    assert response.status_code == 200 and response.headers["x-total-count"] == "3"
    items = response.json()
    assert [item["sender_id"] for item in items] == ["gesprek-start", "gesprek-export", "gesprek-onduidelijk"]
    export = items[1]
    for key in ("sender_id", "started_at", "last_event_at", "topics", "handed_off", "fallbacks", "rating"):
        assert key in export
    assert export["started_at"].endswith("+00:00") and export["topics"] == ["ask_export", "request_advisor"]
    assert export["handed_off"] is True and export["fallbacks"] == 0 and export["rating"] == 8
    filtered = http.get("/api/conversations?handed_off=ja&per_page=1", headers=headers)
    assert [i["sender_id"] for i in filtered.json()] == ["gesprek-export"]
    assert http.get("/api/conversations?date_from=x", headers=headers).status_code == 400
    turns = http.get("/api/conversations/gesprek-export", headers=headers).json()
    assert turns[0] == {
        "at": turns[0]["at"],
        "who": "user",
        "text": "Ik wil naar Duitsland exporteren",
        "intent": "ask_export",
        "confidence": 0.93,
        "entities": [{"entity": "country", "value": "Duitsland"}],
    }
    assert turns[1]["who"] == "bot" and turns[1]["buttons"][0]["title"] == "Een adviseur spreken"
    assert {turn["who"] for turn in turns} == {"user", "bot"}
    assert http.get("/api/conversations/onbekend", headers=headers).status_code == 404


def test_admin_erases_a_conversation_and_its_personal_data(desk):
    appointment_id = add_booking(desk["db"], "gesprek-export", "AFS-XYZ789", "2026-12-04T10:00:00")
    headers = {"Authorization": f"Bearer {token_for(desk['db'], 'beheer@vraagbaak.example.org')}"}
    http = client(desk["settings"])
    http.get("/api/conversations", headers=headers)  # summaries exist
    response = http.delete("/api/conversations/gesprek-export", headers=headers)
    assert response.status_code == 204 and response.content == b""
    tracker = create_engine(f"sqlite:///{desk['tracker']}")
    with tracker.connect() as connection:
        left = connection.execute(
            text("SELECT count(*) FROM events WHERE sender_id = 'gesprek-export'")
        ).scalar_one()
        others = connection.execute(text("SELECT count(*) FROM events")).scalar_one()
    tracker.dispose()
    assert left == 0 and others > 0
    with session_scope(desk["db"]) as session:
        from bot.booking.models import Appointment

        assert session.get(ConversationSummary, "gesprek-export") is None
        appointment = session.get(Appointment, appointment_id)
        assert appointment.person_name == "[verwijderd]" and appointment.email is None
        assert appointment.phone is None and appointment.sender_id is None
        assert appointment.status == "cancelled"  # still to come: the advisor doesn't wait in vain
        for message in session.query(OutboxMessage).filter_by(reference="AFS-XYZ789"):
            dumped = json.dumps(message.payload)
            assert "Jan de Vries" not in dumped and "jan@bakkerij" not in dumped and "+3161" not in dumped
        entry = session.query(AuditEntry).one()
        assert entry.actor == "beheer@vraagbaak.example.org" and entry.action == "conversation_erased"
        assert "gesprek-export" not in entry.detail and "Duitsland" not in entry.detail
    assert http.get("/api/conversations/gesprek-export", headers=headers).status_code == 404
    assert http.delete("/api/conversations/gesprek-export", headers=headers).status_code == 404
    # The rest stays.
    assert len(http.get("/api/conversations", headers=headers).json()) == 2


def test_console_erase_button_with_confirmation(desk):
    http = client(desk["settings"])
    log_in(http, "beheer@vraagbaak.example.org")
    page = http.get("/console/gesprek/gesprek-start")
    assert "Gesprek wissen" in page.text
    confirm = http.get("/console/gesprek/gesprek-start/wissen")
    assert "Ja, wis dit gesprek" in confirm.text
    token = csrf_in(confirm.text)
    http.post("/console/gesprek/gesprek-start/wissen", data={"csrf_token": token})  # no confirmation: nothing
    assert http.get("/console/gesprek/gesprek-start").status_code == 200
    http.post("/console/gesprek/gesprek-start/wissen", data={"csrf_token": token, "confirm": "ja"})
    assert http.get("/console/gesprek/gesprek-start").status_code == 404
    audit = http.get("/console/audit").text
    assert "gesprek gewist" in audit and "beheer@vraagbaak.example.org" in audit
