"""The CRM outbox table: one row per message for the CRM, written in the booking's transaction."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Text
from sqlalchemy.types import JSON

from bot.db import Base, UTCDateTime, utc_now

BOOKED_EVENT = "appointment.booked"
MOVED_EVENT = "appointment.moved"
CANCELLED_EVENT = "appointment.cancelled"


class OutboxMessage(Base):
    __tablename__ = "crm_outbox"
    __table_args__ = (Index("ix_crm_outbox_pending", "delivered_at", "next_attempt_at"),)

    id = Column(Integer, primary_key=True)
    event_type = Column(String(40), nullable=False)
    reference = Column(String(10), index=True)
    sender_id = Column(String(255))
    payload = Column(JSON, nullable=False)
    idempotency_key = Column(String(64), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)
    attempts = Column(Integer, nullable=False, default=0, server_default="0")
    next_attempt_at = Column(UTCDateTime, nullable=False, default=utc_now)
    last_attempt_at = Column(UTCDateTime)
    last_status = Column(Integer)  # HTTP status of the last answer, if there was one
    last_error = Column(Text)
    delivered_at = Column(UTCDateTime)
    # A worker leases a message while it sends it, so two workers never send it at once.
    lease_owner = Column(String(80))
    lease_until = Column(UTCDateTime)
