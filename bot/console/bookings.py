"""Appointments and call-backs as advisors see them: urgent first, with a status
(planned, done, cancelled, no-show), the CRM delivery state and "send again"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload

from bot import crm
from bot.booking import AppointmentNotActive, AppointmentNotFound, cancel
from bot.booking.models import CANCELLED, Appointment
from bot.console.models import AppointmentOutcome
from bot.crm import OutboxMessage
from bot.db import utc_now
from bot.settings import Settings

PLANNED, DONE, NO_SHOW = "planned", "done", "no_show"
STATUSES = (PLANNED, DONE, CANCELLED, NO_SHOW)
STATUS_LABELS = {PLANNED: "gepland", DONE: "gedaan", CANCELLED: "geannuleerd", NO_SHOW: "niet gekomen"}
KIND_LABELS = {"appointment": "afspraak", "callback": "terugbelverzoek"}


class StatusChangeRefused(ValueError):
    """A change the console doesn't allow (message in Dutch)."""


@dataclass
class Row:
    appointment: Appointment
    status: str
    delivery: crm.DeliveryState

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def delivery_failed(self) -> bool:
        return self.delivery.delivered < self.delivery.messages and self.delivery.attempts > 0


def status_of(appointment: Appointment, outcome: str | None) -> str:
    if appointment.status == CANCELLED:
        return CANCELLED
    return outcome or PLANNED


def list_bookings(
    session: Session,
    settings: Settings,
    *,
    status: str = "",
    kind: str = "",
    day_from: date | None = None,
    day_to: date | None = None,
) -> list[Row]:
    query = select(Appointment).options(selectinload(Appointment.advisor))
    if kind in KIND_LABELS:
        query = query.where(Appointment.kind == kind)
    if day_from:
        query = query.where(Appointment.start >= datetime.combine(day_from, time(), settings.tz))
    if day_to:
        query = query.where(
            Appointment.start < datetime.combine(day_to + timedelta(days=1), time(), settings.tz)
        )
    query = query.order_by(Appointment.urgent.desc(), Appointment.start, Appointment.id)
    appointments = list(session.execute(query).scalars())
    outcomes = dict(
        session.execute(
            select(AppointmentOutcome.appointment_id, AppointmentOutcome.outcome).where(
                AppointmentOutcome.appointment_id.in_([a.id for a in appointments])
            )
        ).all()
    )
    states = crm.delivery_states(session, [a.reference for a in appointments])
    rows = [Row(a, status_of(a, outcomes.get(a.id)), states[a.reference]) for a in appointments]
    if status in STATUSES:
        rows = [row for row in rows if row.status == status]
    return rows


def find(session: Session, reference: str) -> Appointment | None:
    return session.execute(select(Appointment).where(Appointment.reference == reference)).scalar_one_or_none()


def set_status(session: Session, settings: Settings, reference: str, status: str, advisor: str) -> str:
    appointment = find(session, reference)
    if appointment is None:
        raise StatusChangeRefused("Deze afspraak bestaat niet (meer).")
    if status not in STATUSES:
        raise StatusChangeRefused("Kies een geldige status.")
    outcome = session.get(AppointmentOutcome, appointment.id)
    current = status_of(appointment, outcome.outcome if outcome else None)
    if current == status:
        return status
    if current == CANCELLED:
        raise StatusChangeRefused("Een geannuleerde afspraak kan niet terug; maak zo nodig een nieuwe.")
    session.execute(delete(AppointmentOutcome).where(AppointmentOutcome.appointment_id == appointment.id))
    if status == CANCELLED:
        # The booking's own cancel: the slot is freed and the CRM hears about it.
        try:
            cancel(
                session,
                appointment.reference,
                appointment.email or appointment.phone or "",
                settings=settings,
            )
        except (AppointmentNotFound, AppointmentNotActive) as error:
            raise StatusChangeRefused("Deze afspraak kan niet geannuleerd worden.") from error
    elif status in (DONE, NO_SHOW):
        session.add(AppointmentOutcome(appointment_id=appointment.id, outcome=status, set_by=advisor))
    return status


def send_again(session: Session, reference: str) -> int:
    """Make the undelivered CRM messages of a booking due now; the CRM worker sends them."""
    return session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.reference == reference, OutboxMessage.delivered_at.is_(None))
        .values(next_attempt_at=utc_now())
        .execution_options(synchronize_session=False)
    ).rowcount


def as_json(row: Row, settings: Settings) -> dict:
    a = row.appointment
    return {
        "reference": a.reference,
        "kind": a.kind,
        "start": a.start.astimezone(settings.tz).isoformat(),
        "end": a.end.astimezone(settings.tz).isoformat(),
        "status": row.status,
        "urgent": bool(a.urgent),
        "person_name": a.person_name,
        "company_name": a.company_name,
        "email": a.email,
        "phone": a.phone,
        "municipality": a.municipality,
        "question_summary": a.question_summary,
        "topics": list(a.topics or []),
        "sender_id": a.sender_id,
        "crm_delivery": row.delivery.label,
    }
