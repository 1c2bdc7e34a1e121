"""Booking, cancelling and moving appointments and call-backs.

Each function works inside the caller's session (one unit of work) and writes the
CRM outbox message in the same transaction. A slot can only be booked once: every
booking claims its quarters of an hour in `booking_slot_claims`, whose unique
(advisor, quarter) the database enforces; the loser of a race gets SlotTaken with the
next free slots. On SlotTaken the session has been rolled back.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NoReturn

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot import clock, crm
from bot.booking import validation
from bot.booking.agenda import FreeSlot, claim_units, free_slots, is_offered, slot_at
from bot.booking.models import (
    ACTIVE_STATUSES,
    BOOKING_KINDS,
    CALLBACK,
    CANCELLED,
    MOVED,
    Appointment,
    SlotClaim,
)
from bot.db import utc_now
from bot.settings import Settings

REFERENCE_PREFIX = "AFS-"
REFERENCE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 6
REFERENCE_PATTERN = re.compile(rf"^{REFERENCE_PREFIX}[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}$")
_REFERENCE_IN_TEXT = re.compile(
    rf"\bAFS\s*-?\s*([{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}})\b", re.IGNORECASE
)
ALTERNATIVES = 5


class BookingError(Exception):
    """Base of the booking errors the booking form turns into a Dutch answer."""


class InvalidBooking(BookingError, ValueError):
    """Details that cannot be booked (no way to reach the person, unknown kind…)."""


class SlotUnavailable(BookingError):
    """The wished slot cannot be booked; `alternatives` are the next free ones."""

    def __init__(self, message: str, alternatives: Sequence[FreeSlot] = ()):
        super().__init__(message)
        self.alternatives = list(alternatives)


class SlotTaken(SlotUnavailable):
    """Someone else has (just) booked this slot."""


class AppointmentNotFound(BookingError):
    """No active booking with this reference and contact detail (deliberately the same
    error for a wrong reference and a wrong contact, so references cannot be probed)."""


class AppointmentNotActive(BookingError):
    """The booking was cancelled already."""


# --- references --------------------------------------------------------------------------


def new_reference() -> str:
    return REFERENCE_PREFIX + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def parse_reference(text: str | None) -> str | None:
    """ "afs-ab23cd", "AFS AB23CD" or "mijn code is AFS-AB23CD" -> "AFS-AB23CD"."""
    if not text:
        return None
    match = _REFERENCE_IN_TEXT.search(text)
    return f"{REFERENCE_PREFIX}{match.group(1).upper()}" if match else None


def _unused_reference(session: Session, attempts: int = 20) -> str:
    for _ in range(attempts):
        reference = new_reference()
        if session.execute(select(Appointment.id).where(Appointment.reference == reference)).first() is None:
            return reference
    raise RuntimeError("no unused booking reference found")  # 32**6 codes: practically unreachable


# --- booking -----------------------------------------------------------------------------------


def book(
    session: Session,
    *,
    kind: str,
    start: datetime,
    person_name: str,
    email: str | None = None,
    phone: str | None = None,
    advisor_id: int | None = None,
    company_name: str | None = None,
    municipality: str | None = None,
    employees: int | None = None,
    question_summary: str | None = None,
    contact_preference: str | None = None,
    topics: Iterable[str] = (),
    urgent: bool = False,
    sender_id: str | None = None,
    settings: Settings,
) -> Appointment:
    """Book the slot at `start` (with `advisor_id`, or any advisor free then).

    Raises SlotTaken (someone was first) or SlotUnavailable (not a slot of the agenda,
    in the past, reserved for urgent call-backs), both with the next free slots.
    """
    if kind not in BOOKING_KINDS:
        raise InvalidBooking(f"unknown booking kind {kind!r}")
    name = (person_name or "").strip()
    if not name:
        raise InvalidBooking("person_name is required")
    email = validation.normalise_email(email) if email else None
    normalised_phone = validation.normalise_phone(phone) if phone else None
    if phone and normalised_phone is None:
        raise InvalidBooking(f"not a valid phone number: {phone!r}")
    if not email and not normalised_phone:
        raise InvalidBooking("an e-mail address or phone number is required")
    if kind == CALLBACK and not normalised_phone:
        raise InvalidBooking("a call-back needs a phone number")
    start = clock.local(start, settings)

    for _ in range(5):
        slot = slot_at(session, kind, start, urgent=urgent, advisor_id=advisor_id, settings=settings)
        if slot is None:
            _raise_unavailable(session, kind, start, urgent, advisor_id, settings)
        appointment = Appointment(
            reference=_unused_reference(session),
            kind=kind,
            advisor_id=slot.advisor_id,
            start=slot.start,
            end=slot.end,
            person_name=name,
            company_name=(company_name or "").strip() or None,
            email=email,
            phone=normalised_phone,
            municipality=municipality,
            employees=employees,
            question_summary=question_summary,
            contact_preference=contact_preference,
            topics=list(dict.fromkeys(topics)),
            urgent=bool(urgent),
            sender_id=sender_id,
            claims=[
                SlotClaim(advisor_id=slot.advisor_id, unit_start=unit)
                for unit in claim_units(slot.start, slot.end)
            ],
        )
        session.add(appointment)
        try:
            session.flush()
            _tell_crm(session, crm.BOOKED_EVENT, appointment, settings, slot.advisor_first_name)
            return appointment
        except IntegrityError:
            session.rollback()
            if (
                slot_at(session, kind, start, urgent=urgent, advisor_id=slot.advisor_id, settings=settings)
                is None
            ) and (
                advisor_id is not None
                or slot_at(session, kind, start, urgent=urgent, settings=settings) is None
            ):
                raise SlotTaken(
                    "slot taken",
                    free_slots(session, kind, start, ALTERNATIVES, urgent=urgent, settings=settings),
                ) from None
            # The slot is still free with someone: a reference clash or another advisor; try again.
    raise SlotTaken(
        "slot taken", free_slots(session, kind, start, ALTERNATIVES, urgent=urgent, settings=settings)
    )


def _raise_unavailable(
    session: Session, kind: str, start: datetime, urgent: bool, advisor_id: int | None, settings: Settings
) -> NoReturn:
    alternatives = free_slots(session, kind, start, ALTERNATIVES, urgent=urgent, settings=settings)
    if not alternatives:
        alternatives = free_slots(session, kind, None, ALTERNATIVES, urgent=urgent, settings=settings)
    if start > clock.now(settings) and is_offered(session, kind, start, advisor_id, settings=settings):
        raise SlotTaken("slot taken", alternatives)
    raise SlotUnavailable("not a free slot of the agenda", alternatives)


def book_callback(
    session: Session,
    *,
    urgent: bool = False,
    after: datetime | None = None,
    settings: Settings,
    **details,
) -> Appointment:
    """Book the first free call-back window (urgent ones may take the reserved early windows)."""
    for _ in range(10):
        slots = free_slots(session, CALLBACK, after, 1, urgent=urgent, settings=settings)
        if not slots:
            raise SlotUnavailable("no call-back window free", [])
        try:
            return book(
                session,
                kind=CALLBACK,
                start=slots[0].start,
                advisor_id=slots[0].advisor_id,
                urgent=urgent,
                settings=settings,
                **details,
            )
        except SlotTaken:
            continue  # someone took it a moment ago: the next window
    raise SlotTaken(
        "no call-back window could be claimed",
        free_slots(session, CALLBACK, after, ALTERNATIVES, urgent=urgent, settings=settings),
    )


# --- cancel and move ------------------------------------------------------------------------------


def find_for_contact(session: Session, reference: str, email_or_phone: str) -> Appointment:
    """The booking with this reference, if `email_or_phone` is the contact given at booking."""
    normalised = parse_reference(reference) or (reference or "").strip().upper()
    appointment = session.execute(
        select(Appointment)
        .where(Appointment.reference == normalised)
        .options(selectinload(Appointment.advisor))
    ).scalar_one_or_none()
    if appointment is None or not validation.contact_matches(
        email_or_phone, appointment.email, appointment.phone
    ):
        raise AppointmentNotFound("no booking with this reference and contact")
    return appointment


def cancel(session: Session, reference: str, email_or_phone: str, *, settings: Settings) -> Appointment:
    """Cancel a booking; its slot is free again at once."""
    appointment = find_for_contact(session, reference, email_or_phone)
    if appointment.status not in ACTIVE_STATUSES:
        raise AppointmentNotActive("booking already cancelled")
    session.execute(delete(SlotClaim).where(SlotClaim.appointment_id == appointment.id))
    session.expire(appointment, ["claims"])
    appointment.status = CANCELLED
    appointment.cancelled_at = utc_now()
    session.flush()
    _tell_crm(session, crm.CANCELLED_EVENT, appointment, settings)
    return appointment


def move(
    session: Session,
    reference: str,
    email_or_phone: str,
    new_start: datetime,
    advisor_id: int | None = None,
    *,
    settings: Settings,
) -> Appointment:
    """Move a booking to the free slot at `new_start`; the old slot becomes free."""
    appointment = find_for_contact(session, reference, email_or_phone)
    if appointment.status not in ACTIVE_STATUSES:
        raise AppointmentNotActive("booking already cancelled")
    kind, urgent = appointment.kind, appointment.urgent
    new_start = clock.local(new_start, settings)
    slot = slot_at(
        session,
        kind,
        new_start,
        urgent=urgent,
        advisor_id=advisor_id,
        settings=settings,
        ignore_appointment_id=appointment.id,
    )
    if slot is None:
        _raise_unavailable(session, kind, new_start, urgent, advisor_id, settings)
    previous_start = appointment.start
    session.execute(delete(SlotClaim).where(SlotClaim.appointment_id == appointment.id))
    session.expire(appointment, ["claims"])
    session.flush()
    try:
        session.add_all(
            SlotClaim(appointment_id=appointment.id, advisor_id=slot.advisor_id, unit_start=unit)
            for unit in claim_units(slot.start, slot.end)
        )
        appointment.advisor_id = slot.advisor_id
        appointment.start, appointment.end = slot.start, slot.end
        appointment.previous_start = previous_start
        appointment.status = MOVED
        session.flush()
    except IntegrityError:
        session.rollback()
        raise SlotTaken(
            "slot taken", free_slots(session, kind, new_start, ALTERNATIVES, urgent=urgent, settings=settings)
        ) from None
    session.expire(appointment, ["advisor"])
    _tell_crm(session, crm.MOVED_EVENT, appointment, settings, slot.advisor_first_name)
    return appointment


# --- reading -------------------------------------------------------------------------------------


def list_appointments(
    session: Session,
    *,
    kind: str | None = None,
    include_inactive: bool = False,
    after: datetime | None = None,
) -> list[Appointment]:
    """Bookings, urgent ones first, then by start time."""
    query = select(Appointment).options(selectinload(Appointment.advisor))
    if kind:
        query = query.where(Appointment.kind == kind)
    if not include_inactive:
        query = query.where(Appointment.status.in_(ACTIVE_STATUSES))
    if after is not None:
        query = query.where(Appointment.end > after)
    query = query.order_by(Appointment.urgent.desc(), Appointment.start, Appointment.id)
    return list(session.execute(query).scalars())


def _tell_crm(
    session: Session,
    event_type: str,
    appointment: Appointment,
    settings: Settings,
    advisor_first_name: str | None = None,
) -> None:
    """The CRM message about this booking, written in the caller's transaction."""
    crm.enqueue(
        session,
        event_type,
        crm_payload(appointment, settings, advisor_first_name=advisor_first_name),
        reference=appointment.reference,
        sender_id=appointment.sender_id,
    )
    session.flush()


def crm_payload(appointment: Appointment, settings: Settings, advisor_first_name: str | None = None) -> dict:
    """What the CRM receives about a booking (the outbox adds event, key, reference, conversation id)."""
    if advisor_first_name is None and appointment.advisor is not None:
        advisor_first_name = appointment.advisor.first_name
    return {
        "kind": appointment.kind,
        "status": appointment.status,
        "start": _iso(appointment.start, settings),
        "end": _iso(appointment.end, settings),
        "previous_start": _iso(appointment.previous_start, settings),
        "urgent": bool(appointment.urgent),
        "advisor": {"id": appointment.advisor_id, "first_name": advisor_first_name},
        "contact": {
            "person_name": appointment.person_name,
            "company_name": appointment.company_name,
            "email": appointment.email,
            "phone": appointment.phone,
            "municipality": appointment.municipality,
            "employees": appointment.employees,
            "contact_preference": appointment.contact_preference,
        },
        "summary": appointment.question_summary,
        "topics": list(appointment.topics or []),
    }


def _iso(moment: datetime | None, settings: Settings) -> str | None:
    return clock.local(moment, settings).isoformat() if moment else None
