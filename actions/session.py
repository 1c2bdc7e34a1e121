"""`action_session_start`: Rasa's default session start, plus the hotline greeting.

Like the default it starts the session, carries the slots over (when the domain says
so) and ends with `action_listen`. When the session's metadata says the user came in
through the hotline (`{"source": "hotline"}`, contract §8: `/?source=hotline`), or the
`source` slot already says so, the first message tells that the phone line is busy
or closed and that the assistant can help or arrange a call-back.
"""
from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import clock
from bot.settings import get_settings

HOTLINE = "hotline"
METADATA_SLOT = "session_started_metadata"


def session_source(tracker: Tracker) -> Optional[str]:
    metadata = tracker.get_slot(METADATA_SLOT)
    if isinstance(metadata, dict) and isinstance(metadata.get("source"), str):
        return metadata["source"].strip().lower() or None
    return tracker.get_slot("source")


def carried_over_slots(tracker: Tracker) -> list[EventType]:
    """The slot events of the previous session, as Rasa's default session start carries them."""
    slots: list[EventType] = []
    for event in tracker.applied_events():
        if event.get("event") == "session_started":
            slots = []
        elif event.get("event") == "slot":
            slots.append(SlotSet(event["name"], event.get("value")))
    return slots


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        if (domain.get("session_config") or {}).get("carry_over_slots_to_new_session", True):
            events += carried_over_slots(tracker)
        source = session_source(tracker)
        if source:
            events.append(SlotSet("source", source))
        if source == HOTLINE:
            self._greet_from_hotline(dispatcher)
        events.append(ActionExecuted("action_listen"))
        return events

    @staticmethod
    def _greet_from_hotline(dispatcher: CollectingDispatcher) -> None:
        settings = get_settings()
        now = settings.now()
        hotline: Any = clock.status(clock.HOTLINE, now, settings)
        if hotline.is_open or hotline.next_opening is None:
            dispatcher.utter_message(response="utter_hotline_busy")
        else:
            dispatcher.utter_message(
                response="utter_hotline_closed",
                next_day=clock.format_day(hotline.next_opening.date(), now.date()),
                next_time=clock.format_time(hotline.next_opening),
            )
