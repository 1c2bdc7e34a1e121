"""The advisors' agenda: free slots, call-backs in the evening, urgent first, cancel and move."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from booking_support import CONTACT, THURSDAY_10, THURSDAY_2030, add_weekday_advisor, at
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.booking import (
    APPOINTMENT,
    CALLBACK,
    AppointmentNotActive,
    AppointmentNotFound,
    InvalidBooking,
    SlotTaken,
    SlotUnavailable,
    agenda,
    book,
    book_callback,
    booking_kind,
    cancel,
    free_slots,
    list_appointments,
    move,
)
from bot.booking.models import Appointment, SlotClaim
from bot.crm import OutboxMessage
from bot.db import session_scope


@pytest.fixture
def settings(database_url, configure):
    return configure(
        LOKET_CRISIS_MODE=None,
        LOKET_APPOINTMENT_MINUTES=None,
        LOKET_CALLBACK_MINUTES=None,
        LOKET_URGENT_CALLBACK_WINDOWS=None,
        LOKET_HOTLINE_HOURS=None,
        LOKET_BOOKING_HORIZON_DAYS=None,
        LOKET_FAKE_NOW=THURSDAY_10,
    )


def starts(slots):
    return [slot.start for slot in slots]


def test_free_slots_follow_availability_in_steps_of_the_appointment_length(settings):
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session)
        slots = free_slots(session, APPOINTMENT, limit=4, settings=settings)
    # now is Thursday 10:00: the 09:00 and 09:45 slots are past, 10:30 is the first
    assert starts(slots) == [
        at("2024-12-05T10:30"),
        at("2024-12-05T11:15"),
        at("2024-12-05T12:00"),
        at("2024-12-05T12:45"),
    ]
    assert all(slot.end - slot.start == timedelta(minutes=45) for slot in slots)
    assert {slot.advisor_first_name for slot in slots} == {"Femke"}


def test_slots_end_inside_the_availability_and_skip_weekends(settings):
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session, start="09:00", end="10:30")  # room for two 45-minute slots
        slots = free_slots(session, APPOINTMENT, after=at("2024-12-06T09:00"), limit=3, settings=settings)
    assert starts(slots) == [at("2024-12-06T09:00"), at("2024-12-06T09:45"), at("2024-12-09T09:00")]


def test_leave_and_public_holidays_have_no_slots(settings, configure):
    settings = configure(LOKET_FAKE_NOW="2024-12-23T08:00:00")
    with session_scope(settings.database_url) as session:
        femke = add_weekday_advisor(session)
        agenda.add_leave(session, femke, date(2024, 12, 23), date(2024, 12, 24), "verlof")
        slots = free_slots(session, APPOINTMENT, limit=1, settings=settings)
    # 23-24 leave, 25-26 Christmas: Friday the 27th
    assert starts(slots) == [at("2024-12-27T09:00")]


def test_no_slots_in_the_past(settings):
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session)
        slots = free_slots(session, APPOINTMENT, after=at("2024-12-02T09:00"), limit=1, settings=settings)
        assert starts(slots) == [at("2024-12-05T10:30")]
        with pytest.raises(SlotUnavailable) as error:
            book(session, kind=APPOINTMENT, start=at("2024-12-05T09:45"), **CONTACT, settings=settings)
        assert starts(error.value.alternatives)[0] == at("2024-12-05T10:30")


def test_one_slot_per_time_with_the_least_busy_advisor(settings):
    with session_scope(settings.database_url) as session:
        femke = add_weekday_advisor(session, "Femke")
        joris = add_weekday_advisor(session, "Joris")
        first = book(
            session,
            kind=APPOINTMENT,
            start=at("2024-12-06T09:00"),
            advisor_id=femke.id,
            **CONTACT,
            settings=settings,
        )
        assert first.advisor_id == femke.id
        slots = free_slots(session, APPOINTMENT, after=at("2024-12-06T09:00"), limit=2, settings=settings)
        every = free_slots(
            session, APPOINTMENT, after=at("2024-12-06T09:00"), limit=3, one_per_time=False, settings=settings
        )
    assert [(slot.start, slot.advisor_id) for slot in slots] == [
        (at("2024-12-06T09:00"), joris.id),
        (at("2024-12-06T09:45"), joris.id),
    ]
    assert [(slot.start, slot.advisor_id) for slot in every] == [
        (at("2024-12-06T09:00"), joris.id),
        (at("2024-12-06T09:45"), femke.id),
        (at("2024-12-06T09:45"), joris.id),
    ]


def test_booking_stores_the_details_claims_the_slot_and_writes_the_crm_outbox(settings):
    with session_scope(settings.database_url) as session:
        femke = add_weekday_advisor(session)
        appointment = book(
            session,
            kind=APPOINTMENT,
            start=at("2024-12-06T09:45"),
            company_name="Bakkerij De Vries",
            municipality="Midden-Drenthe",
            employees=4,
            question_summary="Wil een tweede vestiging openen",
            contact_preference="telefoon",
            topics=["growth", "financing", "growth"],
            sender_id="conv-1",
            **CONTACT,
            settings=settings,
        )
        reference = appointment.reference
    with session_scope(settings.database_url) as session:
        stored = session.execute(select(Appointment).where(Appointment.reference == reference)).scalar_one()
        assert (stored.kind, stored.status, stored.advisor_id) == (APPOINTMENT, "booked", femke.id)
        assert stored.start == at("2024-12-06T09:45") and stored.end == at("2024-12-06T10:30")
        assert stored.phone == "+31612345678" and stored.municipality == "Midden-Drenthe"
        assert stored.topics == ["growth", "financing"]
        assert len(stored.claims) == 3  # three quarters of an hour
        [message] = session.execute(select(OutboxMessage)).scalars().all()
        assert message.event_type == "appointment.booked" and message.reference == reference
        payload = message.payload
        assert payload["reference"] == reference and payload["conversation_id"] == "conv-1"
        assert (
            payload["contact"]["email"] == CONTACT["email"] and payload["contact"]["phone"] == "+31612345678"
        )
        assert payload["summary"] == "Wil een tweede vestiging openen" and payload["topics"] == [
            "growth",
            "financing",
        ]
        assert payload["start"] == "2024-12-06T09:45:00+01:00" and payload["advisor"]["first_name"] == "Femke"
        assert payload["idempotency_key"] == message.idempotency_key


def test_booking_needs_a_way_to_reach_the_person(settings):
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session)
        with pytest.raises(InvalidBooking):
            book(
                session, kind=APPOINTMENT, start=at("2024-12-06T09:00"), person_name="Jan", settings=settings
            )
        with pytest.raises(InvalidBooking):
            book(
                session,
                kind=APPOINTMENT,
                start=at("2024-12-06T09:00"),
                person_name="Jan",
                phone="12345",
                settings=settings,
            )
        with pytest.raises(InvalidBooking):  # a call-back needs a phone number
            book(
                session,
                kind=CALLBACK,
                start=at("2024-12-06T10:00"),
                person_name="Jan",
                email="jan@example.org",
                settings=settings,
            )


def test_appointments_stay_inside_the_help_desk_hours(settings, configure):
    settings = configure(LOKET_CRISIS_MODE="true")
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session, "Ruben", start="13:00", end="21:00")
        appointments = free_slots(
            session, APPOINTMENT, after=at("2024-12-05T13:00"), limit=6, settings=settings
        )
        callbacks = free_slots(
            session, CALLBACK, after=at("2024-12-05T16:00"), limit=3, urgent=True, settings=settings
        )
    # 45-minute appointments until the help desk closes at 17:00; call-backs go on in the evening
    assert starts(appointments) == [
        at("2024-12-05T13:00"),
        at("2024-12-05T13:45"),
        at("2024-12-05T14:30"),
        at("2024-12-05T15:15"),
        at("2024-12-05T16:00"),
        at("2024-12-06T13:00"),
    ]
    assert starts(callbacks) == [at("2024-12-05T16:00"), at("2024-12-05T16:30"), at("2024-12-05T17:00")]


def test_slot_lengths_must_be_whole_quarters(settings, configure):
    settings = configure(LOKET_APPOINTMENT_MINUTES="50")
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session)
        with pytest.raises(ValueError, match="LOKET_APPOINTMENT_MINUTES"):
            free_slots(session, APPOINTMENT, settings=settings)


def test_a_taken_slot_raises_slot_taken_with_the_next_free_slots(settings):
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session)
        book(session, kind=APPOINTMENT, start=at("2024-12-06T09:00"), **CONTACT, settings=settings)
    with session_scope(settings.database_url) as session:
        with pytest.raises(SlotTaken) as error:
            book(
                session,
                kind=APPOINTMENT,
                start=at("2024-12-06T09:00"),
                person_name="Piet",
                email="piet@example.org",
                settings=settings,
            )
        assert starts(error.value.alternatives)[:2] == [at("2024-12-06T09:45"), at("2024-12-06T10:30")]


def test_overlapping_bookings_of_different_kinds_are_impossible(settings):
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session)
        book(
            session, kind=APPOINTMENT, start=at("2024-12-06T09:00"), **CONTACT, settings=settings
        )  # 09:00-09:45
        # The 09:30 call-back window overlaps it: not offered, and refused.
        windows = free_slots(
            session, CALLBACK, after=at("2024-12-06T09:00"), limit=2, urgent=True, settings=settings
        )
        assert starts(windows) == [at("2024-12-06T10:00"), at("2024-12-06T10:30")]
        with pytest.raises(SlotTaken):
            book(
                session,
                kind=CALLBACK,
                start=at("2024-12-06T09:30"),
                urgent=True,
                **CONTACT,
                settings=settings,
            )


def test_the_database_itself_refuses_a_second_claim_on_a_quarter(settings):
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session)
        first = book(session, kind=APPOINTMENT, start=at("2024-12-06T09:00"), **CONTACT, settings=settings)
        advisor_id, unit = first.advisor_id, first.claims[0].unit_start
    with pytest.raises(IntegrityError), session_scope(settings.database_url) as session:
        other = book(session, kind=APPOINTMENT, start=at("2024-12-06T09:45"), **CONTACT, settings=settings)
        session.add(SlotClaim(appointment_id=other.id, advisor_id=advisor_id, unit_start=unit))
        session.flush()


def test_at_half_past_eight_in_the_evening_a_callback_is_booked_for_the_next_morning(settings, configure):
    settings = configure(LOKET_FAKE_NOW=THURSDAY_2030)
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session)
        assert booking_kind(settings=settings) == CALLBACK
        callback = book_callback(session, sender_id="evening", **CONTACT, settings=settings)
        assert callback.kind == CALLBACK
        assert callback.start.date() == date(2024, 12, 6)
        assert at("2024-12-06T09:00") <= callback.start < at("2024-12-06T12:00")
        assert callback.end - callback.start == timedelta(minutes=30)


def test_during_hotline_hours_the_flow_books_an_appointment(settings):
    assert booking_kind(settings=settings) == APPOINTMENT
    assert booking_kind(at("2024-12-07T11:00"), settings=settings) == CALLBACK  # Saturday


def test_crisis_callbacks_are_urgent_and_come_first(settings, configure):
    settings = configure(LOKET_FAKE_NOW=THURSDAY_2030)
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session)
        calm = book_callback(session, person_name="Eerste Beller", phone="06 11111111", settings=settings)
        worried = book_callback(
            session, urgent=True, person_name="Tweede Beller", phone="0591 654321", settings=settings
        )
        second_worried = book_callback(
            session, urgent=True, person_name="Derde Beller", phone="+31 6 33333333", settings=settings
        )
        # Urgent call-backs booked later still get the first windows of the morning.
        assert worried.start == at("2024-12-06T09:00")
        assert second_worried.start == at("2024-12-06T09:30")
        assert calm.start == at("2024-12-06T10:00")
        listing = list_appointments(session, kind=CALLBACK)
        assert [item.person_name for item in listing] == ["Tweede Beller", "Derde Beller", "Eerste Beller"]
        assert [item.urgent for item in listing] == [True, True, False]
        # The reserved windows are not offered to non-urgent call-backs.
        assert at("2024-12-09T09:00") not in starts(
            free_slots(session, CALLBACK, at("2024-12-09T08:00"), 3, settings=settings)
        )
        assert starts(
            free_slots(session, CALLBACK, at("2024-12-09T08:00"), 1, urgent=True, settings=settings)
        ) == [at("2024-12-09T09:00")]


def test_callback_windows_stay_inside_the_hotline_hours(settings, configure):
    settings = configure(LOKET_CRISIS_MODE="true", LOKET_URGENT_CALLBACK_WINDOWS="0")
    settings = configure(LOKET_FAKE_NOW="2024-12-05T16:00:00")
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session, "Ruben", start="13:00", end="22:00")
        windows = free_slots(session, CALLBACK, limit=20, settings=settings)
    today = [start for start in starts(windows) if start.date() == date(2024, 12, 5)]
    assert today[0] == at("2024-12-05T16:30") and today[-1] == at(
        "2024-12-05T20:30"
    )  # the last ends at 21:00
    assert starts(windows)[len(today)] == at("2024-12-06T13:00")


def test_cancel_with_the_wrong_contact_is_refused(settings):
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session)
        reference = book(
            session, kind=APPOINTMENT, start=at("2024-12-06T09:00"), **CONTACT, settings=settings
        ).reference
    for wrong in ["piet@example.org", "06 87654321", "", "AFS-ZZZZZZ"]:
        with session_scope(settings.database_url) as session, pytest.raises(AppointmentNotFound):
            cancel(session, reference, wrong, settings=settings)
    with session_scope(settings.database_url) as session, pytest.raises(AppointmentNotFound):
        cancel(session, "AFS-ZZZZZZ", CONTACT["email"], settings=settings)
    with session_scope(settings.database_url) as session:
        assert session.execute(select(Appointment.status)).scalar_one() == "booked"


def test_cancel_with_the_right_contact_frees_the_slot(settings):
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session)
        reference = book(
            session, kind=APPOINTMENT, start=at("2024-12-06T09:00"), **CONTACT, settings=settings
        ).reference
    with session_scope(settings.database_url) as session:
        cancelled = cancel(session, reference.lower(), "+31 6 1234 5678", settings=settings)
        assert cancelled.status == "cancelled"
    with session_scope(settings.database_url) as session:
        assert session.execute(select(func.count()).select_from(SlotClaim)).scalar_one() == 0
        again = book(
            session,
            kind=APPOINTMENT,
            start=at("2024-12-06T09:00"),
            person_name="Piet",
            email="piet@example.org",
            settings=settings,
        )
        assert again.reference != reference
        events = session.execute(select(OutboxMessage.event_type).order_by(OutboxMessage.id)).scalars().all()
        assert events == ["appointment.booked", "appointment.cancelled", "appointment.booked"]
    with session_scope(settings.database_url) as session, pytest.raises(AppointmentNotActive):
        cancel(session, reference, CONTACT["email"], settings=settings)


def test_move_with_the_wrong_contact_is_refused(settings):
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session)
        reference = book(
            session, kind=APPOINTMENT, start=at("2024-12-06T09:00"), **CONTACT, settings=settings
        ).reference
    with session_scope(settings.database_url) as session, pytest.raises(AppointmentNotFound):
        move(session, reference, "iemand@anders.nl", at("2024-12-06T10:30"), settings=settings)
    with session_scope(settings.database_url) as session:
        assert session.execute(select(Appointment.start)).scalar_one() == at("2024-12-06T09:00")


def test_move_takes_the_new_slot_and_frees_the_old_one(settings):
    with session_scope(settings.database_url) as session:
        add_weekday_advisor(session)
        reference = book(
            session, kind=APPOINTMENT, start=at("2024-12-06T09:00"), **CONTACT, settings=settings
        ).reference
        taken = book(
            session,
            kind=APPOINTMENT,
            start=at("2024-12-06T10:30"),
            person_name="Piet",
            email="p@example.org",
            settings=settings,
        )
    with session_scope(settings.database_url) as session, pytest.raises(SlotTaken) as error:
        move(session, reference, CONTACT["email"].upper(), taken.start, settings=settings)
    assert at("2024-12-06T09:00") not in starts(error.value.alternatives)
    with session_scope(settings.database_url) as session:
        moved = move(session, reference, CONTACT["email"].upper(), at("2024-12-06T09:45"), settings=settings)
        assert (moved.status, moved.start, moved.previous_start) == (
            "moved",
            at("2024-12-06T09:45"),
            at("2024-12-06T09:00"),
        )
    with session_scope(settings.database_url) as session:
        assert at("2024-12-06T09:00") in starts(
            free_slots(session, APPOINTMENT, at("2024-12-06T09:00"), 1, settings=settings)
        )
        [payload] = (
            session.execute(
                select(OutboxMessage.payload).where(OutboxMessage.event_type == "appointment.moved")
            )
            .scalars()
            .all()
        )
        assert payload["start"] == "2024-12-06T09:45:00+01:00"
        assert payload["previous_start"] == "2024-12-06T09:00:00+01:00"


def test_agenda_rejects_overlapping_availability_and_backwards_leave(settings):
    with session_scope(settings.database_url) as session:
        femke = add_weekday_advisor(session, days=[0])
        with pytest.raises(agenda.AgendaError):
            agenda.add_availability(
                session, femke, 0, at("2024-12-02T16:00").time(), at("2024-12-02T18:00").time()
            )
        with pytest.raises(agenda.AgendaError):
            agenda.add_leave(session, femke, date(2024, 12, 10), date(2024, 12, 9))
        with pytest.raises(agenda.AgendaError):
            agenda.add_advisor(session, "Femke", "Femke", "FEMKE@adviseurs.example.org")
