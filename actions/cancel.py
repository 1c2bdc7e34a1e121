"""Cancelling or moving a booking (`cancel_appointment`) with the cancel form.

The reference and the e-mail address or phone number given at booking must belong
together (bot/booking find_for_contact); a wrong reference and a wrong contact get
the same answer, so nobody learns which references exist. After three wrong tries
the form ends with the help desk's phone number. A cancelled or moved booking frees
its old slot at once. Each turn is taken as actions/form_turns.py describes.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import moment_fields, offer_slots, read_free_moment, wished_moment
from actions.form_turns import GAVE_UP, GOODBYE, MISSES_SLOT, STOPPED, TO_BOOKING, GuidedForm, Reading
from actions.turns import as_text, latest_turn
from bot.booking import CALLBACK, AppointmentNotActive, AppointmentNotFound, SlotUnavailable, desk, validation
from bot.booking.appointments import parse_reference
from bot.settings import Settings, get_settings

logger = logging.getLogger(__name__)

FORM = "cancel_form"
OUTCOME_SLOT = "cancel_outcome"
FORM_SLOTS = ("booking_reference", "verification_contact", "cancel_choice", "new_appointment_slot")
MAX_FAILURES = 3
NOT_FOUND = "not_found"
NOT_ACTIVE = "not_active"


def cleared_slots() -> list[EventType]:
    return [SlotSet(slot, None) for slot in (*FORM_SLOTS, "cancel_failures", OUTCOME_SLOT, MISSES_SLOT)]


def start_cancel(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The cancel form's opening: the reference and the choice (cancel or move) taken from
    the request itself when it names them ("AFS-7KQ2MX graag verzetten")."""
    text = latest_turn(tracker).text
    events = cleared_slots()
    reference = parse_reference(text)
    if reference:
        events.append(SlotSet("booking_reference", reference))
    choice = validation.parse_cancel_choice(text)
    if choice:
        events.append(SlotSet("cancel_choice", choice))
    dispatcher.utter_message(response="utter_cancel_intro")
    return events


class ActionStartCancel(Action):
    def name(self) -> str:
        return "action_start_cancel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        return start_cancel(dispatcher, tracker)


class ValidateCancelForm(GuidedForm):
    outcome_slot = OUTCOME_SLOT
    continue_intent = "cancel_appointment"
    # Asking for a new appointment while cancelling: the booking is left as it is, a new one starts.
    leave_intents = frozenset({"request_advisor"})
    leave_outcome = TO_BOOKING
    continue_response = "utter_cancel_already"
    extra_exits = r"laat (de afspraak )?maar staan|niets veranderen|toch (maar )?laten staan"

    def name(self) -> str:
        return "validate_cancel_form"

    async def required_slots(self, domain_slots, dispatcher, tracker: Tracker, domain: dict) -> list[str]:
        if tracker.get_slot(OUTCOME_SLOT):
            return []  # ended early: not found three times, or already cancelled
        if tracker.get_slot("cancel_choice") == validation.MOVE:
            return list(domain_slots)
        return [slot for slot in domain_slots if slot != "new_appointment_slot"]

    def read_booking_reference(self, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        return Reading(parse_reference(as_text(value)))

    def read_verification_contact(self, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        text = as_text(value)
        contact = validation.email_from_text(text) or validation.phone_from_text(text)
        if not contact:
            return Reading(None)
        try:
            booked, _appointment_id = desk.booking_for_contact(
                tracker.get_slot("booking_reference") or "", contact, settings
            )
        except AppointmentNotFound:
            # A wrong pair: ask both again (the reference first), without saying which was wrong.
            failures = int(tracker.get_slot("cancel_failures") or 0) + 1
            also: dict[str, Any] = {"cancel_failures": failures, "booking_reference": None}
            if failures >= MAX_FAILURES:
                return Reading(None, miss=False, also={**also, OUTCOME_SLOT: NOT_FOUND})
            return Reading(None, [{"response": "utter_cancel_not_found"}], miss=False, also=also)
        except Exception:
            logger.exception("booking could not be looked up")
            return Reading(
                None,
                [{"response": "utter_cancel_unavailable", "helpdesk_phone": settings.helpdesk_phone}],
                miss=False,
            )
        return Reading(contact, also={} if booked.active else {OUTCOME_SLOT: NOT_ACTIVE})

    def read_cancel_choice(self, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        return Reading(validation.parse_cancel_choice(as_text(value)))

    def read_new_appointment_slot(self, value: Any, tracker: Tracker, settings: Settings) -> Reading:
        reference, contact = tracker.get_slot("booking_reference"), tracker.get_slot("verification_contact")
        return read_free_moment(
            value,
            settings,
            lambda moment: desk.free_slot_for_move(reference or "", contact or "", moment, settings),
        )


class ActionAskNewAppointmentSlot(Action):
    """The free moments for this booking's kind (appointment or call-back window)."""

    def name(self) -> str:
        return "action_ask_new_appointment_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        settings = get_settings()
        try:
            booked, appointment_id = desk.booking_for_contact(
                tracker.get_slot("booking_reference") or "",
                tracker.get_slot("verification_contact") or "",
                settings,
            )
        except Exception:
            logger.exception("booking could not be looked up")
            dispatcher.utter_message(
                response="utter_cancel_unavailable", helpdesk_phone=settings.helpdesk_phone
            )
            return []
        offer_slots(
            dispatcher,
            booked.kind,
            booked.urgent,
            wished_moment(tracker, "new_appointment_slot", settings),
            ignore_appointment_id=appointment_id,
            skip_start=booked.start,
            settings=settings,
        )
        return []


class ActionSubmitCancel(Action):
    """Cancels or moves the booking (its old slot is free again at once), or says why not."""

    def name(self) -> str:
        return "action_submit_cancel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        settings = get_settings()
        outcome = tracker.get_slot(OUTCOME_SLOT)
        reference, contact = tracker.get_slot("booking_reference"), tracker.get_slot("verification_contact")
        choice = tracker.get_slot("cancel_choice")
        if outcome in (STOPPED, GOODBYE):
            dispatcher.utter_message(response="utter_cancel_stopped")
            if outcome == GOODBYE:
                from actions.rating import goodbye

                return cleared_slots() + goodbye(dispatcher, tracker)
            return cleared_slots()
        if outcome == NOT_ACTIVE:
            dispatcher.utter_message(response="utter_cancel_not_active")
            return cleared_slots()
        if outcome == TO_BOOKING:
            from actions.booking import ActionStartBooking

            dispatcher.utter_message(response="utter_cancel_stopped_for_booking")
            started = await ActionStartBooking().run(dispatcher, tracker, domain)
            return [*cleared_slots(), *started, FollowupAction("booking_form")]
        if outcome in (NOT_FOUND, GAVE_UP) or not (reference and contact and choice):
            dispatcher.utter_message(response="utter_cancel_gave_up", helpdesk_phone=settings.helpdesk_phone)
            return cleared_slots()
        try:
            if choice == validation.MOVE:
                new_start = datetime.fromisoformat(tracker.get_slot("new_appointment_slot"))
                booked = desk.move(reference, contact, new_start, settings=settings)
            else:
                booked = desk.cancel(reference, contact, settings)
        except SlotUnavailable:  # taken a moment ago: choose again
            dispatcher.utter_message(response="utter_booking_slot_taken")
            return [SlotSet("new_appointment_slot", None), FollowupAction(FORM)]
        except AppointmentNotActive:
            dispatcher.utter_message(response="utter_cancel_not_active")
            return cleared_slots()
        except AppointmentNotFound:
            dispatcher.utter_message(response="utter_cancel_gave_up", helpdesk_phone=settings.helpdesk_phone)
            return cleared_slots()
        except Exception:
            logger.exception("cancelling or moving failed")
            dispatcher.utter_message(
                response="utter_cancel_unavailable", helpdesk_phone=settings.helpdesk_phone
            )
            return cleared_slots()
        done = {
            "reference": booked.reference,
            "advisor": booked.advisor_first_name or "een adviseur",
            **moment_fields(booked.start, booked.end, settings),
        }
        callback = booked.kind == CALLBACK
        if choice == validation.MOVE:
            dispatcher.utter_message(
                response="utter_move_done_callback" if callback else "utter_move_done", **done
            )
        else:
            dispatcher.utter_message(
                response="utter_cancel_done_callback" if callback else "utter_cancel_done", **done
            )
        return cleared_slots()
