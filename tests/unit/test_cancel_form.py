"""The cancel form's actions (cancel or move a booking by its reference) as the action
server runs them, against a real SQLite database with the sample advisors: the
reference and contact must belong together and a mismatch never tells which one was
wrong, three misses end the form, cancelling and moving free the old slot."""

from __future__ import annotations

import asyncio
import json

import pytest
from booking_support import CONTACT, THURSDAY_10, THURSDAY_2030, at
from catalog_support import render
from form_support import (
    DOMAIN,
    HELPDESK_PHONE,
    form_tracker,
    responses,
    run,
    sample_agenda,
    slot_values,
    tracker,
    user,
)
from rasa_sdk.events import FollowupAction, SlotSet
from sqlalchemy import select

from actions.cancel import (
    ActionAskNewAppointmentSlot,
    ActionStartCancel,
    ActionSubmitCancel,
    ValidateCancelForm,
)
from bot.booking import APPOINTMENT, CALLBACK, book, slot_at
from bot.booking.models import Appointment
from bot.crm import OutboxMessage
from bot.db import session_scope

FORM = "cancel_form"
BOOKED_AT = at("2024-12-06T09:45")
REQUEST = user("cancel_appointment", "ik wil mijn afspraak wijzigen")


@pytest.fixture
def booking(database_url, configure):
    """A booking for Friday 09:45 (sample advisors, now Thursday 10:00); its reference."""
    settings = sample_agenda(configure)
    with session_scope(settings.database_url) as session:
        appointment = book(
            session, kind=APPOINTMENT, start=BOOKED_AT, sender_id="earlier", **CONTACT, settings=settings
        )
        return appointment.reference


def texts(dispatcher) -> str:
    return "\n".join(message["text"] for message in render(dispatcher.messages))


def validate(candidates: dict, requested=None, slots=None, intent="inform"):
    """Run the cancel form's validation after the user typed the requested slot's candidate."""
    requested = requested if requested is not None else next(iter(candidates))
    turn = [user(intent, str(candidates.get(requested)))] if requested else []
    track = form_tracker(FORM, requested, candidates, [REQUEST, *turn], slots)
    dispatcher, events = run(ValidateCancelForm(), track)
    return dispatcher, slot_values(events)


def the_booking(settings, reference: str) -> Appointment:
    with session_scope(settings.database_url) as session:
        return session.execute(select(Appointment).where(Appointment.reference == reference)).scalar_one()


def verified(reference: str, **more) -> dict:
    return {"booking_reference": reference, "verification_contact": CONTACT["email"], **more}


# --------------------------------------------------------------------------- starting


def test_start_takes_reference_and_choice_from_the_request(booking):
    request = user("cancel_appointment", f"graag afspraak {booking.lower()} verplaatsen naar vrijdag")
    dispatcher, events = run(ActionStartCancel(), tracker([request]))
    assert responses(dispatcher) == ["utter_cancel_intro"]
    values = slot_values(events)
    assert values["booking_reference"] == booking and values["cancel_choice"] == "move"
    assert values["verification_contact"] is None and values["new_appointment_slot"] is None
    assert values["cancel_failures"] is None and values["cancel_outcome"] is None


def test_start_without_details_asks_everything(booking):
    _, events = run(ActionStartCancel(), tracker([REQUEST], {"booking_reference": "AFS-AAAAAA"}))
    values = slot_values(events)
    assert values["booking_reference"] is None and values["cancel_choice"] == "move"  # "wijzigen"


# --------------------------------------------------------------------------- verification


def test_a_reference_in_another_notation_is_understood(booking):
    dispatcher, values = validate({"booking_reference": f"mijn code is afs {booking[4:].lower()}"})
    assert values["booking_reference"] == booking and dispatcher.messages == []


def test_something_that_is_no_reference_is_asked_again(booking):
    dispatcher, values = validate({"booking_reference": "weet ik niet meer"})
    assert values["booking_reference"] is None
    assert responses(dispatcher) == ["utter_invalid_booking_reference"]


def test_the_contact_given_at_booking_is_accepted_in_any_notation(booking):
    dispatcher, values = validate(
        {"verification_contact": "0612345678"}, slots={"booking_reference": booking}
    )
    assert values["verification_contact"] == "+31612345678" and dispatcher.messages == []
    dispatcher, values = validate(
        {"verification_contact": CONTACT["email"].upper()}, slots={"booking_reference": booking}
    )
    assert values["verification_contact"] and dispatcher.messages == []


def test_a_wrong_contact_and_an_unknown_reference_get_the_same_refusal(booking, settings):
    wrong_contact, values_contact = validate(
        {"verification_contact": "iemand@anders.example.org"}, slots={"booking_reference": booking}
    )
    unknown_reference, values_reference = validate(
        {"verification_contact": CONTACT["email"]}, slots={"booking_reference": "AFS-ZZZZZZ"}
    )
    assert responses(wrong_contact) == responses(unknown_reference) == ["utter_cancel_not_found"]
    assert texts(wrong_contact) == texts(unknown_reference)
    assert booking not in texts(wrong_contact)
    for values in (values_contact, values_reference):
        assert values["booking_reference"] is None and values["verification_contact"] is None
        assert values["cancel_failures"] == 1
        assert values["requested_slot"] == "booking_reference"  # start again from the reference
    assert the_booking(settings, booking).status == "booked"


def test_after_three_misses_the_form_ends_with_the_phone_number(booking, settings):
    dispatcher, values = validate(
        {"verification_contact": "iemand@anders.example.org"},
        slots={"booking_reference": booking, "cancel_failures": 2},
    )
    assert dispatcher.messages == []
    assert values["cancel_outcome"] == "not_found" and values["requested_slot"] is None
    submitted, events = run(
        ActionSubmitCancel(), tracker([REQUEST], {"cancel_outcome": "not_found", "cancel_failures": 3})
    )
    assert responses(submitted) == ["utter_cancel_gave_up"] and HELPDESK_PHONE in texts(submitted)
    assert all(value is None for value in slot_values(events).values())
    assert the_booking(settings, booking).status == "booked"


def test_cancel_with_a_wrong_contact_is_refused_even_at_submit(booking, settings):
    slots = {
        "booking_reference": booking,
        "verification_contact": "iemand@anders.example.org",
        "cancel_choice": "cancel",
    }
    dispatcher, _ = run(ActionSubmitCancel(), tracker([REQUEST], slots))
    assert responses(dispatcher) == ["utter_cancel_gave_up"]
    assert the_booking(settings, booking).status == "booked"


def test_the_new_moment_is_only_asked_when_moving(booking):
    domain_slots = DOMAIN["forms"][FORM]["required_slots"]
    form = ValidateCancelForm()

    def required(slots):
        return asyncio.run(form.required_slots(domain_slots, None, tracker([REQUEST], slots), DOMAIN))

    assert required({"cancel_choice": "cancel"}) == [
        "booking_reference",
        "verification_contact",
        "cancel_choice",
    ]
    assert required({"cancel_choice": "move"}) == domain_slots
    assert required({"cancel_outcome": "not_found"}) == []


def test_a_choice_in_words(booking):
    _, values = validate({"cancel_choice": "ik wil hem afzeggen"})
    assert values["cancel_choice"] == "cancel"
    dispatcher, values = validate({"cancel_choice": "weet ik nog niet"})
    assert values["cancel_choice"] is None and responses(dispatcher) == ["utter_invalid_cancel_choice"]


# --------------------------------------------------------------------------- cancel and move


def test_cancel_frees_the_slot(booking, settings):
    advisor_id = the_booking(settings, booking).advisor_id
    assert not free_with(settings, advisor_id, BOOKED_AT)
    dispatcher, events = run(
        ActionSubmitCancel(), tracker([REQUEST], verified(booking, cancel_choice="cancel"))
    )
    assert responses(dispatcher) == ["utter_cancel_done"]
    assert booking in texts(dispatcher)
    assert the_booking(settings, booking).status == "cancelled"
    assert free_with(settings, advisor_id, BOOKED_AT)
    with session_scope(settings.database_url) as session:
        claims = (
            session.execute(select(Appointment).where(Appointment.reference == booking)).scalar_one().claims
        )
        assert claims == []
        events_sent = [message.event_type for message in session.execute(select(OutboxMessage)).scalars()]
    assert events_sent == ["appointment.booked", "appointment.cancelled"]
    assert all(value is None for value in slot_values(events).values())


def free_with(settings, advisor_id: int, start) -> bool:
    with session_scope(settings.database_url) as session:
        return slot_at(session, APPOINTMENT, start, advisor_id=advisor_id, settings=settings) is not None


def test_an_already_cancelled_booking_is_said_once_verified(booking):
    run(ActionSubmitCancel(), tracker([REQUEST], verified(booking, cancel_choice="cancel")))
    _dispatcher, values = validate(
        {"verification_contact": CONTACT["phone"]}, slots={"booking_reference": booking}
    )
    assert values["cancel_outcome"] == "not_active" and values["requested_slot"] is None
    submitted, _ = run(
        ActionSubmitCancel(), tracker([REQUEST], {**verified(booking), "cancel_outcome": "not_active"})
    )
    assert responses(submitted) == ["utter_cancel_not_active"]


def test_moving_offers_other_free_moments_and_frees_the_old_slot(booking, settings):
    advisor_id = the_booking(settings, booking).advisor_id
    slots = verified(booking, cancel_choice="move", requested_slot="cancel_choice")
    ask, _ = run(
        ActionAskNewAppointmentSlot(), tracker([REQUEST, user("inform", "verzetten")], slots, FORM, FORM)
    )
    assert responses(ask) == ["utter_booking_choose_slot"]
    offered = [
        json.loads(button["payload"][len("/inform") :])["appointment_slot"]
        for button in ask.messages[0]["buttons"]
    ]
    assert len(offered) == 5 and BOOKED_AT.isoformat() not in offered

    dispatcher, values = validate(
        {"new_appointment_slot": "maandag om 13:00"}, slots=verified(booking, cancel_choice="move")
    )
    assert values["new_appointment_slot"] == "2024-12-09T13:00:00+01:00" and dispatcher.messages == []

    done, _events = run(
        ActionSubmitCancel(),
        tracker(
            [REQUEST],
            verified(booking, cancel_choice="move", new_appointment_slot="2024-12-09T13:00:00+01:00"),
        ),
    )
    assert responses(done) == ["utter_move_done"]
    assert "maandag 9 december om 13:00 uur" in texts(done) and booking in texts(done)
    moved = the_booking(settings, booking)
    assert (
        moved.status == "moved"
        and moved.start == at("2024-12-09T13:00")
        and moved.previous_start == BOOKED_AT
    )
    assert free_with(settings, advisor_id, BOOKED_AT)  # the old slot is free again


def test_moving_to_the_moment_it_already_has_is_not_offered(booking):
    dispatcher, values = validate(
        {"new_appointment_slot": BOOKED_AT.isoformat()}, slots=verified(booking, cancel_choice="move")
    )
    assert values["new_appointment_slot"] is None and responses(dispatcher) == ["utter_booking_slot_not_free"]


def test_a_new_moment_taken_meanwhile_reopens_the_form(booking, settings):
    wanted = at("2024-12-09T13:00")
    with session_scope(settings.database_url) as session:
        while slot_at(session, APPOINTMENT, wanted, settings=settings) is not None:
            book(
                session,
                kind=APPOINTMENT,
                start=wanted,
                person_name="Iemand Anders",
                email="ander@example.org",
                settings=settings,
            )
    dispatcher, events = run(
        ActionSubmitCancel(),
        tracker([REQUEST], verified(booking, cancel_choice="move", new_appointment_slot=wanted.isoformat())),
    )
    assert responses(dispatcher) == ["utter_booking_slot_taken"]
    assert events == [SlotSet("new_appointment_slot", None), FollowupAction(FORM)]
    assert the_booking(settings, booking).start == BOOKED_AT


def test_a_call_back_is_moved_to_another_call_back_window(booking, configure):
    settings = configure(LOKET_FAKE_NOW=THURSDAY_2030)
    with session_scope(settings.database_url) as session:
        callback = book(session, kind=CALLBACK, start=at("2024-12-06T10:00"), **CONTACT, settings=settings)
        reference = callback.reference
    slots = verified(reference, cancel_choice="move", requested_slot="cancel_choice")
    ask, _ = run(ActionAskNewAppointmentSlot(), tracker([REQUEST], slots, FORM, FORM))
    assert responses(ask) == ["utter_booking_choose_callback"]
    assert ask.messages[0]["buttons"][0]["title"] == "vr 6 dec 10:30–11:00"
    done, _ = run(
        ActionSubmitCancel(),
        tracker(
            [REQUEST],
            verified(reference, cancel_choice="move", new_appointment_slot="2024-12-06T10:30:00+01:00"),
        ),
    )
    assert responses(done) == ["utter_move_done_callback"]
    assert "morgen tussen 10:30 en 11:00 uur" in texts(done)


def test_database_down_changes_nothing_and_says_so(configure):
    configure(
        DATABASE_URL="postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2",
        HELPDESK_PHONE=HELPDESK_PHONE,
        LOKET_FAKE_NOW=THURSDAY_10,
    )
    dispatcher, _ = run(
        ActionSubmitCancel(), tracker([REQUEST], verified("AFS-ABCDEF", cancel_choice="cancel"))
    )
    checked, values = validate(
        {"verification_contact": CONTACT["email"]}, slots={"booking_reference": "AFS-ABCDEF"}
    )
    assert responses(dispatcher) == ["utter_cancel_unavailable"] and HELPDESK_PHONE in texts(dispatcher)
    assert responses(checked) == ["utter_cancel_unavailable"] and values["verification_contact"] is None


def test_slots_emptied_when_the_form_starts_are_not_checked(booking):
    dispatcher, values = validate(
        {"booking_reference": None, "verification_contact": None, "cancel_choice": None}, requested=""
    )
    assert dispatcher.messages == [] and values["booking_reference"] is None


def test_asking_for_a_new_appointment_while_cancelling_leaves_the_booking_and_starts_a_new_one(
    booking, settings
):
    dispatcher, values = validate(
        {"booking_reference": "Ik wil graag een afspraak met een adviseur"}, intent="request_advisor"
    )
    assert values["cancel_outcome"] == "to_booking" and values["requested_slot"] is None
    slots = {"cancel_outcome": "to_booking", "booking_reference": None}
    dispatcher, events = run(ActionSubmitCancel(), tracker([REQUEST], slots))
    said = responses(dispatcher)
    assert said[0] == "utter_cancel_stopped_for_booking" and "utter_ask_person_name" not in said
    assert events[-1] == FollowupAction("booking_form")
    assert the_booking(settings, booking).is_active  # nothing happened to the existing booking
