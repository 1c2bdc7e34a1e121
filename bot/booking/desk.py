"""The booking desk: what a conversation asks of the agenda, each in one transaction of its own.

The chat actions call these functions and get plain data back (`Booked`, `FreeSlot`),
so they never open a database session themselves. Errors of the agenda come through as
the exceptions of bot/booking/appointments.py; anything else (the database gone) as is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.booking import agenda, appointments
from bot.booking.agenda import FreeSlot
from bot.booking.models import ACTIVE_STATUSES, Appointment
from bot.db import session_scope
from bot.settings import Settings


@dataclass(frozen=True)
class Booked:
    """A booking as the conversation shows it."""

    reference: str
    kind: str
    start: datetime
    end: datetime
    advisor_first_name: str  # "" for a fictional sample advisor
    phone: str | None
    email: str | None
    urgent: bool
    active: bool


def _booked(appointment: Appointment) -> Booked:
    return Booked(
        reference=appointment.reference,
        kind=appointment.kind,
        start=appointment.start,
        end=appointment.end,
        advisor_first_name=(
            appointment.advisor.first_name
            if appointment.advisor is not None and not agenda.is_sample(appointment.advisor)
            else ""
        ),
        phone=appointment.phone,
        email=appointment.email,
        urgent=bool(appointment.urgent),
        active=appointment.status in ACTIVE_STATUSES,
    )


def slots_to_offer(
    kind: str,
    urgent: bool,
    wished: datetime | None = None,
    limit: int = 5,
    ignore_appointment_id: int | None = None,
    skip_start: datetime | None = None,
    *,
    settings: Settings,
) -> list[FreeSlot]:
    """The free slots to offer as buttons: the next ones, or those closest to a wished moment."""
    with session_scope(settings.database_url) as session:
        if wished is not None:
            found = agenda.nearest_free(
                session,
                kind,
                wished,
                urgent,
                limit + 1,
                ignore_appointment_id=ignore_appointment_id,
                settings=settings,
            )
        else:
            found = agenda.free_slots(
                session,
                kind,
                None,
                limit + 1,
                urgent=urgent,
                ignore_appointment_id=ignore_appointment_id,
                settings=settings,
            )
    return [slot for slot in found if skip_start is None or slot.start != skip_start][:limit]


def free_slot_at(kind: str, moment: datetime, urgent: bool, settings: Settings) -> FreeSlot | None:
    with session_scope(settings.database_url) as session:
        return agenda.slot_at(session, kind, moment, urgent=urgent, settings=settings)


def book(
    *,
    kind: str,
    start: datetime,
    person_name: str,
    email: str | None,
    phone: str | None,
    company_name: str | None,
    municipality: str | None,
    employees: int | None,
    question_summary: str | None,
    contact_preference: str | None,
    topics: Iterable[str],
    urgent: bool,
    sender_id: str,
    settings: Settings,
) -> Booked:
    """Book the slot; the CRM message is written in the same transaction."""
    with session_scope(settings.database_url) as session:
        appointment = appointments.book(
            session,
            kind=kind,
            start=start,
            person_name=person_name,
            email=email,
            phone=phone,
            company_name=company_name,
            municipality=municipality,
            employees=employees,
            question_summary=question_summary,
            contact_preference=contact_preference,
            topics=topics,
            urgent=urgent,
            sender_id=sender_id,
            settings=settings,
        )
        return _booked(appointment)


def booking_for_contact(reference: str, email_or_phone: str, settings: Settings) -> tuple[Booked, int]:
    """The booking with this reference and contact, and its id (for offering other slots)."""
    with session_scope(settings.database_url) as session:
        appointment = appointments.find_for_contact(session, reference, email_or_phone)
        return _booked(appointment), appointment.id


def free_slot_for_move(
    reference: str, email_or_phone: str, moment: datetime, settings: Settings
) -> FreeSlot | None:
    """The free slot at `moment` for this booking's kind, ignoring its own claim."""
    with session_scope(settings.database_url) as session:
        appointment = appointments.find_for_contact(session, reference, email_or_phone)
        if moment == appointment.start:
            return None  # the moment it already has
        return agenda.slot_at(
            session,
            appointment.kind,
            moment,
            urgent=appointment.urgent,
            ignore_appointment_id=appointment.id,
            settings=settings,
        )


def cancel(reference: str, email_or_phone: str, settings: Settings) -> Booked:
    with session_scope(settings.database_url) as session:
        return _booked(appointments.cancel(session, reference, email_or_phone, settings=settings))


def move(reference: str, email_or_phone: str, new_start: datetime, settings: Settings) -> Booked:
    with session_scope(settings.database_url) as session:
        return _booked(appointments.move(session, reference, email_or_phone, new_start, settings=settings))
