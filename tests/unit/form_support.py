"""Helpers for the booking and cancel form tests: trackers shaped the way Rasa sends
them to the action server, a sample agenda, and running actions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml
from booking_support import THURSDAY_10
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.booking import agenda
from bot.db import session_scope
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
SENDER = "form-test"


def user(
    intent: str, text: str = "", entities: Iterable[tuple[str, str]] = (), confidence: float = 0.93
) -> dict[str, Any]:
    parse = {
        "intent": {"name": intent, "confidence": confidence},
        "entities": [{"entity": name, "value": value} for name, value in entities],
        "text": text,
    }
    return {"event": "user", "text": text, "parse_data": parse}


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def tracker(
    history: Iterable[dict[str, Any]] = (),
    slots: dict[str, Any] | None = None,
    active_loop: str | None = None,
    latest_action: str = "action_listen",
) -> Tracker:
    """A tracker whose latest message is the last user event of `history`."""
    events = list(history)
    turns = [event for event in events if event["event"] == "user"]
    latest = turns[-1]["parse_data"] if turns else {}
    return Tracker(
        SENDER,
        dict(slots or {}),
        latest,
        events,
        False,
        None,
        {"name": active_loop} if active_loop else {},
        latest_action,
    )


def form_tracker(
    form: str,
    requested: str | None,
    candidates: dict[str, Any],
    history: Iterable[dict[str, Any]] = (),
    slots: dict[str, Any] | None = None,
) -> Tracker:
    """What Rasa's form sends to its validation action: the history, the requested slot,
    the form's own action and then the slot candidates of this turn."""
    events = [*list(history), slot("requested_slot", requested), {"event": "action", "name": form}]
    events += [slot(name, value) for name, value in candidates.items()]
    all_slots = {**(slots or {}), "requested_slot": requested, **candidates}
    return tracker(events, all_slots, active_loop=form, latest_action=form)


def run(action, track: Tracker) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, track, DOMAIN))
    return dispatcher, events


def responses(dispatcher: CollectingDispatcher) -> list[str | None]:
    return [message.get("response") for message in dispatcher.messages]


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The slots an action set, last value wins."""
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


HELPDESK_PHONE = "0592 11 22 33"


def seed_sample_advisors(settings: Settings) -> None:
    with session_scope(settings.database_url) as session:
        agenda.seed_sample(session)


def sample_agenda(configure: Callable[..., Settings]) -> Settings:
    """Default hours and lengths, now Thursday 10:00, and the sample advisors."""
    configure(
        LOKET_CRISIS_MODE=None,
        LOKET_HOTLINE_HOURS=None,
        LOKET_HELPDESK_HOURS=None,
        LOKET_APPOINTMENT_MINUTES=None,
        LOKET_CALLBACK_MINUTES=None,
        LOKET_URGENT_CALLBACK_WINDOWS=None,
        LOKET_BOOKING_HORIZON_DAYS=None,
        LOKET_TZ=None,
        HELPDESK_PHONE=HELPDESK_PHONE,
    )
    settings = configure(LOKET_FAKE_NOW=THURSDAY_10)
    seed_sample_advisors(settings)
    return settings
