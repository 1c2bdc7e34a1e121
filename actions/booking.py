"""The booking form (contract §6): who wants to talk to an advisor, about what, how and when.

Thin adapters over bot/booking/desk.py. `ValidateBookingForm` takes each turn as
actions/form_turns.py describes (answers read as typed, questions in between answered,
a way out at any moment); the slot question offers free slots as buttons; the submit
books in one transaction, or says why nothing was booked. While the hotline is open an
appointment is booked, otherwise a call-back window (`booking_kind`); a conversation with
a crisis question is urgent.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.form_turns import (
    GAVE_UP,
    GOODBYE,
    MISSES_SLOT,
    SKIPPED,
    STOPPED,
    TO_CANCEL,
    GuidedForm,
    Reading,
)
from actions.rating import rating_question
from actions.turns import as_text, intent_of, latest_turn, user_turns
from bot import clock
from bot.booking import CALLBACK, SlotUnavailable, booking_kind, desk, slot_minutes, validation
from bot.booking.agenda import FreeSlot
from bot.company import parse_employees
from bot.places import canonical_municipality, place_key
from bot.settings import Settings, get_settings
from bot.topics import TOPIC_INTENTS, topic_of

logger = logging.getLogger(__name__)

FORM = "booking_form"
OUTCOME_SLOT = "booking_outcome"
CRISIS_INTENT = "ask_crisis_help"
# Topic questions whose text is a fair summary of what the advisor should know.
QUESTION_INTENTS = frozenset(TOPIC_INTENTS) - {
    "request_advisor",
    "ask_contact",
    "ask_about_program",
    "ask_events",
}
# "Mijn gegevens aanpassen" after a "no" at the confirmation asks these again.
PERSONAL_SLOTS = (
    "person_name",
    "company_name",
    "municipality",
    "employees",
    "question_summary",
    "contact_preference",
    "email",
    "phone",
)
OPTIONAL_SLOTS = frozenset(
    {"company_name", "municipality", "employees", "question_summary", "contact_preference"}
)
SLOT_CHOICES = 5
CONTACT_RESPONSES = {
    validation.CONTACT_PHONE: "utter_booking_contact_phone",
    validation.CONTACT_EMAIL: "utter_booking_contact_email",
    validation.CONTACT_VIDEO: "utter_booking_contact_video",
}
# Words around a contact detail that say nothing more ("mijn mail is …", "bel me op …").
_DETAIL_FILLER = frozenset(
    [
        "mijn",
        "mail",
        "e-mail",
        "email",
        "emailadres",
        "e-mailadres",
        "mailadres",
        "adres",
        "is",
        "nummer",
        "telefoonnummer",
        "tel",
        "telefoon",
        "mobiel",
        "mobiele",
        "bel",
        "belt",
        "me",
        "mij",
        "op",
        "naar",
        "via",
        "en",
        "of",
        "u",
        "kunt",
        "mailen",
        "bereiken",
        "het",
        "de",
        "mijn",
        "ons",
        "onze",
        "graag",
        "dat",
        "dit",
        "hier",
        "hierop",
        "maar",
        "wel",
        "even",
    ]
)
_YES = re.compile(
    r"^(ja|jawel|jazeker|ja hoor|ja graag|graag|prima|goed|klopt|akkoord|oké|oke|ok|okay|yes|zeker|doe maar|"
    r"boek maar|is goed|dat is goed|dat klopt|helemaal goed|perfect|top)\b"
)
_NO = re.compile(r"^(nee|neen|nope|niet|klopt niet|dat klopt niet|liever niet|toch niet|no)\b")
# "weet ik niet", "heb ik niet", "liever niet": no answer to an optional question.
_NO_VALUE = re.compile(
    r"^(nee|geen|niet|weet ik niet|weet ik nog niet|geen idee|onbekend|n\.?v\.?t\.?|liever niet|heb ik niet|"
    r"heb ik geen|ik heb geen( e-?mail(adres)?| telefoon(nummer)?)?|"
    r"nog niet|nvt|-|sla (maar )?over|overslaan)$"
)


# --- reading the conversation -----------------------------------------------------------


def is_urgent(tracker: Tracker) -> bool:
    """A conversation in which the user asked for help in acute trouble."""
    return any(intent_of(turn) == CRISIS_INTENT for turn in user_turns(tracker))


def conversation_topics(tracker: Tracker) -> list[str]:
    """The topics of the user's intents, in order of first mention (bot/topics.py)."""
    topics = (topic_of(intent_of(turn)) for turn in user_turns(tracker))
    return list(dict.fromkeys(topic for topic in topics if topic))


def latest_question(tracker: Tracker) -> str | None:
    """The text of the user's latest typed topic question, as a first question summary."""
    for turn in reversed(user_turns(tracker)):
        text = (turn.get("text") or "").strip()
        if intent_of(turn) in QUESTION_INTENTS and text and not text.startswith("/"):
            return text[:500]
    return None


def given(value: Any) -> Any:
    """A slot value for the agenda: a skipped question is no value."""
    return None if value in (None, SKIPPED) else value


# --- presenting slots ---------------------------------------------------------------------


def moment_fields(start: datetime, end: datetime | None, settings: Settings) -> dict[str, str]:
    """`day` ("morgen", "vrijdag 6 december"), `time` and `end_time` for the responses."""
    start = clock.local(start, settings)
    fields = {"day": clock.format_day(start.date(), settings.now().date()), "time": clock.format_time(start)}
    if end is not None:
        fields["end_time"] = clock.format_time(clock.local(end, settings))
    return fields


def slot_payload(slot: FreeSlot) -> str:
    """The value a button sets in the `appointment_slot` slot."""
    return slot.start.isoformat()


def slot_buttons(slots: list[FreeSlot]) -> list[dict[str, str]]:
    """One button per slot; both forms read the `appointment_slot` entity of the payload."""
    return [
        {
            "title": clock.format_short(slot.start, slot.end if slot.kind == CALLBACK else None),
            "payload": f"/inform{json.dumps({'appointment_slot': slot_payload(slot)})}",
        }
        for slot in slots
    ]


def offer_slots(
    dispatcher: CollectingDispatcher,
    kind: str,
    urgent: bool,
    wished: datetime | None,
    *,
    ignore_appointment_id: int | None = None,
    skip_start: datetime | None = None,
    settings: Settings,
) -> None:
    """Ask for a moment with one button per free slot (or call-back window), up to five."""
    try:
        slots = desk.slots_to_offer(
            kind,
            urgent,
            wished,
            SLOT_CHOICES,
            ignore_appointment_id=ignore_appointment_id,
            skip_start=skip_start,
            settings=settings,
        )
    except Exception:
        logger.exception("free slots could not be read")
        dispatcher.utter_message(response="utter_booking_unavailable", helpdesk_phone=settings.helpdesk_phone)
        return
    if not slots:
        dispatcher.utter_message(response="utter_booking_no_slots", helpdesk_phone=settings.helpdesk_phone)
        return
    if wished is not None:
        lead = "utter_booking_choose_nearest"
    else:
        lead = "utter_booking_choose_callback" if kind == CALLBACK else "utter_booking_choose_slot"
    dispatcher.utter_message(response=lead, buttons=slot_buttons(slots))


def read_free_moment(value: Any, settings: Settings, find: Any) -> Reading:
    """The ISO start of the free slot the user chose or typed.

    A moment that can't be read is a miss; a moment that is not free, or an agenda that
    can't be reached, is said but is no miss (the next question offers other moments).
    """
    moment = validation.parse_slot_text(as_text(value), settings.now())
    if moment is None:
        return Reading(None)
    try:
        slot = find(moment)
    except Exception:
        logger.exception("slot could not be checked")
        return Reading(
            None,
            [{"response": "utter_booking_unavailable", "helpdesk_phone": settings.helpdesk_phone}],
            miss=False,
        )
    if slot is None:
        return Reading(
            None,
            [{"response": "utter_booking_slot_not_free", **moment_fields(moment, None, settings)}],
            miss=False,
        )
    return Reading(slot_payload(slot))


def wished_moment(tracker: Tracker, slot_name: str, settings: Settings) -> datetime | None:
    """When the user has just answered `slot_name` with a moment that was not free: that moment."""
    if tracker.get_slot("requested_slot") != slot_name:
        return None
    return validation.parse_slot_text(latest_turn(tracker).text, settings.now())


def phone_for_people(phone: str | None) -> str:
    if not phone or phone == SKIPPED:
        return "-"
    try:
        return validation.format_phone(phone)
    except Exception:  # not E.164 after all: show it as it is
        return phone


def for_people(value: Any) -> str:
    """A slot value in the summary: a skipped question reads as such."""
    return "niet opgegeven" if value in (None, SKIPPED) else str(value)


# --- actions ---------------------------------------------------------------------------------


class ActionStartBooking(Action):
    """Opens the booking form: a short intro and privacy line (or "we go on where we were"),
    leftovers of an earlier booking cleared, the question pre-filled from what the user asked."""

    def name(self) -> str:
        return "action_start_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        settings = get_settings()
        now = settings.now()
        kind = booking_kind(now, settings=settings)
        change = latest_turn(tracker).entity("booking_change")  # after a "no" at the confirmation
        events: list[EventType] = [
            SlotSet("appointment_slot", None),
            SlotSet("booking_confirmed", None),
            SlotSet(OUTCOME_SLOT, None),
            SlotSet(MISSES_SLOT, None),
        ]
        if change == "details":
            events += [SlotSet(slot, None) for slot in PERSONAL_SLOTS]
        if not change:
            resuming = any(tracker.get_slot(slot) not in (None, SKIPPED) for slot in ("person_name", "email"))
            opening = clock.next_opening(clock.HOTLINE, now, settings=settings) if kind == CALLBACK else None
            if opening is not None:
                dispatcher.utter_message(
                    response="utter_booking_intro_callback",
                    next_day=clock.format_day(opening.date(), now.date()),
                    next_time=clock.format_time(opening),
                )
            elif resuming:
                dispatcher.utter_message(response="utter_booking_resume")
            else:
                dispatcher.utter_message(response="utter_advisor_intro")
            if not resuming:
                dispatcher.utter_message(response="utter_booking_privacy")
        if kind == CALLBACK:
            events.append(SlotSet("contact_preference", validation.CONTACT_PHONE))
        if change != "details" and not tracker.get_slot("question_summary"):
            question = latest_question(tracker)
            if question:
                events.append(SlotSet("question_summary", question))
        return events


class ValidateBookingForm(GuidedForm):
    outcome_slot = OUTCOME_SLOT
    continue_intent = "request_advisor"
    continue_response = "utter_booking_already"
    leave_intents = frozenset({"cancel_appointment"})
    free_text_slots = frozenset({"person_name", "company_name", "question_summary"})
    topic_answer_slots = frozenset({"question_summary"})
    yes_no_slots = frozenset({"booking_confirmed"})
    extra_exits: ClassVar[str] = r"annuleer|annuleren|cancel|(ik wil )?(toch )?geen afspraak( meer)?"

    def name(self) -> str:
        return "validate_booking_form"

    def optional(self, slot: str, tracker: Tracker, settings: Settings) -> bool:
        if slot in OPTIONAL_SLOTS:
            return True
        preference = tracker.get_slot("contact_preference")
        if slot == "email":
            return preference not in (validation.CONTACT_EMAIL, validation.CONTACT_VIDEO)
        if slot == "phone":
            return (
                booking_kind(settings.now(), settings=settings) != CALLBACK
                and preference in (validation.CONTACT_EMAIL, validation.CONTACT_VIDEO)
                and given(tracker.get_slot("email")) is not None
            )
        return False

    def read(self, slot: str, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        reading = super().read(slot, value, tracker, settings)
        text = as_text(value) or ""
        if (
            not reading.ok
            and reading.miss
            and self.optional(slot, tracker, settings)
            and _NO_VALUE.match(_plain(text))
        ):
            return Reading(SKIPPED, [{"response": "utter_form_skipped"}])
        return reading

    def lenient(self, slot: str, text: str, tracker: Tracker) -> Any:
        # A name is what the person says it is; the strict reading only tidies it.
        if slot == "person_name" and not text.startswith("/") and "@" not in text:
            words = text.split()
            if 1 <= len(words) <= 8 and len(text) <= 100 and sum(ch.isalpha() for ch in text) >= 2:
                return " ".join(words)
        return None

    def says_more(self, text: str) -> bool:
        return any(word not in _DETAIL_FILLER for word in re.findall(r"[^\W\d_]{2,}", text.lower()))

    def details(self, text: str, requested: str, tracker: Tracker) -> list[tuple[str, Any, str, str]]:
        found = []
        if requested != "email":
            email = validation.email_from_text(text)
            if email:
                held_in = next((word for word in text.split() if "@" in word), email)
                found.append(("email", email, held_in, "utter_noted_email"))
        if requested not in ("phone", "appointment_slot", "employees"):
            for match in validation.phone_matches(text):
                found.append(("phone", match[0], match[1], "utter_noted_phone"))
                break
        return found

    def read_person_name(self, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        return Reading(validation.person_name_from_text(as_text(value)))

    def read_company_name(self, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        return Reading(validation.company_name_from_text(as_text(value)))

    def read_municipality(self, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        turn = latest_turn(tracker)
        text = as_text(value)
        typed = turn.typed("municipality") or text
        place = validation.place_from_text(typed)
        municipality = canonical_municipality(text) or canonical_municipality(place)
        if municipality:
            messages = []
            if place and place_key(place) != place_key(municipality):
                messages.append(
                    {"response": "utter_booking_village", "place": place, "municipality": municipality}
                )
            return Reading(municipality, messages)
        if not place:
            return Reading(None)
        return Reading(place, [{"response": "utter_booking_outside_drenthe", "place": place}])

    def read_employees(self, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        count = parse_employees(value)
        return Reading(str(count) if count is not None else None)

    def read_question_summary(self, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        summary = " ".join((as_text(value) or "").split())
        if len(summary) < 3 or summary.startswith("/") or not re.search(r"[^\W\d_]", summary):
            return Reading(None)
        return Reading(summary[:500])

    def read_contact_preference(self, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        return Reading(validation.parse_contact_preference(as_text(value)))

    def read_email(self, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        return Reading(validation.email_from_text(as_text(value)))

    def read_phone(self, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        return Reading(validation.phone_from_text(as_text(value)))

    def read_appointment_slot(self, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        kind, urgent = booking_kind(settings.now(), settings=settings), is_urgent(tracker)
        return read_free_moment(
            value, settings, lambda moment: desk.free_slot_at(kind, moment, urgent, settings)
        )

    def read_booking_confirmed(self, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        if isinstance(value, bool):
            return Reading(value)
        turn = latest_turn(tracker)
        if turn.is_payload:
            return Reading({"affirm": True, "deny": False}.get(turn.intent or ""))
        text = _plain(as_text(value) or "")
        if _NO.match(text):
            return Reading(False)
        if _YES.match(text):
            return Reading(True)
        if turn.intent in ("affirm", "deny") and turn.confidence >= 0.8 and not turn.is_question:
            return Reading(turn.intent == "affirm")
        return Reading(None)


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[!.,?]+", " ", text.lower()).split())


class ActionAskAppointmentSlot(Action):
    """The free slots (or call-back windows) as buttons; after a moment that was not
    free, the ones closest to it."""

    def name(self) -> str:
        return "action_ask_appointment_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        settings = get_settings()
        kind = booking_kind(settings.now(), settings=settings)
        offer_slots(
            dispatcher,
            kind,
            is_urgent(tracker),
            wished_moment(tracker, "appointment_slot", settings),
            settings=settings,
        )
        return []


class ActionAskBookingConfirmed(Action):
    """A summary of what will be booked, asked as yes/no (buttons in the response)."""

    def name(self) -> str:
        return "action_ask_booking_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        settings = get_settings()
        kind = booking_kind(settings.now(), settings=settings)
        start = clock.local(datetime.fromisoformat(tracker.get_slot("appointment_slot")), settings)
        end = start + timedelta(minutes=slot_minutes(kind, settings))
        details = {name: for_people(tracker.get_slot(name)) for name in PERSONAL_SLOTS}
        details["phone"] = phone_for_people(tracker.get_slot("phone"))
        response = "utter_booking_summary_callback" if kind == CALLBACK else "utter_booking_summary"
        dispatcher.utter_message(response=response, **details, **moment_fields(start, end, settings))
        return []


class ActionSubmitBooking(Action):
    """Books the confirmed slot, or says why nothing was booked: stopped, goodbye, given up,
    not confirmed (then the user chooses what to change), or a slot someone just took
    (then the form reopens at the moment question)."""

    def name(self) -> str:
        return "action_submit_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        settings = get_settings()
        cleared: list[EventType] = [
            SlotSet("appointment_slot", None),
            SlotSet("booking_confirmed", None),
            SlotSet(OUTCOME_SLOT, None),
            SlotSet(MISSES_SLOT, None),
        ]
        outcome = tracker.get_slot(OUTCOME_SLOT)
        if outcome in (STOPPED, GOODBYE):
            dispatcher.utter_message(response="utter_booking_stopped")
            if outcome == GOODBYE:
                from actions.rating import goodbye

                return cleared + goodbye(dispatcher, tracker)
            return cleared
        if outcome == TO_CANCEL:
            from actions.cancel import start_cancel

            dispatcher.utter_message(response="utter_booking_stopped_for_cancel")
            return cleared + start_cancel(dispatcher, tracker) + [FollowupAction("cancel_form")]
        if outcome == GAVE_UP:
            dispatcher.utter_message(response="utter_booking_gave_up", helpdesk_phone=settings.helpdesk_phone)
            return cleared
        if tracker.get_slot("booking_confirmed") is not True:
            dispatcher.utter_message(response="utter_booking_not_confirmed")
            return cleared
        kind = booking_kind(settings.now(), settings=settings)
        urgent = is_urgent(tracker)
        try:
            booked = desk.book(
                kind=kind,
                start=datetime.fromisoformat(tracker.get_slot("appointment_slot")),
                person_name=tracker.get_slot("person_name"),
                email=given(tracker.get_slot("email")),
                phone=given(tracker.get_slot("phone")),
                company_name=given(tracker.get_slot("company_name")),
                municipality=given(tracker.get_slot("municipality")),
                employees=parse_employees(given(tracker.get_slot("employees"))),
                question_summary=given(tracker.get_slot("question_summary")),
                contact_preference=given(tracker.get_slot("contact_preference")),
                topics=conversation_topics(tracker),
                urgent=urgent,
                sender_id=tracker.sender_id,
                settings=settings,
            )
        except SlotUnavailable:  # SlotTaken included: someone was just faster
            dispatcher.utter_message(response="utter_booking_slot_taken")
            return [*cleared, FollowupAction(FORM)]
        except Exception:  # the database, or details the form let through by mistake (InvalidBooking)
            logger.exception("booking failed")
            dispatcher.utter_message(
                response="utter_booking_unavailable", helpdesk_phone=settings.helpdesk_phone
            )
            return cleared
        fields = {
            "reference": booked.reference,
            "advisor": booked.advisor_first_name or "een adviseur",
            "phone": phone_for_people(booked.phone),
            "email": booked.email or "-",
            **moment_fields(booked.start, booked.end, settings),
        }
        if kind == CALLBACK:
            dispatcher.utter_message(response="utter_booking_done_callback", **fields)
        else:
            dispatcher.utter_message(response="utter_booking_done", **fields)
            preference = CONTACT_RESPONSES.get(tracker.get_slot("contact_preference"))
            if preference:
                dispatcher.utter_message(response=preference, **fields)
        if urgent:
            dispatcher.utter_message(response="utter_booking_urgent")
        return [*cleared, SlotSet("question_summary", None), *rating_question(dispatcher, tracker)]
