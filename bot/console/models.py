"""Tables of the advisors' console: accounts, sessions, API tokens and login attempts;
the summary per conversation (kept up to date from Rasa's tracker store) with tags,
notes and review marks; the inbox of misunderstood messages; the outcome of
appointments; and the audit log of privacy actions.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)

from bot.db import Base, UTCDateTime, utc_now

ADVISOR = "advisor"
ADMIN = "admin"
ROLES = (ADVISOR, ADMIN)


class Account(Base):
    """Someone who may use the console and the API (not the agenda's `advisors`)."""

    __tablename__ = "console_accounts"
    __table_args__ = (CheckConstraint("role IN ('advisor', 'admin')", name="ck_console_accounts_role"),)

    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False, unique=True)
    name = Column(String(120), nullable=False)
    role = Column(String(20), nullable=False, default=ADVISOR)
    password_hash = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True, server_default=true())
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


class WebSession(Base):
    """A logged-in browser; the cookie holds a random token, only its hash is stored."""

    __tablename__ = "console_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    account_id = Column(Integer, ForeignKey("console_accounts.id", ondelete="CASCADE"), nullable=False)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)
    last_seen_at = Column(UTCDateTime, nullable=False, default=utc_now)


class ApiToken(Base):
    __tablename__ = "console_api_tokens"

    id = Column(Integer, primary_key=True)
    account_id = Column(
        Integer, ForeignKey("console_accounts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash = Column(String(64), nullable=False, unique=True)
    prefix = Column(String(12), nullable=False)  # shown in lists, so a token can be recognised
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)
    last_used_at = Column(UTCDateTime)
    revoked_at = Column(UTCDateTime)


class LoginAttempt(Base):
    """Failed logins, counted per account and per address to slow down guessing."""

    __tablename__ = "console_login_attempts"
    __table_args__ = (
        Index("ix_console_login_attempts_email_at", "email", "at"),
        Index("ix_console_login_attempts_address_at", "address", "at"),
    )

    id = Column(Integer, primary_key=True)
    email = Column(String(254), nullable=False)
    address = Column(String(64), nullable=False)
    at = Column(UTCDateTime, nullable=False, default=utc_now)


class SyncCursor(Base):
    """How far a job has read (the tracker store's last event id) or last ran."""

    __tablename__ = "console_cursors"

    name = Column(String(40), primary_key=True)
    position = Column(Integer, nullable=False, default=0)
    updated_at = Column(UTCDateTime, nullable=False, default=utc_now)


class ConversationSummary(Base):
    """One row per conversation (Rasa sender_id), folded from its events."""

    __tablename__ = "conversation_summaries"
    __table_args__ = (
        Index("ix_conversation_summaries_started", "started_at"),
        Index("ix_conversation_summaries_last_event", "last_event_at"),
        Index("ix_conversation_summaries_rating", "rating"),
        Index("ix_conversation_summaries_handed_off", "handed_off", "started_at"),
    )

    sender_id = Column(String(255), primary_key=True)
    started_at = Column(UTCDateTime, nullable=False)
    last_event_at = Column(UTCDateTime, nullable=False)
    last_event_id = Column(Integer, nullable=False, default=0)
    user_messages = Column(Integer, nullable=False, default=0)
    # Topic intents in the order first asked; `topics_key` is " ask_start ask_export " for filtering.
    topics = Column(JSON, nullable=False, default=list)
    topics_key = Column(String(500), nullable=False, default=" ")
    first_message = Column(Text)
    search_text = Column(Text, nullable=False, default="")  # user messages, lower case, for free text
    handed_off = Column(Boolean, nullable=False, default=False, server_default=false())
    fallbacks = Column(Integer, nullable=False, default=0)
    rating = Column(Integer)
    rating_comment = Column(Text)
    booking_reference = Column(String(10))
    # The last user message, so a fallback that follows it can be put in the inbox.
    last_user_event_id = Column(Integer)
    reviewed_at = Column(UTCDateTime)
    reviewed_by = Column(String(120))


class ConversationTag(Base):
    __tablename__ = "conversation_tags"
    __table_args__ = (UniqueConstraint("sender_id", "tag", name="uq_conversation_tags_sender_tag"),)

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=True)
    tag = Column(String(40), nullable=False, index=True)


class ConversationNote(Base):
    __tablename__ = "conversation_notes"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=True)
    author = Column(String(120), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utc_now)


WAITING = "waiting"
DECIDED = "decided"  # an intent was confirmed or chosen (out_of_scope included)
DELETED = "deleted"
INBOX_STATUSES = (WAITING, DECIDED, DELETED)


class InboxMessage(Base):
    """A user message the assistant was unsure about or answered with a fallback."""

    __tablename__ = "console_inbox"
    __table_args__ = (
        Index("ix_console_inbox_status_normalised", "status", "normalised"),
        CheckConstraint("status IN ('waiting', 'decided', 'deleted')", name="ck_console_inbox_status"),
    )

    id = Column(Integer, primary_key=True)
    event_id = Column(Integer, nullable=False, unique=True)
    sender_id = Column(String(255), nullable=False, index=True)
    text = Column(Text, nullable=False)
    normalised = Column(String(500), nullable=False)
    predicted_intent = Column(String(80))
    confidence = Column(Float)
    reason = Column(String(20), nullable=False)  # low_confidence | fallback
    at = Column(UTCDateTime, nullable=False)
    status = Column(String(20), nullable=False, default=WAITING)
    intent = Column(String(80))  # the advisor's choice
    decided_by = Column(String(120))
    decided_at = Column(UTCDateTime)
    exported_at = Column(UTCDateTime)


class AppointmentOutcome(Base):
    """What happened with an appointment after it was booked: done or no-show.
    (Planned and cancelled come from the booking itself.)"""

    __tablename__ = "appointment_outcomes"
    __table_args__ = (
        CheckConstraint("outcome IN ('done', 'no_show')", name="ck_appointment_outcomes_outcome"),
    )

    appointment_id = Column(Integer, ForeignKey("appointments.id", ondelete="CASCADE"), primary_key=True)
    outcome = Column(String(20), nullable=False)
    set_by = Column(String(120), nullable=False)
    set_at = Column(UTCDateTime, nullable=False, default=utc_now)


class AuditEntry(Base):
    """Who did what privacy-relevant thing when; never the erased data itself."""

    __tablename__ = "console_audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False, default=utc_now, index=True)
    actor = Column(String(254), nullable=False)
    action = Column(String(40), nullable=False)
    detail = Column(Text)
