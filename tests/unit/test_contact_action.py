"""`action_contact` run as Rasa runs it (a real Tracker and CollectingDispatcher) at fixed
LOKET_FAKE_NOW moments: open on a weekday morning, the evening with and without crisis
mode, a Sunday and a public holiday."""

from __future__ import annotations

import asyncio
import string
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import ActionContact

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def settings(configure):
    return configure(
        LOKET_CRISIS_MODE=None,
        LOKET_HELPDESK_HOURS=None,
        LOKET_HOTLINE_HOURS=None,
        LOKET_HOTLINE_CRISIS_HOURS=None,
        LOKET_TZ=None,
        HELPDESK_PHONE="0592 99 88 77",
        HELPDESK_EMAIL="vraagbaak@test.example.org",
        HELPDESK_WEBSITE="https://test.example.org",
    )


def run_at(configure, moment: str, crisis: bool = False, intent: str = "ask_contact") -> list[dict]:
    configure(LOKET_FAKE_NOW=moment, LOKET_CRISIS_MODE="true" if crisis else None)
    latest = {
        "text": "wanneer zijn jullie open?",
        "intent": {"name": intent, "confidence": 0.97},
        "entities": [],
    }
    events = [{"event": "user", "text": latest["text"], "parse_data": latest}]
    tracker = Tracker("contact-test", {}, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ActionContact().run(dispatcher, tracker, DOMAIN))
    assert result == []
    return dispatcher.messages


def by_response(messages: list[dict]) -> dict[str, dict]:
    return {message["response"]: message for message in messages}


def render(message: dict) -> str:
    """Fill the domain.yml template with the values the action passed: fails on a
    missing response or a placeholder the action did not fill."""
    template = DOMAIN["responses"][message["response"]][0]["text"]
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    missing = fields - set(message)
    assert not missing, f"{message['response']} needs {missing}"
    return template.format(**{name: message[name] for name in fields})


def test_weekday_morning_both_open(configure):
    messages = run_at(configure, "2024-12-05T10:00:00")  # Thursday
    responses = by_response(messages)
    assert list(responses) == ["utter_contact_both_open", "utter_contact_hours_same", "utter_contact_details"]
    assert responses["utter_contact_both_open"]["closes_at"] == "17:00"
    assert "maandag t/m vrijdag 09:00–17:00" in render(responses["utter_contact_hours_same"])
    details = render(responses["utter_contact_details"])
    assert (
        "0592 99 88 77" in details
        and "vraagbaak@test.example.org" in details
        and "https://test.example.org" in details
    )
    assert "utter_contact_offer_callback" not in responses
    for message in messages:
        render(message)


def test_evening_without_crisis_mode_everything_closed_until_tomorrow(configure):
    responses = by_response(run_at(configure, "2024-12-05T20:30:00"))
    assert "utter_contact_both_closed" in responses
    closed = responses["utter_contact_both_closed"]
    assert (closed["next_day"], closed["next_time"]) == ("morgen", "09:00")
    assert "morgen om 09:00" in render(closed)
    assert list(responses)[-1] == "utter_contact_offer_callback"
    buttons = DOMAIN["responses"]["utter_contact_offer_callback"][0]["buttons"]
    assert [button["payload"] for button in buttons] == ["/request_advisor"]


def test_evening_in_crisis_mode_the_hotline_is_open_until_nine(configure):
    messages = run_at(configure, "2024-12-05T20:30:00", crisis=True)
    responses = by_response(messages)
    assert list(responses)[:2] == ["utter_contact_helpdesk_closed", "utter_contact_hotline_open"]
    assert responses["utter_contact_hotline_open"]["closes_at"] == "21:00"
    assert responses["utter_contact_helpdesk_closed"]["next_day"] == "morgen"
    hours = render(responses["utter_contact_hours"])
    assert "09:00–17:00" in hours and "09:00–21:00" in hours
    assert "utter_contact_offer_callback" not in responses  # the hotline is open: just call
    for message in messages:
        render(message)


def test_sunday_closed_until_monday(configure):
    responses = by_response(run_at(configure, "2024-12-08T11:00:00"))
    closed = responses["utter_contact_both_closed"]
    assert (closed["next_day"], closed["next_time"]) == ("morgen", "09:00")  # Monday is tomorrow
    assert "utter_contact_holiday" not in responses
    saturday = by_response(run_at(configure, "2024-12-07T11:00:00"))["utter_contact_both_closed"]
    assert (saturday["next_day"], saturday["next_time"]) == ("maandag 9 december", "09:00")


def test_public_holiday_closed_with_its_name(configure):
    messages = run_at(configure, "2024-12-25T10:00:00")  # Christmas, a Wednesday
    responses = by_response(messages)
    assert responses["utter_contact_holiday"]["holiday"] == "Eerste Kerstdag"
    closed = responses["utter_contact_both_closed"]
    # Boxing Day too: open again on Friday
    assert (closed["next_day"], closed["next_time"]) == ("vrijdag 27 december", "09:00")
    assert "Eerste Kerstdag" in render(messages[0])


def test_no_callback_button_when_the_booking_flow_already_runs(configure):
    responses = by_response(run_at(configure, "2024-12-05T20:30:00", intent="request_advisor"))
    assert "utter_contact_details" in responses and "utter_contact_offer_callback" not in responses


def test_every_contact_response_is_in_the_domain_and_listed():
    assert "action_contact" in DOMAIN["actions"]
    for name in [
        "utter_contact_holiday",
        "utter_contact_both_open",
        "utter_contact_both_closed",
        "utter_contact_helpdesk_open",
        "utter_contact_helpdesk_closed",
        "utter_contact_hotline_open",
        "utter_contact_hotline_closed",
        "utter_contact_hours_same",
        "utter_contact_hours",
        "utter_contact_details",
        "utter_contact_offer_callback",
    ]:
        assert DOMAIN["responses"][name][0]["text"]
