"""Writing to the outbox and reading how far a booking's messages got.

`enqueue` adds a message in the caller's transaction, so a booking and its CRM message
are committed together or not at all; bot/crm/delivery.py sends them later.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.crm.models import OutboxMessage
from bot.db import utc_now


def enqueue(
    session: Session,
    event_type: str,
    payload: dict,
    *,
    reference: str | None = None,
    sender_id: str | None = None,
    now: datetime | None = None,
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction (commit with the booking)."""
    now = now or utc_now()
    key = str(uuid.uuid4())
    body = {
        "event": event_type,
        "idempotency_key": key,
        "occurred_at": now.isoformat(),
        "reference": reference,
        "conversation_id": sender_id,
        **payload,
    }
    message = OutboxMessage(
        event_type=event_type,
        reference=reference,
        sender_id=sender_id,
        payload=body,
        idempotency_key=key,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(message)
    return message


def count_undelivered(session_factory: Callable[[], Session]) -> int:
    with session_factory() as session:
        return session.execute(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.delivered_at.is_(None))
        ).scalar_one()


@dataclass(frozen=True)
class DeliveryState:
    """How far the CRM messages of one booking got."""

    messages: int
    delivered: int
    attempts: int
    last_error: str | None

    @property
    def label(self) -> str:
        if self.messages == 0:
            return "geen bericht"
        if self.delivered == self.messages:
            return "afgeleverd"
        if self.attempts:
            return f"wacht (poging {self.attempts} mislukt)"
        return "wacht"


def delivery_states(session: Session, references: Iterable[str]) -> dict[str, DeliveryState]:
    references = list(references)
    states: dict[str, DeliveryState] = {}
    if not references:
        return states
    rows = session.execute(
        select(
            OutboxMessage.reference,
            OutboxMessage.delivered_at,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
        )
        .where(OutboxMessage.reference.in_(references))
        .order_by(OutboxMessage.id)
    ).all()
    grouped: dict[str, list] = {}
    for row in rows:
        grouped.setdefault(row.reference, []).append(row)
    for reference in references:
        items = grouped.get(reference, [])
        undelivered = [row for row in items if row.delivered_at is None]
        states[reference] = DeliveryState(
            messages=len(items),
            delivered=len(items) - len(undelivered),
            attempts=max((row.attempts for row in undelivered), default=0),
            last_error=next((row.last_error for row in reversed(undelivered) if row.last_error), None),
        )
    return states
