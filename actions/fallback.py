"""Two-stage fallback: first ask what was meant, after a second miss offer an advisor."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.topics import label_of, likely_topics

FALLBACK_INTENT = "nlu_fallback"


def previous_message_missed(tracker: Tracker) -> bool:
    """True when the user message before the latest one was not understood either."""
    user_events = [event for event in tracker.events if event.get("event") == "user"]
    if len(user_events) < 2:
        return False
    intent = (user_events[-2].get("parse_data") or {}).get("intent") or {}
    return intent.get("name") == FALLBACK_INTENT


class ActionClarify(Action):
    def name(self) -> str:
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        if previous_message_missed(tracker):
            dispatcher.utter_message(response="utter_offer_advisor")
            return []
        ranking = tracker.latest_message.get("intent_ranking") or []
        buttons = [{"title": label_of(intent), "payload": f"/{intent}"} for intent in likely_topics(ranking)]
        buttons.append({"title": "Iets anders", "payload": "/help"})
        dispatcher.utter_message(response="utter_ask_rephrase", buttons=buttons)
        return []
