"""The start of a conversation (actions/session.py), run as the action server runs it: real
rasa_sdk Trackers and a CollectingDispatcher, the clock set with LOKET_FAKE_NOW.

Rasa runs action_session_start itself before the first message of a session (with the
message's metadata in the slot `session_started_metadata`), and once more when a client
opens with `/session_start`; together they greet exactly once. `RasaConversation` keeps
those runs in a real Rasa DialogueStateTracker and logs each result the way Rasa 3.6 does
(rasa/core/actions/action.py `RemoteAction.run` returns the bot messages before the
action's events; rasa/core/processor.py `_log_action_on_tracker` logs the action first):
the action, its messages, its events. The actions get the tracker as Rasa sends it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from catalog_support import render
from form_support import DOMAIN, responses
from rasa.shared.core import events as rasa_events
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.session import ActionGreet, ActionSessionStart

ROOT = Path(__file__).resolve().parents[2]
WEDNESDAY_10 = "2026-12-02T10:00:00"  # the hotline is open
WEDNESDAY_22 = "2026-12-02T22:00:00"  # closed until Thursday 09:00
HOTLINE = {"source": "hotline"}
GREETINGS = ("utter_greet", "utter_hotline_busy", "utter_hotline_closed")


@pytest.fixture(autouse=True)
def settings(configure):
    """Default opening hours, a Wednesday morning."""
    return configure(
        LOKET_HOTLINE_HOURS=None,
        LOKET_CRISIS_MODE=None,
        LOKET_TZ=None,
        LOKET_FAKE_NOW=WEDNESDAY_10,
    )


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


class RasaConversation:
    """A conversation kept in a real Rasa tracker; actions get it as Rasa sends it."""

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.tracker = DialogueStateTracker("session-test", domain.slots)
        self.said: list[str] = []
        self.messages: list[dict[str, Any]] = []

    def started_by_rasa(self, metadata: dict | None = None) -> list[str]:
        """Rasa's own run of action_session_start before a message of a new or expired session."""
        if metadata:
            self.tracker.update(rasa_events.SlotSet("session_started_metadata", metadata), self.domain)
        return self.run(ActionSessionStart())

    def message(self, text: str, intent: str, metadata: dict | None = None) -> None:
        parse = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
        self.tracker.update(
            rasa_events.UserUttered(text, parse["intent"], [], parse, metadata=metadata), self.domain
        )
        # Rasa records how the message was featurized right after it (seen in real trackers).
        self.tracker.update(rasa_events.DefinePrevUserUtteredFeaturization(False), self.domain)

    def run(self, action: Action) -> list[str]:
        """Run an action and log its result; the responses it sent."""
        state = self.tracker.current_state(EventVerbosity.AFTER_RESTART)
        dispatcher = CollectingDispatcher()
        returned = asyncio.run(action.run(dispatcher, Tracker.from_dict(state), DOMAIN))
        uttered = [
            rasa_events.BotUttered(message["text"], data={"utter_action": message["response"]})
            for message in render(dispatcher.messages)
        ]
        self.tracker.update(rasa_events.ActionExecuted(action.name()), self.domain)
        self.tracker.update_with_events([*uttered, *rasa_events.deserialise_events(returned)], self.domain)
        self.messages += dispatcher.messages
        said = responses(dispatcher)
        self.said += said
        return said

    @property
    def greetings(self) -> list[str]:
        return [name for name in self.said if name in GREETINGS]

    @property
    def sessions(self) -> int:
        return sum(isinstance(event, rasa_events.SessionStarted) for event in self.tracker.events)

    def text(self) -> str:
        return "\n".join(message["text"] for message in render(self.messages))


def sdk_user(text: str, intent: str, metadata: dict | None = None) -> dict[str, Any]:
    parse = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    event = {"event": "user", "text": text, "parse_data": parse}
    if metadata is not None:
        event["metadata"] = metadata
    return event


def sdk_run(action: Action, events: list[dict[str, Any]]):
    """Run an action on a rasa_sdk Tracker made from `events` (slots and latest message from them)."""
    slots = {event["name"]: event["value"] for event in events if event["event"] == "slot"}
    users = [event for event in events if event["event"] == "user"]
    latest = users[-1]["parse_data"] if users else {}
    track = Tracker("session-test", slots, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    returned = asyncio.run(action.run(dispatcher, track, DOMAIN))
    return dispatcher, returned


NEW_SESSION = [
    {"event": "action", "name": "action_session_start"},
    {"event": "session_started"},
    {"event": "action", "name": "action_listen"},
]


# --------------------------------------------------------------------------- from the hotline


def test_from_the_hotline_while_the_line_is_open_it_is_busy():
    # the session's first user event carries the hotline metadata
    dispatcher, events = sdk_run(
        ActionSessionStart(), [*NEW_SESSION, sdk_user("/session_start", "session_start", HOTLINE)]
    )
    assert responses(dispatcher) == ["utter_hotline_busy"]  # instead of the general greeting, not besides it
    assert "bezet" in render(dispatcher.messages)[0]["text"]
    assert SlotSet("source", "hotline") in events
    assert SessionStarted() not in events and events[-1] == ActionExecuted("action_listen")


def test_from_the_hotline_at_night_it_is_closed_until_tomorrow_morning(configure):
    configure(LOKET_FAKE_NOW=WEDNESDAY_22)
    dispatcher, events = sdk_run(
        ActionSessionStart(), [*NEW_SESSION, sdk_user("/session_start", "session_start", HOTLINE)]
    )
    [message] = dispatcher.messages
    assert message["response"] == "utter_hotline_closed"
    assert message["next_day"] == "morgen" and message["next_time"] == "09:00"
    assert "gesloten en weer bereikbaar morgen om 09:00 uur" in render(dispatcher.messages)[0]["text"]
    assert SlotSet("source", "hotline") in events


def test_a_first_question_from_the_hotline_is_preceded_by_the_hotline_greeting(domain):
    conversation = RasaConversation(domain)
    assert conversation.started_by_rasa(HOTLINE) == ["utter_hotline_busy"]
    assert conversation.sessions == 1 and conversation.tracker.get_slot("source") == "hotline"


def test_from_the_hotline_rasas_two_runs_greet_once(domain):
    conversation = RasaConversation(domain)
    conversation.started_by_rasa(HOTLINE)
    conversation.message("/session_start", "session_start", HOTLINE)
    conversation.run(ActionSessionStart())
    assert conversation.greetings == ["utter_hotline_busy"]
    assert conversation.sessions == 1


def test_hallo_opening_a_hotline_session_gets_only_the_hotline_greeting(domain):
    conversation = RasaConversation(domain)
    conversation.started_by_rasa(HOTLINE)
    conversation.message("hallo", "greet", HOTLINE)
    conversation.run(ActionGreet())
    assert conversation.greetings == ["utter_hotline_busy"]


def test_a_new_session_from_the_website_is_not_taken_for_the_earlier_hotline_session(domain):
    conversation = RasaConversation(domain)
    conversation.started_by_rasa(HOTLINE)
    conversation.message("ik wil mijn bedrijf laten groeien", "ask_growth", HOTLINE)
    # more than an hour later, from the website: Rasa starts a new session with the new message's metadata
    said = conversation.started_by_rasa({"source": "website"})
    assert conversation.sessions == 2
    assert said == []
    assert conversation.tracker.get_slot("source") == "website"


# --------------------------------------------------------------------------- opened by the widget


def test_the_widget_opening_a_fresh_session_gets_the_general_greeting_once():
    dispatcher, events = sdk_run(
        ActionSessionStart(), [*NEW_SESSION, sdk_user("/session_start", "session_start")]
    )
    assert responses(dispatcher) == ["utter_greet"]
    assert SessionStarted() not in events
    assert not any(event.get("name") == "source" for event in events)
    assert events[-1] == ActionExecuted("action_listen")


def test_rasas_two_runs_for_the_widget_greet_once(domain):
    conversation = RasaConversation(domain)
    assert conversation.started_by_rasa() == []  # before the message: nothing to say yet
    conversation.message("/session_start", "session_start")
    assert conversation.run(ActionSessionStart()) == ["utter_greet"]
    assert conversation.sessions == 1 and conversation.tracker.get_slot("source") is None


def test_a_second_run_in_the_same_fresh_session_adds_no_greeting(domain):
    conversation = RasaConversation(domain)
    conversation.started_by_rasa()
    conversation.message("/session_start", "session_start")
    conversation.run(ActionSessionStart())
    conversation.message("/session_start", "session_start")  # the widget opened again on the next page
    assert conversation.run(ActionSessionStart()) == []
    assert conversation.greetings == ["utter_greet"] and conversation.sessions == 1


def test_a_session_start_after_real_messages_starts_a_new_session_and_carries_the_slots(domain):
    conversation = RasaConversation(domain)
    conversation.started_by_rasa()
    conversation.message("/session_start", "session_start")
    conversation.run(ActionSessionStart())
    conversation.message("wij zitten in Beilen", "inform")
    conversation.tracker.update(rasa_events.SlotSet("municipality", "Midden-Drenthe"), domain)
    conversation.message("/session_start", "session_start")
    assert conversation.run(ActionSessionStart()) == ["utter_greet"]
    assert conversation.sessions == 2
    assert conversation.tracker.get_slot("municipality") == "Midden-Drenthe"


def test_a_widget_opened_again_after_the_session_expired_starts_and_greets_a_new_session(domain):
    conversation = RasaConversation(domain)
    conversation.started_by_rasa()
    conversation.message("/session_start", "session_start")
    conversation.run(ActionSessionStart())  # greeted; nothing typed, the session expires
    conversation.started_by_rasa()
    conversation.message("/session_start", "session_start")
    conversation.run(ActionSessionStart())
    assert conversation.sessions == 2
    assert conversation.greetings == ["utter_greet", "utter_greet"]


# --------------------------------------------------------------------------- "hallo"


def test_hallo_as_the_first_message_gets_the_full_greeting(domain):
    conversation = RasaConversation(domain)
    conversation.started_by_rasa()
    conversation.message("hallo", "greet")
    assert conversation.run(ActionGreet()) == ["utter_greet"]


def test_hallo_later_in_the_conversation_gets_the_short_greeting(domain):
    conversation = RasaConversation(domain)
    conversation.started_by_rasa()
    conversation.message("ik wil exporteren naar Duitsland", "ask_export")
    conversation.message("hallo", "greet")
    assert conversation.run(ActionGreet()) == ["utter_greet_again"]


def test_hallo_answered_in_the_same_reply_as_the_sessions_greeting_adds_nothing():
    # Rasa's order: the action, its messages, then its events.
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "bot", "text": "Welkom! Onze telefonische hulplijn is op dit moment bezet."},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
        sdk_user("hallo", "greet", HOTLINE),
    ]
    dispatcher, returned = sdk_run(ActionGreet(), events)
    assert dispatcher.messages == [] and returned == []


def test_hallo_after_the_widget_greeted_gets_a_short_greeting_never_silence(domain):
    conversation = RasaConversation(domain)
    conversation.started_by_rasa()
    conversation.message("/session_start", "session_start")
    conversation.run(ActionSessionStart())
    conversation.message("hallo", "greet")
    assert conversation.run(ActionGreet()) == ["utter_greet_again"]


def test_hallo_in_a_new_session_after_an_earlier_one_gets_the_full_greeting(domain):
    conversation = RasaConversation(domain)
    conversation.started_by_rasa()
    conversation.message("ik wil groeien", "ask_growth")
    conversation.started_by_rasa()  # the session expired
    conversation.message("hallo", "greet")
    assert conversation.run(ActionGreet()) == ["utter_greet"]
