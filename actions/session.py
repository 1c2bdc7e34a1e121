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

from actions.turns import bot_texts, events_of_this_session, intent_of
from bot import clock
from bot.settings import Settings, get_settings

HOTLINE = "hotline"
METADATA_SLOT = "session_started_metadata"
SESSION_START_INTENT = "session_start"


def source_in(metadata: Any) -> str | None:
    if isinstance(metadata, dict) and isinstance(metadata.get("source"), str):
        return metadata["source"].strip().lower()[:40] or None
    return None


def answering_session_start(tracker: Tracker) -> bool:
    """This run answers a `/session_start` the client just sent (the second of Rasa's two
    runs when a widget opens a conversation), not an expired session's renewal."""
    events = _without_bookkeeping(tracker.events)
    return (
        bool(events) and events[-1].get("event") == "user" and intent_of(events[-1]) == SESSION_START_INTENT
    )


def _without_bookkeeping(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events without Rasa's `user_featurization` records, which follow a message."""
    return [event for event in events if event.get("event") != "user_featurization"]


def session_source(tracker: Tracker) -> str | None:
    """The entry of this session: the metadata of the message that opens it. When Rasa renews
    a session, that message is not logged yet, and Rasa put its metadata in a slot."""
    if answering_session_start(tracker):
        message = _without_bookkeeping(tracker.events)[-1]
        return source_in(message.get("metadata")) or source_in(tracker.get_slot(METADATA_SLOT))
    return source_in(tracker.get_slot(METADATA_SLOT))


def carried_over_slots(tracker: Tracker) -> list[EventType]:
    """The slot events of the previous session, as Rasa's default session start carries them."""
    slots: list[EventType] = []
    for event in tracker.applied_events():
        if event.get("event") == "session_started":
            slots = []
        elif event.get("event") == "slot":
            slots.append(SlotSet(event["name"], event.get("value")))
    return slots


def greeted_in_this_opening(tracker: Tracker) -> bool:
    """Whether the session start that Rasa ran for the message being answered already
    greeted. Rasa logs an action's messages before its events, so that greeting stands
    just before `session_started`, followed only by slots and listening."""
    events = _without_bookkeeping(tracker.events)
    if events and events[-1].get("event") == "user":
        events.pop()  # the message this run answers
    while events and (
        events[-1].get("event") == "slot"
        or (events[-1].get("event") == "action" and events[-1].get("name") == "action_listen")
    ):
        events.pop()
    if not events or events[-1].get("event") != "session_started":
        return False
    events.pop()
    while events and events[-1].get("event") == "slot":
        events.pop()
    return bool(events) and events[-1].get("event") == "bot"


def real_messages_this_session(tracker: Tracker) -> list[dict[str, Any]]:
    return [
        event
        for event in events_of_this_session(tracker)
        if event.get("event") == "user" and intent_of(event) != SESSION_START_INTENT
    ]


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        explicit = answering_session_start(tracker)
        fresh = (
            explicit
            and not real_messages_this_session(tracker)
            and any(event.get("event") == "session_started" for event in tracker.events)
        )
        events: list[EventType] = []
        if not fresh:
            events.append(SessionStarted())
            if (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True):
                events += carried_over_slots(tracker)
        source = session_source(tracker)
        if source:
            events.append(SlotSet("source", source))
        # A widget that opens an unused session again (another page) is not greeted twice.
        greeted = fresh and (
            greeted_in_this_opening(tracker) or bool(bot_texts(events_of_this_session(tracker)))
        )
        if not greeted:
            if source == HOTLINE:
                self._greet_from_hotline(dispatcher, get_settings())
            elif explicit:
                dispatcher.utter_message(response="utter_greet")
        events.append(ActionExecuted("action_listen"))
        return events

    @staticmethod
    def _greet_from_hotline(dispatcher: CollectingDispatcher, settings: Settings) -> None:
        now = settings.now()
        hotline = clock.status(clock.HOTLINE, now, settings=settings)
        if hotline.is_open or hotline.next_opening is None:
            dispatcher.utter_message(response="utter_hotline_busy")
        else:
            dispatcher.utter_message(
                response="utter_hotline_closed",
                next_day=clock.format_day(hotline.next_opening.date(), now.date()),
                next_time=clock.format_time(hotline.next_opening),
            )


class ActionGreet(Action):
    """ "hallo": the full greeting at the start; a short one later in the conversation;
    nothing more when the session's own greeting goes out in this same reply (a first
    message that opened a hotline session)."""

    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        if greeted_in_this_opening(tracker):
            return []  # the session's own greeting goes out in this same reply
        said_before = bool(bot_texts(events_of_this_session(tracker)))
        if said_before or real_messages_this_session(tracker)[:-1]:
            dispatcher.utter_message(response="utter_greet_again")
        else:
            dispatcher.utter_message(response="utter_greet")
        return []
