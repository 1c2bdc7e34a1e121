"""Privacy (AVG/GDPR): erasing one conversation and the personal data tied to it,
purging everything past the retention period, and the audit log of both.

The audit log records who did it and when, never the erased data: a conversation is
named by the first 12 characters of the SHA-256 of its sender_id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from bot.booking import AppointmentNotActive, AppointmentNotFound, cancel
from bot.booking.models import ACTIVE_STATUSES, Appointment
from bot.console import summaries, tracker
from bot.console.models import (
    AuditEntry,
    ConversationNote,
    ConversationSummary,
    ConversationTag,
    InboxMessage,
    SyncCursor,
)
from bot.crm import OutboxMessage
from bot.db import utc_now
from bot.settings import Settings

ERASED_NAME = "[verwijderd]"
PURGE_CURSOR = "privacy_purge"
PURGE_INTERVAL = timedelta(days=1)


def conversation_label(sender_id: str) -> str:
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:12]


def audit(session: Session, actor: str, action: str, detail: str | None = None) -> None:
    session.add(AuditEntry(actor=actor, action=action, detail=detail, at=utc_now()))


@dataclass
class Erased:
    events: int = 0
    appointments: int = 0
    crm_messages: int = 0

    def __iadd__(self, other: Erased) -> Erased:
        self.events += other.events
        self.appointments += other.appointments
        self.crm_messages += other.crm_messages
        return self


def _erase(session: Session, settings: Settings, sender_id: str, now: datetime) -> Erased:
    erased = Erased(events=tracker.delete_conversation(settings.tracker_store_url, sender_id))
    for model in (ConversationTag, ConversationNote, InboxMessage):
        session.execute(delete(model).where(model.sender_id == sender_id))
    session.execute(delete(ConversationSummary).where(ConversationSummary.sender_id == sender_id))
    appointments = list(
        session.execute(select(Appointment).where(Appointment.sender_id == sender_id)).scalars()
    )
    for appointment in appointments:
        if appointment.status in ACTIVE_STATUSES and appointment.end > now:
            # The advisor must not wait for someone whose data is gone; the CRM hears it is cancelled.
            try:
                cancel(
                    session,
                    appointment.reference,
                    appointment.email or appointment.phone or "",
                    settings=settings,
                )
            except (AppointmentNotFound, AppointmentNotActive):
                pass
        anonymise_appointment(appointment)
    erased.appointments = len(appointments)
    references = [a.reference for a in appointments]
    erased.crm_messages = anonymise_outbox(session, sender_id, references)
    return erased


def anonymise_appointment(appointment: Appointment) -> None:
    appointment.person_name = ERASED_NAME
    appointment.company_name = None
    appointment.email = None
    appointment.phone = None
    appointment.municipality = None
    appointment.employees = None
    appointment.question_summary = None
    appointment.contact_preference = None
    appointment.sender_id = None


def anonymise_outbox(session: Session, sender_id: str | None, references: list[str]) -> int:
    conditions = []
    if sender_id:
        conditions.append(OutboxMessage.sender_id == sender_id)
    if references:
        conditions.append(OutboxMessage.reference.in_(references))
    if not conditions:
        return 0
    messages = list(session.execute(select(OutboxMessage).where(or_(*conditions))).scalars())
    for message in messages:
        payload = dict(message.payload or {})
        if isinstance(payload.get("contact"), dict):
            payload["contact"] = dict.fromkeys(payload["contact"])
        payload["summary"] = None
        payload["conversation_id"] = None
        message.payload = payload
        message.sender_id = None
    return len(messages)


def erase_conversation(session: Session, settings: Settings, sender_id: str, actor: str) -> Erased | None:
    """Erase a conversation and the personal data tied to it; None when it doesn't exist."""
    summaries.sync(session, settings)
    known = session.get(ConversationSummary, sender_id) is not None
    has_booking = session.execute(select(Appointment.id).where(Appointment.sender_id == sender_id)).first()
    if not known and not has_booking:
        return None
    erased = _erase(session, settings, sender_id, settings.now())
    audit(
        session,
        actor,
        "conversation_erased",
        f"gesprek {conversation_label(sender_id)}: {erased.events} gebeurtenissen, "
        f"{erased.appointments} afspraken, {erased.crm_messages} CRM-berichten",
    )
    return erased


@dataclass
class Purged:
    conversations: int = 0
    appointments: int = 0
    crm_messages: int = 0


def purge(session: Session, settings: Settings, older_than_days: int, actor: str = "systeem") -> Purged:
    """Remove conversations whose last event is older than the retention period, and the
    personal data of bookings that ended before it."""
    if older_than_days < 1:
        raise ValueError("older_than_days must be at least 1")
    now = settings.now()  # the help desk's clock (LOKET_FAKE_NOW in tests)
    cutoff = now - timedelta(days=older_than_days)
    summaries.sync(session, settings)
    result = Purged()
    old = list(
        session.execute(
            select(ConversationSummary.sender_id).where(ConversationSummary.last_event_at < cutoff)
        ).scalars()
    )
    for sender_id in old:
        erased = _erase(session, settings, sender_id, now)
        result.appointments += erased.appointments
        result.crm_messages += erased.crm_messages
    result.conversations = len(old)
    # Bookings that ended long ago, whose conversation is gone or never was.
    for appointment in session.execute(
        select(Appointment).where(Appointment.end < cutoff, Appointment.person_name != ERASED_NAME)
    ).scalars():
        reference = appointment.reference
        anonymise_appointment(appointment)
        result.appointments += 1
        result.crm_messages += anonymise_outbox(session, None, [reference])
    session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.delivered_at.is_not(None), OutboxMessage.created_at < cutoff
        )
    )
    audit(
        session,
        actor,
        "purge",
        f"bewaartermijn {older_than_days} dagen: {result.conversations} gesprekken, "
        f"{result.appointments} afspraken geanonimiseerd",
    )
    cursor = session.get(SyncCursor, PURGE_CURSOR)
    if cursor is None:
        session.add(SyncCursor(name=PURGE_CURSOR, position=0, updated_at=utc_now()))
    else:
        cursor.updated_at = utc_now()
    return result


def purge_if_due(session: Session, settings: Settings) -> Purged | None:
    """The daily purge of the web app: runs when the last one is a day old."""
    cursor = session.get(SyncCursor, PURGE_CURSOR)
    if cursor is not None and cursor.updated_at > utc_now() - PURGE_INTERVAL:
        return None
    return purge(session, settings, settings.retention_days)


def audit_entries(session: Session, limit: int = 200) -> list[AuditEntry]:
    return list(session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).scalars())
