"""console: advisors' accounts, sessions, API tokens, login attempts, conversation
summaries with tags and notes, the inbox, appointment outcomes, the audit log

Revision ID: 0003_console
Revises: 0002_booking
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_console"
down_revision = "0002_booking"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("email", name="uq_console_accounts_email"),
        sa.CheckConstraint("role IN ('advisor', 'admin')", name="ck_console_accounts_role"),
    )
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("console_accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("token_hash", name="uq_console_sessions_token_hash"),
    )
    op.create_table(
        "console_api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("console_accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime()),
        sa.Column("revoked_at", sa.DateTime()),
        sa.UniqueConstraint("token_hash", name="uq_console_api_tokens_token_hash"),
    )
    op.create_index("ix_console_api_tokens_account_id", "console_api_tokens", ["account_id"])
    op.create_table(
        "console_login_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_console_login_attempts_email_at", "console_login_attempts", ["email", "at"])
    op.create_index("ix_console_login_attempts_address_at", "console_login_attempts", ["address", "at"])
    op.create_table(
        "console_cursors",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "conversation_summaries",
        sa.Column("sender_id", sa.String(255), primary_key=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("last_event_at", sa.DateTime(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("user_messages", sa.Integer(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("topics_key", sa.String(500), nullable=False),
        sa.Column("first_message", sa.Text()),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("handed_off", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("fallbacks", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer()),
        sa.Column("rating_comment", sa.Text()),
        sa.Column("booking_reference", sa.String(10)),
        sa.Column("last_user_event_id", sa.Integer()),
        sa.Column("reviewed_at", sa.DateTime()),
        sa.Column("reviewed_by", sa.String(120)),
    )
    op.create_index("ix_conversation_summaries_started", "conversation_summaries", ["started_at"])
    op.create_index("ix_conversation_summaries_last_event", "conversation_summaries", ["last_event_at"])
    op.create_index("ix_conversation_summaries_rating", "conversation_summaries", ["rating"])
    op.create_index(
        "ix_conversation_summaries_handed_off", "conversation_summaries", ["handed_off", "started_at"]
    )
    op.create_table(
        "conversation_tags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("tag", sa.String(40), nullable=False),
        sa.UniqueConstraint("sender_id", "tag", name="uq_conversation_tags_sender_tag"),
    )
    op.create_index("ix_conversation_tags_sender_id", "conversation_tags", ["sender_id"])
    op.create_index("ix_conversation_tags_tag", "conversation_tags", ["tag"])
    op.create_table(
        "conversation_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("author", sa.String(120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_conversation_notes_sender_id", "conversation_notes", ["sender_id"])
    op.create_table(
        "console_inbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("normalised", sa.String(500), nullable=False),
        sa.Column("predicted_intent", sa.String(80)),
        sa.Column("confidence", sa.Float()),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("intent", sa.String(80)),
        sa.Column("decided_by", sa.String(120)),
        sa.Column("decided_at", sa.DateTime()),
        sa.Column("exported_at", sa.DateTime()),
        sa.UniqueConstraint("event_id", name="uq_console_inbox_event_id"),
        sa.CheckConstraint("status IN ('waiting', 'decided', 'deleted')", name="ck_console_inbox_status"),
    )
    op.create_index("ix_console_inbox_sender_id", "console_inbox", ["sender_id"])
    op.create_index("ix_console_inbox_status_normalised", "console_inbox", ["status", "normalised"])
    op.create_table(
        "appointment_outcomes",
        sa.Column(
            "appointment_id",
            sa.Integer(),
            sa.ForeignKey("appointments.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("set_by", sa.String(120), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("outcome IN ('done', 'no_show')", name="ck_appointment_outcomes_outcome"),
    )
    op.create_table(
        "console_audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text()),
    )
    op.create_index("ix_console_audit_log_at", "console_audit_log", ["at"])


def downgrade() -> None:
    for table in (
        "console_audit_log",
        "appointment_outcomes",
        "console_inbox",
        "conversation_notes",
        "conversation_tags",
        "conversation_summaries",
        "console_cursors",
        "console_login_attempts",
        "console_api_tokens",
        "console_sessions",
        "console_accounts",
    ):
        op.drop_table(table)
