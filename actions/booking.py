"""The booking form (contract §6): who wants to talk to an advisor, about what, how and when.

Thin adapters over bot/booking: the validation re-asks with `utter_invalid_*` responses,
the slot question offers free slots as buttons, the submit books in one transaction.
While the hotline is open an appointment is booked, otherwise a call-back window
(`booking_kind`); a conversation with a crisis question is urgent. Every action opens
its own database session; when the database fails nothing is claimed as booked.
"""
from __future__ import annotations

import functools
import json
import logging
from datetime import datetime, timedelta
from typing import Any, Callable, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from bot import clock
from bot.booking import (
    CALLBACK,
    FreeSlot,
    SlotUnavailable,
    book,
    booking_kind,
    free_slots,
    slot_at,
    slot_minutes,
)
from bot.booking import validation
from bot.db import session_scope
from bot.places import canonical_municipality, place_key
from bot.settings import Settings, get_settings
from bot.topics import TOPIC_INTENTS, topic_of

logger = logging.getLogger(__name__)

FORM = "booking_form"
CRISIS_INTENT = "ask_crisis_help"
# Topic questions whose text is a fair summary of what the advisor should know.
QUESTION_INTENTS = frozenset(TOPIC_INTENTS) - {"request_advisor", "ask_contact", "ask_about_program", "ask_events"}
# "Mijn gegevens aanpassen" after a "no" at the confirmation asks these again.
PERSONAL_SLOTS = (
    "person_name", "company_name", "municipality", "employees", "question_summary",
    "contact_preference", "email", "phone",
)
SLOT_CHOICES = 5
# Free slots around a wished moment that was not free: how far before it to look.
NEAREST_WINDOW = timedelta(hours=3)
CONTACT_RESPONSES = {
    validation.CONTACT_PHONE: "utter_booking_contact_phone",
    validation.CONTACT_EMAIL: "utter_booking_contact_email",
    validation.CONTACT_VIDEO: "utter_booking_contact_video",
}


# --- reading the conversation -----------------------------------------------------------


def user_turns(tracker: Tracker) -> list[dict[str, Any]]:
    return [event for event in tracker.events if event.get("event") == "user"]


def intent_of(turn: dict[str, Any]) -> Optional[str]:
    return ((turn.get("parse_data") or {}).get("intent") or {}).get("name")


def is_urgent(tracker: Tracker) -> bool:
    """A conversation in which the user asked for help in acute trouble."""
    return any(intent_of(turn) == CRISIS_INTENT for turn in user_turns(tracker))


def conversation_topics(tracker: Tracker) -> list[str]:
    """The topics of the user's intents, in order of first mention (bot/topics.py)."""
    topics = (topic_of(intent_of(turn)) for turn in user_turns(tracker))
    return list(dict.fromkeys(topic for topic in topics if topic))


def latest_question(tracker: Tracker) -> Optional[str]:
    """The text of the user's latest typed topic question, as a first question summary."""
    for turn in reversed(user_turns(tracker)):
        text = (turn.get("text") or "").strip()
        if intent_of(turn) in QUESTION_INTENTS and text and not text.startswith("/"):
            return text[:500]
    return None


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def latest_entity(tracker: Tracker, entity: str) -> Optional[str]:
    return next(iter(tracker.get_latest_entity_values(entity)), None)


def typed_entity_text(tracker: Tracker, entity: str) -> Optional[str]:
    """The words the user typed for an entity, before synonym mapping ("Beilen", not "Midden-Drenthe")."""
    text = latest_text(tracker)
    for found in (tracker.latest_message or {}).get("entities") or []:
        start, end = found.get("start"), found.get("end")
        if found.get("entity") == entity and isinstance(start, int) and isinstance(end, int) and text[start:end].strip():
            return text[start:end].strip()
    return None


# --- presenting slots ---------------------------------------------------------------------


def moment_fields(start: datetime, end: Optional[datetime], settings: Settings) -> dict[str, str]:
    """`day` ("morgen", "vrijdag 6 december"), `time` and `end_time` for the responses."""
    start = clock.local(start, settings)
    fields = {"day": clock.format_day(start.date(), settings.now().date()), "time": clock.format_time(start)}
    if end is not None:
        fields["end_time"] = clock.format_time(clock.local(end, settings))
    return fields


def slot_buttons(slots: list[FreeSlot]) -> list[dict[str, str]]:
    """One button per slot; both forms read the `appointment_slot` entity of the payload."""
    return [
        {
            "title": clock.format_short(slot.start, slot.end if slot.kind == CALLBACK else None),
            "payload": f"/inform{json.dumps({'appointment_slot': slot.payload})}",
        }
        for slot in slots
    ]


def nearest_free(
    session: Session, kind: str, wished: datetime, urgent: bool, ignore_appointment_id: Optional[int] = None
) -> list[FreeSlot]:
    """The free slots closest to a wished moment that was not free, in time order."""
    candidates = free_slots(
        session, kind, wished - NEAREST_WINDOW, SLOT_CHOICES * 3, urgent=urgent,
        ignore_appointment_id=ignore_appointment_id,
    )
    if not candidates:
        candidates = free_slots(session, kind, None, SLOT_CHOICES, urgent=urgent, ignore_appointment_id=ignore_appointment_id)
    closest = sorted(candidates, key=lambda slot: abs(slot.start - wished))[:SLOT_CHOICES]
    return sorted(closest, key=lambda slot: slot.start)


def offer_slots(
    dispatcher: CollectingDispatcher,
    kind: str,
    urgent: bool,
    wished: Optional[datetime],
    *,
    ignore_appointment_id: Optional[int] = None,
    skip_start: Optional[datetime] = None,
) -> None:
    """Ask for a moment with one button per free slot (or call-back window), up to five."""
    settings = get_settings()
    try:
        with session_scope() as session:
            if wished is not None:
                slots = nearest_free(session, kind, wished, urgent, ignore_appointment_id)
            else:
                slots = free_slots(
                    session, kind, None, SLOT_CHOICES + 1, urgent=urgent, ignore_appointment_id=ignore_appointment_id
                )
    except Exception:
        logger.exception("free slots could not be read")
        dispatcher.utter_message(response="utter_booking_unavailable", helpdesk_phone=settings.helpdesk_phone)
        return
    slots = [slot for slot in slots if skip_start is None or slot.start != skip_start][:SLOT_CHOICES]
    if not slots:
        dispatcher.utter_message(response="utter_booking_no_slots", helpdesk_phone=settings.helpdesk_phone)
        return
    if wished is not None:
        lead = "utter_booking_choose_nearest"
    else:
        lead = "utter_booking_choose_callback" if kind == CALLBACK else "utter_booking_choose_slot"
    dispatcher.utter_message(response=lead, buttons=slot_buttons(slots))


def read_free_moment(
    dispatcher: CollectingDispatcher,
    value: Any,
    find: Callable[[Session, datetime], Optional[FreeSlot]],
) -> Optional[str]:
    """The ISO start of the free slot the user chose or typed; says why not otherwise."""
    settings = get_settings()
    moment = validation.parse_slot_text(value if isinstance(value, str) else None, settings.now())
    if moment is None:
        dispatcher.utter_message(response="utter_booking_slot_not_understood")
        return None
    try:
        with session_scope() as session:
            slot = find(session, moment)
    except Exception:
        logger.exception("slot could not be checked")
        dispatcher.utter_message(response="utter_booking_unavailable", helpdesk_phone=settings.helpdesk_phone)
        return None
    if slot is None:
        dispatcher.utter_message(response="utter_booking_slot_not_free", **moment_fields(moment, None, settings))
        return None
    return slot.payload


def wished_moment(tracker: Tracker, slot_name: str) -> Optional[datetime]:
    """When the user has just answered `slot_name` with a moment that was not free: that moment."""
    if tracker.get_slot("requested_slot") != slot_name:
        return None
    return validation.parse_slot_text(latest_text(tracker), get_settings().now())


def unless_empty(method):
    """A slot validator that leaves an empty slot alone: the slots emptied when a form
    starts come along as candidates, and there is nothing to check or re-ask in them."""
    slot_name = method.__name__[len("validate_"):]

    @functools.wraps(method)
    def validate(self, value, dispatcher, tracker, domain):
        if value is None:
            return {slot_name: None}
        return method(self, value, dispatcher, tracker, domain)

    return validate


# --- actions ---------------------------------------------------------------------------------


class ActionStartBooking(Action):
    """Opens the booking form: a short intro and privacy line, leftovers of an earlier
    booking cleared, the question pre-filled from what the user asked before."""

    def name(self) -> str:
        return "action_start_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        settings = get_settings()
        now = settings.now()
        kind = booking_kind(now, settings)
        change = latest_entity(tracker, "booking_change")  # after a "no" at the confirmation
        events: list[EventType] = [SlotSet("appointment_slot", None), SlotSet("booking_confirmed", None)]
        if change == "details":
            events += [SlotSet(slot, None) for slot in PERSONAL_SLOTS]
        if not change:
            opening = clock.next_opening(clock.HOTLINE, now, settings) if kind == CALLBACK else None
            if opening is not None:
                dispatcher.utter_message(
                    response="utter_booking_intro_callback",
                    next_day=clock.format_day(opening.date(), now.date()),
                    next_time=clock.format_time(opening),
                )
            else:
                dispatcher.utter_message(response="utter_advisor_intro")
            dispatcher.utter_message(response="utter_booking_privacy")
        if kind == CALLBACK:
            events.append(SlotSet("contact_preference", validation.CONTACT_PHONE))
        if change != "details" and not tracker.get_slot("question_summary"):
            question = latest_question(tracker)
            if question:
                events.append(SlotSet("question_summary", question))
        return events


class ValidateBookingForm(FormValidationAction):
    def name(self) -> str:
        return "validate_booking_form"

    @staticmethod
    def _invalid(dispatcher: CollectingDispatcher, slot: str) -> dict[str, Any]:
        dispatcher.utter_message(response=f"utter_invalid_{slot}")
        return {slot: None}

    @unless_empty
    def validate_person_name(self, value: Any, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        name = validation.person_name_from_text(_text(value))
        return {"person_name": name} if name else self._invalid(dispatcher, "person_name")

    @unless_empty
    def validate_company_name(self, value: Any, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        name = validation.company_name_from_text(_text(value))
        return {"company_name": name} if name else self._invalid(dispatcher, "company_name")

    @unless_empty
    def validate_municipality(self, value: Any, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        typed = typed_entity_text(tracker, "municipality") or _text(value)
        place = validation.place_from_text(typed)
        municipality = canonical_municipality(_text(value)) or canonical_municipality(place)
        just_answered = tracker.get_slot("requested_slot") == "municipality"
        if municipality:
            if just_answered and place and place_key(place) != place_key(municipality):
                dispatcher.utter_message(response="utter_booking_village", place=place, municipality=municipality)
            return {"municipality": municipality}
        if not place:
            return self._invalid(dispatcher, "municipality")
        if just_answered:
            dispatcher.utter_message(response="utter_booking_outside_drenthe", place=place)
        return {"municipality": place}

    @unless_empty
    def validate_employees(self, value: Any, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        count = validation.parse_employees(value)
        return {"employees": str(count)} if count is not None else self._invalid(dispatcher, "employees")

    @unless_empty
    def validate_question_summary(self, value: Any, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        summary = " ".join((_text(value) or "").split())
        if len(summary) < 3 or summary.startswith("/"):
            return self._invalid(dispatcher, "question_summary")
        return {"question_summary": summary[:500]}

    @unless_empty
    def validate_contact_preference(self, value: Any, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        preference = validation.parse_contact_preference(_text(value))
        return {"contact_preference": preference} if preference else self._invalid(dispatcher, "contact_preference")

    @unless_empty
    def validate_email(self, value: Any, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        email = validation.email_from_text(_text(value))
        return {"email": email} if email else self._invalid(dispatcher, "email")

    @unless_empty
    def validate_phone(self, value: Any, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        phone = validation.phone_from_text(_text(value))
        return {"phone": phone} if phone else self._invalid(dispatcher, "phone")

    @unless_empty
    def validate_appointment_slot(self, value: Any, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        settings = get_settings()
        kind, urgent = booking_kind(settings.now(), settings), is_urgent(tracker)
        start = read_free_moment(dispatcher, value, lambda session, moment: slot_at(session, kind, moment, urgent=urgent))
        return {"appointment_slot": start}

    @unless_empty
    def validate_booking_confirmed(self, value: Any, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        return {"booking_confirmed": value if isinstance(value, bool) else None}


class ActionAskAppointmentSlot(Action):
    """The free slots (or call-back windows) as buttons; after a moment that was not
    free, the ones closest to it."""

    def name(self) -> str:
        return "action_ask_appointment_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        settings = get_settings()
        kind = booking_kind(settings.now(), settings)
        offer_slots(dispatcher, kind, is_urgent(tracker), wished_moment(tracker, "appointment_slot"))
        return []


class ActionAskBookingConfirmed(Action):
    """A summary of what will be booked, asked as yes/no (buttons in the response)."""

    def name(self) -> str:
        return "action_ask_booking_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        settings = get_settings()
        kind = booking_kind(settings.now(), settings)
        start = clock.local(datetime.fromisoformat(tracker.get_slot("appointment_slot")), settings)
        end = start + timedelta(minutes=slot_minutes(kind, settings))
        details = {name: tracker.get_slot(name) or "-" for name in PERSONAL_SLOTS}
        details["phone"] = _phone_for_people(tracker.get_slot("phone"))
        response = "utter_booking_summary_callback" if kind == CALLBACK else "utter_booking_summary"
        dispatcher.utter_message(response=response, **details, **moment_fields(start, end, settings))
        return []


class ActionSubmitBooking(Action):
    """Books the confirmed slot; on a slot someone else just took, the form reopens at
    the moment question; on "no", nothing is booked and the user chooses what to change."""

    def name(self) -> str:
        return "action_submit_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        settings = get_settings()
        cleared = [SlotSet("appointment_slot", None), SlotSet("booking_confirmed", None)]
        if tracker.get_slot("booking_confirmed") is not True:
            dispatcher.utter_message(response="utter_booking_not_confirmed")
            return cleared
        kind = booking_kind(settings.now(), settings)
        urgent = is_urgent(tracker)
        try:
            with session_scope() as session:
                appointment = book(
                    session,
                    kind=kind,
                    start=datetime.fromisoformat(tracker.get_slot("appointment_slot")),
                    person_name=tracker.get_slot("person_name"),
                    email=tracker.get_slot("email"),
                    phone=tracker.get_slot("phone"),
                    company_name=tracker.get_slot("company_name"),
                    municipality=tracker.get_slot("municipality"),
                    employees=validation.parse_employees(tracker.get_slot("employees")),
                    question_summary=tracker.get_slot("question_summary"),
                    contact_preference=tracker.get_slot("contact_preference"),
                    topics=conversation_topics(tracker),
                    urgent=urgent,
                    sender_id=tracker.sender_id,
                    settings=settings,
                )
                booked = {
                    "reference": appointment.reference,
                    "advisor": appointment.advisor.first_name,
                    "phone": _phone_for_people(appointment.phone),
                    "email": appointment.email or "-",
                    **moment_fields(appointment.start, appointment.end, settings),
                }
        except SlotUnavailable:  # SlotTaken included: someone was just faster
            dispatcher.utter_message(response="utter_booking_slot_taken")
            return cleared + [FollowupAction(FORM)]
        except Exception:  # the database, or details the form let through by mistake (InvalidBooking)
            logger.exception("booking failed")
            dispatcher.utter_message(response="utter_booking_unavailable", helpdesk_phone=settings.helpdesk_phone)
            return cleared
        if kind == CALLBACK:
            dispatcher.utter_message(response="utter_booking_done_callback", **booked)
        else:
            dispatcher.utter_message(response="utter_booking_done", **booked)
            preference = CONTACT_RESPONSES.get(tracker.get_slot("contact_preference"))
            if preference:
                dispatcher.utter_message(response=preference, **booked)
        if urgent:
            dispatcher.utter_message(response="utter_booking_urgent")
        return cleared + [SlotSet("question_summary", None)]


def _text(value: Any) -> Optional[str]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else None


def _phone_for_people(phone: Optional[str]) -> str:
    if not phone:
        return "-"
    try:
        return validation.format_phone(phone)
    except Exception:  # not E.164 after all: show it as it is
        return phone
