"""Tables of the advisors' agenda: advisors, their weekly availability and leave,
appointments and call-backs, and the slot claims that make double booking impossible.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import relationship

from bot.db import Base, UTCDateTime, utc_now

APPOINTMENT = "appointment"
CALLBACK = "callback"
BOOKING_KINDS = (APPOINTMENT, CALLBACK)

BOOKED = "booked"
CANCELLED = "cancelled"
MOVED = "moved"  # still active, at a new time
STATUSES = (BOOKED, CANCELLED, MOVED)
ACTIVE_STATUSES = (BOOKED, MOVED)

# Bookings claim every quarter of an hour they cover; (advisor, quarter) is unique.
CLAIM_MINUTES = 15


class Advisor(Base):
    __tablename__ = "advisors"

    id = Column(Integer, primary_key=True)
    first_name = Column(String(60), nullable=False)
    name = Column(String(120), nullable=False)
    email = Column(String(254), nullable=False, unique=True)
    active = Column(Boolean, nullable=False, default=True, server_default=true())
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)

    availability = relationship(
        "Availability",
        back_populates="advisor",
        cascade="all, delete-orphan",
        order_by="Availability.weekday",
    )
    leave = relationship(
        "Leave", back_populates="advisor", cascade="all, delete-orphan", order_by="Leave.first_day"
    )


class Availability(Base):
    """One weekly period in which an advisor takes appointments and call-backs."""

    __tablename__ = "advisor_availability"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_advisor_availability_weekday"),
        CheckConstraint("end_time > start_time", name="ck_advisor_availability_order"),
    )

    id = Column(Integer, primary_key=True)
    advisor_id = Column(Integer, ForeignKey("advisors.id", ondelete="CASCADE"), nullable=False, index=True)
    weekday = Column(Integer, nullable=False)  # 0 = Monday
    start_time = Column(Time, nullable=False)
    end_time = Column(Time, nullable=False)

    advisor = relationship("Advisor", back_populates="availability")


class Leave(Base):
    """Days off of one advisor, first and last day included."""

    __tablename__ = "advisor_leave"
    __table_args__ = (CheckConstraint("last_day >= first_day", name="ck_advisor_leave_order"),)

    id = Column(Integer, primary_key=True)
    advisor_id = Column(Integer, ForeignKey("advisors.id", ondelete="CASCADE"), nullable=False, index=True)
    first_day = Column(Date, nullable=False)
    last_day = Column(Date, nullable=False)
    reason = Column(String(200))

    advisor = relationship("Advisor", back_populates="leave")


class Appointment(Base):
    """An intake appointment or a call-back, with the contact details for the advisor."""

    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_kind_start", "kind", "start_at"),
        CheckConstraint("kind IN ('appointment', 'callback')", name="ck_appointments_kind"),
        CheckConstraint("status IN ('booked', 'cancelled', 'moved')", name="ck_appointments_status"),
        CheckConstraint("end_at > start_at", name="ck_appointments_order"),
    )

    id = Column(Integer, primary_key=True)
    reference = Column(String(10), nullable=False, unique=True)
    kind = Column(String(20), nullable=False)
    advisor_id = Column(Integer, ForeignKey("advisors.id"), nullable=False, index=True)
    start = Column("start_at", UTCDateTime, nullable=False)
    end = Column("end_at", UTCDateTime, nullable=False)
    status = Column(String(20), nullable=False, default=BOOKED)
    person_name = Column(String(120), nullable=False)
    company_name = Column(String(200))
    email = Column(String(254))
    phone = Column(String(20))  # E.164
    municipality = Column(String(60))  # canonical name
    employees = Column(Integer)
    question_summary = Column(Text)
    contact_preference = Column(String(40))
    topics = Column(JSON, nullable=False, default=list)
    urgent = Column(Boolean, nullable=False, default=False, server_default=false())
    sender_id = Column(String(255), index=True)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)
    updated_at = Column(UTCDateTime, nullable=False, default=utc_now, onupdate=utc_now)
    previous_start = Column(UTCDateTime)  # before the last move
    cancelled_at = Column(UTCDateTime)

    advisor = relationship("Advisor")
    claims = relationship("SlotClaim", back_populates="appointment", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class SlotClaim(Base):
    """One quarter of an hour of an advisor taken by an active booking.

    The unique (advisor_id, unit_start) is what makes two bookings of one slot
    impossible, on SQLite and PostgreSQL alike; cancelling deletes the claims.
    """

    __tablename__ = "booking_slot_claims"
    __table_args__ = (
        UniqueConstraint("advisor_id", "unit_start", name="uq_booking_slot_claims_advisor_unit"),
    )

    id = Column(Integer, primary_key=True)
    appointment_id = Column(
        Integer, ForeignKey("appointments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    advisor_id = Column(Integer, ForeignKey("advisors.id"), nullable=False)
    unit_start = Column(UTCDateTime, nullable=False)

    appointment = relationship("Appointment", back_populates="claims")
