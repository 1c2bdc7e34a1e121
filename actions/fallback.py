"""When the assistant is unsure: a follow-up is answered for the last answer; otherwise
first ask what was meant (the likeliest topics as buttons), after a second miss in a row
offer an advisor. `action_recover` is the way out of a turn that went wrong
(policies/turn_guard.py predicts it): one short Dutch message, and the next message works.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import answer, answer_follow_up
from actions.turns import FALLBACK_INTENT, events_of_this_turn, intent_of, user_turns
from bot.settings import Settings, get_settings
from bot.topics import label_of, likely_topics, other_label


def previous_message_missed(tracker: Tracker) -> bool:
    """True when the user message before the latest one was not understood either."""
    turns = user_turns(tracker)
    return len(turns) >= 2 and intent_of(turns[-2]) == FALLBACK_INTENT


class ActionClarify(Action):
    def name(self) -> str:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        settings = get_settings()
        if any(event.get("name") == self.name() for event in events_of_this_turn(tracker)):
            return recover(dispatcher, tracker, settings)  # asked once in this turn already: never twice
        before = len(dispatcher.messages)
        events = answer(dispatcher, settings, lambda reply: answer_follow_up(reply, tracker))
        if len(dispatcher.messages) > before:
            return events
        if previous_message_missed(tracker):
            dispatcher.utter_message(response="utter_offer_advisor")
            return []
        ranking = tracker.latest_message.get("intent_ranking") or []
        buttons = [{"title": label_of(intent), "payload": f"/{intent}"} for intent in likely_topics(ranking)]
        buttons.append({"title": other_label(), "payload": "/help"})
        dispatcher.utter_message(response="utter_ask_rephrase", buttons=buttons)
        return []


def recover(dispatcher: CollectingDispatcher, tracker: Tracker, settings: Settings) -> list[EventType]:
    """One apology with the phone number; any form is left (its answers stay in the slots)."""
    dispatcher.utter_message(response="utter_recover", helpdesk_phone=settings.helpdesk_phone)
    events: list[EventType] = []
    if tracker.active_loop_name:
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    return events


class ActionRecover(Action):
    def name(self) -> str:
        return "action_recover"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        return recover(dispatcher, tracker, get_settings())
