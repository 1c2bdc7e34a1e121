"""Bad and hostile input through the REST channel: never a 5xx, always an answer,
nothing unsafe stored or shown, and a forged slot never books outside the free slots."""

from __future__ import annotations

import json
import re
import subprocess
import uuid

import pytest
import requests

from bot.chat import send
from tests.e2e.test_booking import ANSWERS, requested_slot

REFERENCE = re.compile(r"\bAFS-[A-Z2-9]{6}\b")


def webhook(helpdesk) -> str:
    return f"{helpdesk['base']}/webhooks/rest/webhook"


def new_sender() -> str:
    return f"e2e-bad-{uuid.uuid4().hex[:8]}"


def text_of(replies: list[dict]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   \n\t ",
        "🙂🚀🙏",
        "<script>alert('x')</script><img src=x onerror=alert(1)>",
        "'; DROP TABLE events; --",
        "1 OR 1=1; SELECT * FROM appointments",
        "/doesnotexist",
        '/inform{"employees": -5}',
        '/request_advisor{"email": 12}',
        "/inform{niet: geldig json",
        "\x00\x01 nul-tekens",
    ],
)
def test_odd_messages_get_an_answer_and_never_a_server_error(helpdesk, message):
    response = requests.post(webhook(helpdesk), json={"sender": new_sender(), "message": message}, timeout=60)
    assert response.status_code == 200, response.text
    replies = response.json()
    assert replies and text_of(replies).strip(), f"no answer to {message!r}"
    for reply in replies:
        # the bot never echoes markup back as something a browser would run
        assert "<script" not in (reply.get("text") or "").lower()
        assert "onerror" not in (reply.get("text") or "").lower()


def test_a_message_of_ten_thousand_characters_gets_a_polite_limit(helpdesk):
    replies = send(helpdesk["base"], new_sender(), "Ik heb een vraag over subsidie. " * 320)
    text = text_of(replies)
    assert "2000 tekens" in text and "korter" in text
    buttons = [button["payload"] for reply in replies for button in reply.get("buttons") or []]
    assert "/request_advisor" in buttons


@pytest.mark.parametrize(
    "body",
    [
        b"{niet json",
        b"[1, 2, 3]",
        b'"alleen tekst"',
        b'{"message": "hallo"}',
        b'{"sender": 12, "message": "hallo"}',
        b'{"sender": "x", "message": 12}',
        b'{"sender": "x", "message": null}',
        b'{"sender": "x", "message": "hallo", "metadata": "geen object"}',
        b"",
    ],
)
def test_malformed_bodies_get_a_400_with_a_dutch_explanation(helpdesk, body):
    response = requests.post(
        webhook(helpdesk), data=body, headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]


def test_a_sender_id_with_markup_or_of_great_length_is_refused(helpdesk):
    long = requests.post(webhook(helpdesk), json={"sender": "x" * 500, "message": "hallo"}, timeout=30)
    assert long.status_code == 400


def test_markup_is_stored_as_plain_text_and_the_tracker_stays_readable(helpdesk):
    sender = new_sender()
    markup = "<b>vet</b><script>alert(1)</script>"
    send(helpdesk["base"], sender, markup)
    tracker = requests.get(
        f"{helpdesk['base']}/conversations/{sender}/tracker", params={"token": helpdesk["token"]}, timeout=10
    ).json()
    user_texts = [event.get("text") for event in tracker["events"] if event["event"] == "user"]
    assert user_texts == [markup], "stored exactly as typed, to be escaped wherever it is shown"


def _to_slot_question(helpdesk, sender: str) -> list[dict]:
    """Walks the booking form with ordinary answers until it asks for the appointment slot."""
    replies = send(helpdesk["base"], sender, "Ik wil graag een afspraak met een adviseur")
    for _turn in range(12):
        slot = requested_slot(helpdesk, sender)
        if slot == "appointment_slot":
            return replies
        assert slot, f"the form stopped early:\n{text_of(replies)}"
        if slot == "contact_preference":
            buttons = [button for reply in replies for button in reply.get("buttons") or []]
            message = buttons[0]["payload"]
        else:
            message = ANSWERS[slot]
        replies = send(helpdesk["base"], sender, message)
    raise AssertionError("the form never asked for a time")


@pytest.mark.parametrize(
    "forged",
    [
        "2020-01-06T10:00:00+01:00",  # in the past
        "2026-12-06T03:00:00+01:00",  # a Sunday night, never offered
        "morgen om 3 uur 's nachts; DROP TABLE appointments",
        "9999-99-99T99:99",
    ],
)
def test_a_forged_appointment_slot_never_books_outside_the_free_slots(helpdesk, forged):
    sender = new_sender()
    offered = _to_slot_question(helpdesk, sender)
    offered_payloads = [button["payload"] for reply in offered for button in reply.get("buttons") or []]
    replies = send(helpdesk["base"], sender, "/inform" + json.dumps({"appointment_slot": forged}))
    assert replies and text_of(replies).strip()
    # Confirming after the forged value must not produce a booking at the forged time.
    replies = send(helpdesk["base"], sender, "/affirm")
    assert not REFERENCE.search(text_of(replies)), f"booked after a forged slot {forged!r}"
    listing = subprocess.run(
        [helpdesk["python"], "-m", "bot", "appointments", "list"],
        env=helpdesk["env"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert forged[:10] not in listing
    assert offered_payloads, "the form offered real slots as buttons"
    requests.post(webhook(helpdesk), json={"sender": sender, "message": "stop"}, timeout=30)
