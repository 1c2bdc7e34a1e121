"""End to end: the real Rasa server, action server and databases, over HTTP."""

from __future__ import annotations

import uuid

import requests

from bot.chat import send


def new_sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


def test_hallo_gets_a_dutch_greeting_with_topics(helpdesk):
    replies = send(helpdesk["base"], new_sender(), "hallo")
    text = texts(replies)
    assert "Ik Ben Drents Ondernemer" in text and "geen mens" in text  # who it is, and that it is a bot
    payloads = [button["payload"] for reply in replies for button in reply.get("buttons") or []]
    assert "/request_advisor" in payloads


def test_topic_question_names_the_instrument_from_the_catalog(helpdesk):
    replies = send(
        helpdesk["base"], new_sender(), "Wij willen gaan exporteren naar Duitsland, wie kan ons helpen?"
    )
    assert "Exportcarrousel" in texts(replies)


def payloads(replies: list[dict]) -> list[str]:
    return [button["payload"] for reply in replies for button in reply.get("buttons") or []]


def test_gibberish_never_gets_a_topic_answer(helpdesk):
    # Either the fallback's topic buttons or the out-of-scope answer; both offer /help.
    for message in ["qwrtz plok vrrrm", "xkcd blub wortelgrr"]:
        assert "/help" in payloads(send(helpdesk["base"], new_sender(), message))


def test_two_misses_in_a_row_get_topic_buttons_then_an_advisor(helpdesk):
    # "/nlu_fallback" is what the FallbackClassifier makes of a message it is unsure of.
    sender = new_sender()
    first = send(helpdesk["base"], sender, "/nlu_fallback")
    assert "niet helemaal" in texts(first)
    assert len([payload for payload in payloads(first) if payload != "/help"]) >= 3
    second = send(helpdesk["base"], sender, "/nlu_fallback")
    assert "/request_advisor" in payloads(second)
    assert "adviseur" in texts(second).lower()


def test_conversation_is_kept_in_the_sql_tracker_store(helpdesk):
    sender = new_sender()
    send(helpdesk["base"], sender, "goedemorgen")
    tracker = requests.get(
        f"{helpdesk['base']}/conversations/{sender}/tracker",
        params={"token": helpdesk["token"]},
        timeout=10,
    )
    assert tracker.ok
    user_texts = [event.get("text") for event in tracker.json()["events"] if event.get("event") == "user"]
    assert user_texts == ["goedemorgen"]
    import sqlite3

    with sqlite3.connect(helpdesk["work"] / "tracker.db") as connection:
        stored = connection.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[
            0
        ]
    assert stored > 0


def test_http_api_requires_the_token(helpdesk):
    denied = requests.get(f"{helpdesk['base']}/conversations/someone/tracker", timeout=10)
    assert denied.status_code == 401


def test_bad_input_gets_an_answer(helpdesk):
    sender = new_sender()
    for message in ["<script>alert(1)</script>", "'; DROP TABLE events; --", "🚀🚀🚀", "x" * 10000]:
        replies = send(helpdesk["base"], sender, message)
        assert texts(replies).strip(), f"no answer to {message[:30]!r}"


def test_a_conversation_from_the_hotline_starts_with_the_overflow_message(helpdesk):
    response = requests.post(
        f"{helpdesk['base']}/webhooks/rest/webhook",
        json={"sender": new_sender(), "message": "hallo", "metadata": {"source": "hotline"}},
        timeout=30,
    )
    response.raise_for_status()
    replies = response.json()
    first = replies[0]["text"].lower()
    assert "lijn" in first and ("bezet" in first or "gesloten" in first), first
    assert "terugbel" in first
    assert "/request_advisor" in [button["payload"] for button in replies[0].get("buttons") or []]
