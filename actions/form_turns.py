"""How a form takes one user turn: an answer, a question in between, a detail meant for
another question, or a way out.

Every slot a form asks is filled from the raw text (domain.yml: `from_text` without
intent conditions), so a form never rejects a message and no intent is ever unhandled
inside it. `GuidedForm` then decides what the text is, in this order:

1. a way out: "stop", "laat maar", a "Stoppen" button, goodbye (the form ends and its
   submit action says so, from the outcome slot);
2. a button of the bot's own: its intent is certain (a topic button is answered, "Een
   adviseur spreken" inside the booking just goes on);
3. a clear question (shaped like one, and the classifier is sure): answered by the same
   action that answers it outside the form, then the form asks again;
4. otherwise an answer, read by the form's `read_<slot>`; a name is taken as typed, an
   intent classifier's guess never refuses it. A detail for another question (an e-mail
   address at the place question) is stored in its own slot.

An answer that can't be read counts as a miss. After two misses of the same question the
form offers a way on (an optional question is skipped, a required one points to the phone
line and a "Stoppen" button); after a third, a required question ends the form politely.
"""

from __future__ import annotations

import abc
import enum
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.turns import Turn, events_of_this_turn, latest_turn, slot_before_this_turn
from bot.settings import Settings, get_settings
from bot.topics import TOPIC_INTENTS

REQUESTED_SLOT = "requested_slot"
MISSES_SLOT = "form_misses"
# The value of an optional question that was skipped.
SKIPPED = "-"

# Ends of a form, kept in the form's outcome slot for its submit action.
STOPPED = "stopped"
GOODBYE = "goodbye"
GAVE_UP = "gave_up"
TO_CANCEL = "to_cancel"
TO_BOOKING = "to_booking"
ANSWERED = "answered"  # a question instead of an answer, in a form that ends on one

# How sure the classifier must be before a typed text counts as a question in between.
CLEAR_QUESTION = 0.6
# After a text that can't be read as the answer, a lower bar is enough.
LIKELY_QUESTION = 0.5

_EXITS = (
    r"stop|stoppen|hou op|houd op|ophouden|laat maar|laat maar zitten|laat ook maar|toch maar niet|"
    r"(ik wil |we willen |wil )?(graag )?stoppen|ik wil (het )?(toch )?niet( meer)?|"
    r"ik hoef (het )?niet( meer)?|"
    r"afbreken|breek af|vergeet (het|maar)( maar)?|nee,? (dank je|dank u|bedankt)( wel)?|niet meer nodig|"
    r"quit|exit|terug naar het begin|opnieuw beginnen"
)
_PUNCTUATION = re.compile(r"[\s.!,]+$")


class Decision(enum.Enum):
    ANSWER = "answer"
    EXIT = "exit"
    GOODBYE = "goodbye"
    DIGRESS = "digress"
    CONTINUE = "continue"
    LEAVE = "leave"


@dataclass
class Reading:
    """What `read_<slot>` made of an answer: the clean value (None when unreadable) and
    what to say ("Beilen valt onder de gemeente Midden-Drenthe"). An unreadable answer is
    a miss, unless `miss` is False: then its messages say why (a moment that is not free).
    `also` holds other slots the reading settles (a wrong reference asked again)."""

    value: Any
    messages: list[dict[str, Any]] = field(default_factory=list)
    miss: bool = True
    also: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.value is not None


# Short answers the forms give to a question in between; topic questions get the catalog's answer.
DIGRESSION_RESPONSES = {
    "help": "utter_help_in_form",
    "bot_challenge": "utter_iamabot_in_form",
    "out_of_scope": "utter_out_of_scope_in_form",
    "greet": "utter_greet_in_form",
    "thank": "utter_thank_in_form",
}
QUESTION_INTENTS = frozenset(TOPIC_INTENTS) | {"help", "bot_challenge", "out_of_scope", "cancel_appointment"}


def digression_actions() -> dict[str, type[Action]]:
    """The actions that answer a question in between, as they answer it outside a form."""
    from actions.catalog import ActionAboutProgram, ActionAnswerScheme, ActionAnswerTopic, ActionListEvents
    from actions.contact import ActionContact

    actions: dict[str, type[Action]] = {
        intent: ActionAnswerTopic
        for intent, topic in TOPIC_INTENTS.items()
        if topic not in ("corona", "events", "contact", "program", "advisor")
    }
    actions.update(
        ask_corona_scheme=ActionAnswerScheme,
        ask_events=ActionListEvents,
        ask_about_program=ActionAboutProgram,
        ask_contact=ActionContact,
    )
    return actions


class GuidedForm(FormValidationAction, metaclass=abc.ABCMeta):
    """A form validation that takes every turn as described in the module docstring.

    Subclasses set the class attributes and write `read_<slot>(value, tracker, settings) -> Reading`
    for each slot; they may override `optional`, `lenient`, `details` and `required_slots`.
    Abstract, so the action server registers only the subclasses.
    """

    @abc.abstractmethod
    def name(self) -> str: ...

    outcome_slot: ClassVar[str]
    # Asking for what the form already does ("een adviseur spreken" while booking one).
    continue_intent: ClassVar[str | None] = None
    continue_response: ClassVar[str]
    # Intents that end this form for another one (cancelling while booking), and that outcome.
    leave_intents: ClassVar[frozenset[str]] = frozenset()
    leave_outcome: ClassVar[str] = TO_CANCEL
    # Slots whose answer is free text; a question there is only taken as one when it is clear.
    free_text_slots: ClassVar[frozenset[str]] = frozenset()
    # Slots where a topic question is the expected answer ("waar wilt u het over hebben?").
    topic_answer_slots: ClassVar[frozenset[str]] = frozenset()
    yes_no_slots: ClassVar[frozenset[str]] = frozenset()
    extra_exits: ClassVar[str] = ""
    # A form that is a small extra (the rating comment) ends after answering a question in between.
    ends_on_question: ClassVar[bool] = False

    # --- what subclasses may refine ----------------------------------------------------------

    def optional(self, slot: str, tracker: Tracker, settings: Settings) -> bool:
        """An optional question is skipped after two misses instead of insisting."""
        return False

    def lenient(self, slot: str, text: str, tracker: Tracker) -> Any:
        """A value to accept at the second miss when the strict reading failed (None: none)."""
        return None

    def details(self, text: str, requested: str, tracker: Tracker) -> list[tuple[str, Any, str, str]]:
        """Details in the text that belong to other questions: (slot, value, the text that
        held it, the response acknowledging it)."""
        return []

    def says_more(self, text: str) -> bool:
        """Whether what is left of a message after its details still answers something."""
        return re.search(r"[^\W\d_]{2}", text) is not None

    # --- one turn ---------------------------------------------------------------------------------

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        settings = get_settings()
        requested = tracker.get_slot(REQUESTED_SLOT)
        candidates = {
            name: value for name, value in tracker.slots_to_validate().items() if name != REQUESTED_SLOT
        }
        if not requested or _activated_this_turn(tracker, self.form_name()):
            return await self._validate_prefilled(candidates, dispatcher, tracker, domain, settings)
        turn = latest_turn(tracker)
        restore = {name: slot_before_this_turn(tracker, name) for name in candidates}
        decision = self.decide(turn, requested)
        if decision is Decision.ANSWER:
            events = await self._take_answer(
                turn, requested, candidates, restore, dispatcher, tracker, domain, settings
            )
            if events is not None:
                return events
            decision = self._route(turn.intent or "", typed=True)
        if decision in (Decision.EXIT, Decision.GOODBYE, Decision.LEAVE):
            outcome = {Decision.EXIT: STOPPED, Decision.GOODBYE: GOODBYE, Decision.LEAVE: self.leave_outcome}[
                decision
            ]
            return self._end(outcome, restore)
        events = _slot_events(restore)
        if decision is Decision.CONTINUE:
            dispatcher.utter_message(response=self.continue_response)
        else:
            events += await self._digress(turn, dispatcher, tracker, domain)
            if self.ends_on_question:
                events += self._end(ANSWERED, {})
        return events

    def decide(self, turn: Turn, requested: str) -> Decision:
        if not turn.is_payload and self._is_exit(turn.text):
            return Decision.EXIT
        intent = turn.intent or ""
        if turn.is_payload:
            if intent == "inform" or (requested in self.yes_no_slots and intent in ("affirm", "deny")):
                return Decision.ANSWER
            return self._route(intent, typed=False)
        if intent == "goodbye" and turn.confidence >= 0.85 and len(turn.words) <= 6:
            return Decision.GOODBYE
        if self._clear_question(turn, requested):
            return self._route(intent, typed=True)
        return Decision.ANSWER

    def _route(self, intent: str, typed: bool) -> Decision:
        if intent in (self.continue_intent, "affirm"):
            return Decision.CONTINUE
        if intent == "deny" and not typed:
            return Decision.EXIT
        if intent == "goodbye":
            return Decision.GOODBYE
        if intent in self.leave_intents:
            return Decision.LEAVE
        return Decision.DIGRESS

    def _is_exit(self, text: str) -> bool:
        lowered = _PUNCTUATION.sub("", " ".join(text.lower().split()))
        exits = _EXITS + (f"|{self.extra_exits}" if self.extra_exits else "")
        return re.fullmatch(f"(?:{exits})", lowered) is not None

    def _clear_question(self, turn: Turn, requested: str) -> bool:
        intent = turn.intent or ""
        if intent not in QUESTION_INTENTS or turn.confidence < CLEAR_QUESTION or not turn.is_question:
            return False
        if requested in self.topic_answer_slots:
            return intent in ("help", "bot_challenge")
        return True

    async def _take_answer(
        self,
        turn: Turn,
        requested: str,
        candidates: dict[str, Any],
        restore: dict[str, Any],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict,
        settings: Settings,
    ) -> list[EventType] | None:
        """The events of an answer; None when the text turns out to be a question after all."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        values: dict[str, Any] = {}
        said: list[dict[str, Any]] = []
        answer = candidates.get(requested)
        raw_payload = turn.is_payload and answer == turn.text  # a button meant for another question
        if not turn.is_payload and isinstance(answer, str):
            remainder = answer
            for slot, value, held_in, response in self.details(turn.text, requested, tracker):
                if slot in required and slot != requested:
                    values[slot] = value
                    said.append({"response": response})
                    remainder = remainder.replace(held_in, " ")
            if said:
                remainder = " ".join(remainder.split()).strip(" ,.;:")
                answer = remainder if self.says_more(remainder) else None
        for name, value in candidates.items():
            if name in (requested, *values) or name not in required:
                continue
            reading = self.read(name, value, tracker, settings)
            values[name] = reading.value if reading.ok else restore.get(name)
        reading = self.read(requested, answer, tracker, settings) if answer is not None else Reading(None)
        values.update(reading.also)
        if reading.ok:
            values[requested] = reading.value
            values[MISSES_SLOT] = None
            said += reading.messages
        elif said or raw_payload or not reading.miss:
            values[requested] = None  # a detail noted, a stray button or a reason given: ask again
            said += reading.messages
        else:
            # Not an answer: a question, or asking for another form ("ik wil een nieuwe afspraak").
            other_form = {self.continue_intent, *self.leave_intents}
            if (
                turn.intent in QUESTION_INTENTS
                or turn.intent in DIGRESSION_RESPONSES
                or turn.intent in other_form
            ) and turn.confidence >= LIKELY_QUESTION:
                return None
            values.update(self._miss(requested, turn.text, said, tracker, settings))
        for message in said:
            dispatcher.utter_message(**message)
        if values.get(self.outcome_slot):
            values[REQUESTED_SLOT] = None
        events = _slot_events(values)
        tracker.add_slots(events)
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        if next_slot is not None and not values.get(self.outcome_slot):
            events.append(next_slot)
        return events

    def _miss(
        self, slot: str, text: str, said: list[dict[str, Any]], tracker: Tracker, settings: Settings
    ) -> dict[str, Any]:
        misses = tracker.get_slot(MISSES_SLOT) or {}
        count = int(misses.get("count") or 0) + 1 if misses.get("slot") == slot else 1
        result: dict[str, Any] = {slot: None, MISSES_SLOT: {"slot": slot, "count": count}}
        if count == 1:
            said.append({"response": f"utter_invalid_{slot}"})
            return result
        lenient = self.lenient(slot, text, tracker)
        if lenient is not None:
            result.update({slot: lenient, MISSES_SLOT: None})
        elif self.optional(slot, tracker, settings):
            said.append({"response": "utter_form_skipped"})
            result.update({slot: SKIPPED, MISSES_SLOT: None})
        elif count == 2:
            said.append({"response": f"utter_invalid_{slot}"})
            said.append({"response": "utter_form_way_on", "helpdesk_phone": settings.helpdesk_phone})
        else:
            result.update({self.outcome_slot: GAVE_UP, MISSES_SLOT: None})
        return result

    def read(self, slot: str, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        reader = getattr(self, f"read_{slot}", None)
        if reader is None:
            return Reading(value)
        return reader(value, tracker, settings)

    async def _validate_prefilled(
        self,
        candidates: dict[str, Any],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict,
        settings: Settings,
    ) -> list[EventType]:
        """At the form's start: check what is already known, silently; drop what doesn't read."""
        values = {}
        for name, value in candidates.items():
            if value is None or value == SKIPPED:
                values[name] = value
                continue
            reading = self.read(name, value, tracker, settings)
            values[name] = reading.value
        events = _slot_events(values)
        tracker.add_slots(events)
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        return events + ([next_slot] if next_slot is not None else [])

    async def _digress(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[EventType]:
        intent = turn.intent or ""
        response = DIGRESSION_RESPONSES.get(intent)
        if response:
            dispatcher.utter_message(response=response)
            return []
        action = digression_actions().get(intent)
        if action is None:
            dispatcher.utter_message(response="utter_form_continue")
            return []
        return list(await action().run(dispatcher, tracker, domain))

    def _end(self, outcome: str, restore: dict[str, Any]) -> list[EventType]:
        return _slot_events({**restore, MISSES_SLOT: None, self.outcome_slot: outcome, REQUESTED_SLOT: None})


def _activated_this_turn(tracker: Tracker, form: str) -> bool:
    """The form was (re)started in this turn: the slots known so far are checked, nothing is answered."""
    return any(
        event.get("event") == "active_loop" and event.get("name") == form
        for event in events_of_this_turn(tracker)
    )


def _slot_events(values: dict[str, Any]) -> list[EventType]:
    return [SlotSet(name, value) for name, value in values.items()]
