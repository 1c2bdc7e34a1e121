"""End to end: booking an advisor over the REST channel, down to the CRM."""

from __future__ import annotations

import re
import subprocess
import time
import uuid

import requests

from bot import crm as crm_outbox
from bot.chat import send

ANSWERS = {
    "person_name": "Jan van der Berg",
    "company_name": "Bakkerij Van der Berg",
    "municipality": "Beilen",
    "employees": "12",
    "question_summary": "Wij willen gaan exporteren naar Duitsland",
    "email": "jan@bakkerij-vdberg.example.org",
    "phone": "06 12345678",
    "booking_confirmed": "/affirm",
}
# Slots answered with the first button offered (a free slot, a contact way).
BUTTON_SLOTS = {"appointment_slot", "contact_preference"}
REFERENCE = re.compile(r"\bAFS-[A-Z2-9]{6}\b")


def requested_slot(helpdesk, sender: str):
    tracker = requests.get(
        f"{helpdesk['base']}/conversations/{sender}/tracker", params={"token": helpdesk["token"]}, timeout=10
    )
    tracker.raise_for_status()
    return tracker.json()["slots"].get("requested_slot")


def book(helpdesk, sender: str) -> tuple[str, list[str]]:
    asked: list[str] = []
    send(helpdesk["base"], sender, "Wij willen gaan exporteren naar Duitsland, waar kunnen we terecht?")
    replies = send(helpdesk["base"], sender, "Ik wil graag een afspraak met een adviseur")
    for _turn in range(15):
        text = "\n".join(reply.get("text") or "" for reply in replies)
        found = REFERENCE.search(text)
        if found:
            return found.group(0), asked
        slot = requested_slot(helpdesk, sender)
        assert slot, f"the form stopped without a reference:\n{text}"
        asked.append(slot)
        if slot in BUTTON_SLOTS:
            buttons = [button for reply in replies for button in reply.get("buttons") or []]
            assert buttons, f"no buttons offered for {slot}:\n{text}"
            message = buttons[0]["payload"]
        else:
            message = ANSWERS[slot]
        replies = send(helpdesk["base"], sender, message)
    raise AssertionError(f"no reference after 15 turns; asked {asked}")


def test_a_booking_over_rest_reaches_the_agenda_and_the_crm(helpdesk, crm):
    sender = f"e2e-booking-{uuid.uuid4().hex[:8]}"
    reference, asked = book(helpdesk, sender)
    assert asked[:4] == ["person_name", "company_name", "municipality", "employees"]
    assert asked[-2:] == ["appointment_slot", "booking_confirmed"]

    listing = subprocess.run(
        [helpdesk["python"], "-m", "bot", "appointments", "list"],
        env=helpdesk["env"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in listing.splitlines() if reference in line)
    assert "Midden-Drenthe" in line, "the village is stored as its municipality"

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(
        item["body"].get("reference") == reference for item in crm.received
    ):
        time.sleep(1)
    [case] = [item for item in crm.received if item["body"].get("reference") == reference]
    body = case["body"]
    assert case["key"] and case["key"] == body["idempotency_key"], (
        "every delivery carries its Idempotency-Key"
    )
    assert body["event"] == crm_outbox.BOOKED_EVENT
    assert body["conversation_id"] == sender
    assert body["contact"]["municipality"] == "Midden-Drenthe"
    assert body["contact"]["phone"] == "+31612345678"
    assert "export" in body["topics"]
    assert "exporteren" in body["summary"], "the summary is pre-filled from the topic question"
