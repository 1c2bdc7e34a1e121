"""Cancelling or moving a booking (`cancel_appointment`) with the cancel form.

The reference and the e-mail address or phone number given at booking must belong
together (bot/booking find_for_contact); a wrong reference and a wrong contact get
the same answer, so nobody learns which references exist. After three wrong tries
the form ends with the help desk's phone number. A cancelled or moved booking frees
its old slot at once (bot/booking cancel/move).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import latest_text, moment_fields, offer_slots, read_free_moment, unless_empty, wished_moment
from bot.booking import (
    CALLBACK,
    AppointmentNotActive,
    AppointmentNotFound,
    SlotUnavailable,
    cancel,
    find_for_contact,
    move,
    parse_reference,
    slot_at,
)
from bot.booking import validation
from bot.booking.models import ACTIVE_STATUSES
from bot.db import session_scope
from bot.settings import get_settings

logger = logging.getLogger(__name__)

FORM = "cancel_form"
FORM_SLOTS = ("booking_reference", "verification_contact", "cancel_choice", "new_appointment_slot")
MAX_FAILURES = 3
NOT_FOUND = "not_found"
NOT_ACTIVE = "not_active"


def cleared_slots() -> list[EventType]:
    return [SlotSet(slot, None) for slot in (*FORM_SLOTS, "cancel_failures", "cancel_outcome")]


class ActionStartCancel(Action):
    """Opens the cancel form, taking the reference and the choice (cancel or move) from
    the request itself when it names them ("AFS-7KQ2MX graag verzetten")."""

    def name(self) -> str:
        return "action_start_cancel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        text = latest_text(tracker)
        events = cleared_slots()
        reference = parse_reference(text)
        if reference:
            events.append(SlotSet("booking_reference", reference))
        choice = validation.parse_cancel_choice(text)
        if choice:
            events.append(SlotSet("cancel_choice", choice))
        dispatcher.utter_message(response="utter_cancel_intro")
        return events


class ValidateCancelForm(FormValidationAction):
    def name(self) -> str:
        return "validate_cancel_form"

    async def required_slots(self, domain_slots, dispatcher, tracker: Tracker, domain: dict) -> list[str]:
        if tracker.get_slot("cancel_outcome"):
            return []  # ended early: not found three times, or already cancelled
        if tracker.get_slot("cancel_choice") == validation.MOVE:
            return list(domain_slots)
        return [slot for slot in domain_slots if slot != "new_appointment_slot"]

    @unless_empty
    def validate_booking_reference(self, value: Any, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        reference = parse_reference(value if isinstance(value, str) else None)
        if not reference:
            dispatcher.utter_message(response="utter_invalid_booking_reference")
        return {"booking_reference": reference}

    @unless_empty
    def validate_verification_contact(self, value: Any, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        text = value if isinstance(value, str) else None
        contact = validation.email_from_text(text) or validation.phone_from_text(text)
        if not contact:
            dispatcher.utter_message(response="utter_invalid_verification_contact")
            return {"verification_contact": None}
        try:
            with session_scope() as session:
                appointment = find_for_contact(session, tracker.get_slot("booking_reference") or "", contact)
                active = appointment.status in ACTIVE_STATUSES
        except AppointmentNotFound:
            failures = int(tracker.get_slot("cancel_failures") or 0) + 1
            result: dict[str, Any] = {"booking_reference": None, "verification_contact": None, "cancel_failures": failures}
            if failures >= MAX_FAILURES:
                result["cancel_outcome"] = NOT_FOUND
            else:
                dispatcher.utter_message(response="utter_cancel_not_found")
            return result
        except Exception:
            logger.exception("booking could not be looked up")
            dispatcher.utter_message(response="utter_cancel_unavailable", helpdesk_phone=get_settings().helpdesk_phone)
            return {"verification_contact": None}
        if not active:
            return {"verification_contact": contact, "cancel_outcome": NOT_ACTIVE}
        return {"verification_contact": contact}

    @unless_empty
    def validate_cancel_choice(self, value: Any, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        choice = validation.parse_cancel_choice(value if isinstance(value, str) else None)
        if not choice:
            dispatcher.utter_message(response="utter_invalid_cancel_choice")
        return {"cancel_choice": choice}

    @unless_empty
    def validate_new_appointment_slot(self, value: Any, dispatcher, tracker: Tracker, domain: dict) -> dict[str, Any]:
        reference, contact = tracker.get_slot("booking_reference"), tracker.get_slot("verification_contact")

        def free_for_this_booking(session, moment: datetime):
            appointment = find_for_contact(session, reference or "", contact or "")
            if moment == appointment.start:
                return None  # the moment it already has
            return slot_at(
                session, appointment.kind, moment, urgent=appointment.urgent, ignore_appointment_id=appointment.id
            )

        return {"new_appointment_slot": read_free_moment(dispatcher, value, free_for_this_booking)}


class ActionAskNewAppointmentSlot(Action):
    """The free moments for this booking's kind (appointment or call-back window)."""

    def name(self) -> str:
        return "action_ask_new_appointment_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        try:
            with session_scope() as session:
                appointment = find_for_contact(
                    session, tracker.get_slot("booking_reference") or "", tracker.get_slot("verification_contact") or ""
                )
                kind, urgent, appointment_id, start = appointment.kind, appointment.urgent, appointment.id, appointment.start
        except Exception:
            logger.exception("booking could not be looked up")
            dispatcher.utter_message(response="utter_cancel_unavailable", helpdesk_phone=get_settings().helpdesk_phone)
            return []
        offer_slots(
            dispatcher,
            kind,
            urgent,
            wished_moment(tracker, "new_appointment_slot"),
            ignore_appointment_id=appointment_id,
            skip_start=start,
        )
        return []


class ActionSubmitCancel(Action):
    """Cancels or moves the booking; its old slot is free again at once."""

    def name(self) -> str:
        return "action_submit_cancel"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        settings = get_settings()
        outcome = tracker.get_slot("cancel_outcome")
        reference, contact = tracker.get_slot("booking_reference"), tracker.get_slot("verification_contact")
        choice = tracker.get_slot("cancel_choice")
        if outcome == NOT_ACTIVE:
            dispatcher.utter_message(response="utter_cancel_not_active")
            return cleared_slots()
        if outcome == NOT_FOUND or not (reference and contact and choice):
            dispatcher.utter_message(response="utter_cancel_gave_up", helpdesk_phone=settings.helpdesk_phone)
            return cleared_slots()
        try:
            with session_scope() as session:
                if choice == validation.MOVE:
                    new_start = datetime.fromisoformat(tracker.get_slot("new_appointment_slot"))
                    appointment = move(session, reference, contact, new_start, settings=settings)
                else:
                    appointment = cancel(session, reference, contact)
                done = _done_fields(appointment, settings)
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
            dispatcher.utter_message(response="utter_cancel_unavailable", helpdesk_phone=settings.helpdesk_phone)
            return cleared_slots()
        callback = done.pop("kind") == CALLBACK
        if choice == validation.MOVE:
            dispatcher.utter_message(response="utter_move_done_callback" if callback else "utter_move_done", **done)
        else:
            dispatcher.utter_message(response="utter_cancel_done_callback" if callback else "utter_cancel_done", **done)
        return cleared_slots()


def _done_fields(appointment, settings) -> dict[str, Optional[str]]:
    advisor = appointment.advisor.first_name if appointment.advisor is not None else "-"
    return {
        "kind": appointment.kind,
        "reference": appointment.reference,
        "advisor": advisor,
        **moment_fields(appointment.start, appointment.end, settings),
    }
