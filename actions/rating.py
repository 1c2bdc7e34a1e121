"""The rating at the end of a case: after a booking, or at goodbye after an answer, the
assistant asks once per conversation for a mark from 1 to 10 (buttons that send
`/inform{"rating": N}`) and then for an optional comment (`rating_form`).

The marks live in the slots `rating` and `rating_comment` of the conversation, where
the advisors' console reads them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.form_turns import ANSWERED, GOODBYE, SKIPPED, GuidedForm, Reading
from actions.turns import as_text, intent_of, latest_turn, user_turns
from bot.settings import Settings
from bot.topics import TOPIC_INTENTS

FORM = "rating_form"
OUTCOME_SLOT = "rating_outcome"
LOWEST, HIGHEST = 1, 10
# Intents whose answer makes a case worth rating at goodbye.
ANSWERED_INTENTS = frozenset(TOPIC_INTENTS) - {"request_advisor"}
_MARK = re.compile(
    r"^(?:een |ik geef (?:een |het )?|cijfer:? )?(\d{1,2})(?:[.,]0)?(?: van de 10| uit 10|/10)?[.!]?$"
)


def rating_buttons() -> list[dict[str, str]]:
    return [
        {"title": str(mark), "payload": f"/inform{json.dumps({'rating': mark})}"}
        for mark in range(LOWEST, HIGHEST + 1)
    ]


def rating_question(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Ask for the mark, once per conversation."""
    if tracker.get_slot("rating_asked") or tracker.get_slot("rating") is not None:
        return []
    dispatcher.utter_message(response="utter_ask_rating", buttons=rating_buttons())
    # The mark is now the open question, not an earlier size question.
    return [SlotSet("rating_asked", True), SlotSet("pending_topic", None)]


def had_an_answer(tracker: Tracker) -> bool:
    return any(intent_of(turn) in ANSWERED_INTENTS for turn in user_turns(tracker))


def goodbye(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Goodbye, with the rating question when the person got an answer and wasn't asked yet."""
    dispatcher.utter_message(response="utter_goodbye")
    if had_an_answer(tracker):
        return rating_question(dispatcher, tracker)
    return []


def mark_in(value: Any) -> int | None:
    """A mark from 1 to 10: 8, "8", "een 8", "8/10"; anything else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
        return int(number) if number.is_integer() and LOWEST <= number <= HIGHEST else None
    text = " ".join((as_text(value) or "").lower().split())
    found = _MARK.match(text)
    if found is None:
        return None
    number = int(found.group(1))
    return number if LOWEST <= number <= HIGHEST else None


def rating_given(tracker: Tracker) -> tuple[bool, int | None]:
    """Whether the latest message answers the rating question, and the mark (None: not a valid one)."""
    turn = latest_turn(tracker)
    if turn.is_payload and "rating" in turn.payload_entities:
        return True, mark_in(turn.payload_entities["rating"])
    # A typed number answers the rating only while no later size question waits for it.
    waiting = tracker.get_slot("rating_asked") and tracker.get_slot("rating") is None
    if waiting and not turn.is_payload and not tracker.get_slot("pending_topic"):
        mark = mark_in(turn.text)
        if mark is not None:
            return True, mark
    return False, None


def take_rating(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """The events of a rating in the latest message, or None when it holds none."""
    answered, mark = rating_given(tracker)
    if not answered:
        return None
    if mark is None:
        dispatcher.utter_message(response="utter_invalid_rating", buttons=rating_buttons())
        return [SlotSet("rating", None), SlotSet("rating_asked", True)]
    dispatcher.utter_message(response="utter_rating_thanks")
    # data/rules/rating.yml then opens rating_form for the optional comment.
    return [
        SlotSet("rating", mark),
        SlotSet("rating_asked", True),
        SlotSet("rating_comment", None),
        SlotSet(OUTCOME_SLOT, None),
    ]


class ActionGoodbye(Action):
    def name(self) -> str:
        return "action_goodbye"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        return goodbye(dispatcher, tracker)


class ValidateRatingForm(GuidedForm):
    """The optional comment after a mark: free text, "nee" or the button to skip it.
    A question instead of a comment is answered and ends the form."""

    outcome_slot = OUTCOME_SLOT
    continue_response = "utter_ask_rating_comment"
    free_text_slots = frozenset({"rating_comment"})
    ends_on_question = True

    def name(self) -> str:
        return "validate_rating_form"

    def optional(self, slot: str, tracker: Tracker, settings: Settings) -> bool:
        return True

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[str]:
        # No valid mark (a broken button payload): no comment to ask for; the mark was asked again.
        return domain_slots if tracker.get_slot("rating") is not None else []

    def read_rating_comment(self, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        text = " ".join((as_text(value) or "").split())
        if text.startswith("/"):
            return Reading(None)
        if re.fullmatch(
            r"(nee|neen|nee hoor|nee dank (je|u)( wel)?|niets|niks|geen|nvt|-)[.!]?", text.lower()
        ):
            return Reading(SKIPPED)
        return Reading(text[:1000] if len(text) >= 2 else None)


class ActionSubmitRating(Action):
    """Thanks for the comment (or for the mark alone)."""

    def name(self) -> str:
        return "action_submit_rating"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        outcome = tracker.get_slot(OUTCOME_SLOT)
        comment = tracker.get_slot("rating_comment")
        events: list[EventType] = [SlotSet(OUTCOME_SLOT, None)]
        if outcome == ANSWERED or tracker.get_slot("rating") is None:
            return events  # a question instead of a comment was answered; or no valid mark, asked again
        if outcome == GOODBYE:
            dispatcher.utter_message(response="utter_goodbye")
        elif comment and comment != SKIPPED:
            dispatcher.utter_message(response="utter_rating_comment_thanks")
        else:
            dispatcher.utter_message(response="utter_rating_no_comment")
        if comment == SKIPPED:
            events.append(SlotSet("rating_comment", None))
        return events
