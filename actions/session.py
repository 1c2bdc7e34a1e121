"""The start of a conversation: one greeting, fitting how the person came in.

`action_session_start` works like Rasa's default (starts the session, carries the slots
over, ends listening) and greets:

- from the hotline (metadata `{"source": "hotline"}`, contract §8: `/?source=hotline`):
  the phone line is busy or closed, and the assistant can help or arrange a call-back,
  also when the first message is already a question;
- when the widget opens a conversation (`/session_start`, any other source): the general
  greeting;
- a first message typed straight away gets its answer without a greeting first.

Rasa runs the action twice when a client opens a new conversation with `/session_start`
(once for the new conversation, once for the message): the second run adds nothing to a
session that has no real message yet. `action_greet` answers "hallo" with the full
greeting only when nothing was said yet in this session.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.turns import bot_texts, events_of_this_session, latest_turn
from bot import clock
from bot.settings import get_settings

HOTLINE = "hotline"
METADATA_SLOT = "session_started_metadata"
SESSION_START_INTENT = "session_start"


def source_in(metadata: Any) -> str | None:
    if isinstance(metadata, dict) and isinstance(metadata.get("source"), str):
        return metadata["source"].strip().lower()[:40] or None
    return None


def session_source(tracker: Tracker) -> str | None:
    """The entry of this session: the metadata of the message that opened it."""
    users = [event for event in tracker.events if event.get("event") == "user"]
    latest_metadata = users[-1].get("metadata") if users else None
    return source_in(latest_metadata) or source_in(tracker.get_slot(METADATA_SLOT))


def carried_over_slots(tracker: Tracker) -> list[EventType]:
    """The slot events of the previous session, as Rasa's default session start carries them."""
    slots: list[EventType] = []
    for event in tracker.applied_events():
        if event.get("event") == "session_started":
            slots = []
        elif event.get("event") == "slot":
            slots.append(SlotSet(event["name"], event.get("value")))
    return slots


def real_messages_this_session(tracker: Tracker) -> list[dict[str, Any]]:
    return [
        event
        for event in events_of_this_session(tracker)
        if event.get("event") == "user" and (event.get("parse_data") or {}).get("intent", {}).get("name")
        != SESSION_START_INTENT
    ]


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        explicit = latest_turn(tracker).intent == SESSION_START_INTENT
        fresh = explicit and not real_messages_this_session(tracker) and any(
            event.get("event") == "session_started" for event in tracker.events
        )
        events: list[EventType] = []
        if not fresh:
            events.append(SessionStarted())
            if (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True):
                events += carried_over_slots(tracker)
        source = session_source(tracker)
        if source:
            events.append(SlotSet("source", source))
        greeted = fresh and bool(bot_texts(events_of_this_session(tracker)))
        if not greeted:
            if source == HOTLINE:
                self._greet_from_hotline(dispatcher)
            elif explicit:
                dispatcher.utter_message(response="utter_greet")
        events.append(ActionExecuted("action_listen"))
        return events

    @staticmethod
    def _greet_from_hotline(dispatcher: CollectingDispatcher) -> None:
        settings = get_settings()
        now = settings.now()
        hotline = clock.status(clock.HOTLINE, now, settings)
        if hotline.is_open or hotline.next_opening is None:
            dispatcher.utter_message(response="utter_hotline_busy")
        else:
            dispatcher.utter_message(
                response="utter_hotline_closed",
                next_day=clock.format_day(hotline.next_opening.date(), now.date()),
                next_time=clock.format_time(hotline.next_opening),
            )


class ActionGreet(Action):
    """"hallo": the full greeting at the start; a short one later in the conversation;
    nothing more when the session's own greeting goes out in this same reply (a first
    message that opened a hotline session)."""

    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        session_events = events_of_this_session(tracker)
        earlier_users = [event for event in session_events if event.get("event") == "user"][:-1]
        if earlier_users:
            dispatcher.utter_message(response="utter_greet_again")
        elif not bot_texts(session_events):
            dispatcher.utter_message(response="utter_greet")
        return []
