"""booking: advisors' agenda, appointments and call-backs, slot claims, CRM outbox

Revision ID: 0002_booking
Revises: 0001_catalog
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_booking"
down_revision = "0001_catalog"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "advisors",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("first_name", sa.String(60), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("email", name="uq_advisors_email"),
    )
    op.create_table(
        "advisor_availability",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "advisor_id", sa.Integer(), sa.ForeignKey("advisors.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_advisor_availability_weekday"),
        sa.CheckConstraint("end_time > start_time", name="ck_advisor_availability_order"),
    )
    op.create_index("ix_advisor_availability_advisor_id", "advisor_availability", ["advisor_id"])
    op.create_table(
        "advisor_leave",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "advisor_id", sa.Integer(), sa.ForeignKey("advisors.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(200)),
        sa.CheckConstraint("last_day >= first_day", name="ck_advisor_leave_order"),
    )
    op.create_index("ix_advisor_leave_advisor_id", "advisor_leave", ["advisor_id"])
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(10), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("advisor_id", sa.Integer(), sa.ForeignKey("advisors.id"), nullable=False),
        sa.Column("start_at", sa.DateTime(), nullable=False),
        sa.Column("end_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("person_name", sa.String(120), nullable=False),
        sa.Column("company_name", sa.String(200)),
        sa.Column("email", sa.String(254)),
        sa.Column("phone", sa.String(20)),
        sa.Column("municipality", sa.String(60)),
        sa.Column("employees", sa.Integer()),
        sa.Column("question_summary", sa.Text()),
        sa.Column("contact_preference", sa.String(40)),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("sender_id", sa.String(255)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("previous_start", sa.DateTime()),
        sa.Column("cancelled_at", sa.DateTime()),
        sa.UniqueConstraint("reference", name="uq_appointments_reference"),
        sa.CheckConstraint("kind IN ('appointment', 'callback')", name="ck_appointments_kind"),
        sa.CheckConstraint("status IN ('booked', 'cancelled', 'moved')", name="ck_appointments_status"),
        sa.CheckConstraint("end_at > start_at", name="ck_appointments_order"),
    )
    op.create_index("ix_appointments_advisor_id", "appointments", ["advisor_id"])
    op.create_index("ix_appointments_sender_id", "appointments", ["sender_id"])
    op.create_index("ix_appointments_kind_start", "appointments", ["kind", "start_at"])
    # The double-booking guard: an advisor's quarter of an hour belongs to one booking.
    op.create_table(
        "booking_slot_claims",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "appointment_id",
            sa.Integer(),
            sa.ForeignKey("appointments.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("advisor_id", sa.Integer(), sa.ForeignKey("advisors.id"), nullable=False),
        sa.Column("unit_start", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("advisor_id", "unit_start", name="uq_booking_slot_claims_advisor_unit"),
    )
    op.create_index("ix_booking_slot_claims_appointment_id", "booking_slot_claims", ["appointment_id"])
    op.create_table(
        "crm_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_type", sa.String(40), nullable=False),
        sa.Column("reference", sa.String(10)),
        sa.Column("sender_id", sa.String(255)),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime()),
        sa.Column("last_status", sa.Integer()),
        sa.Column("last_error", sa.Text()),
        sa.Column("delivered_at", sa.DateTime()),
        sa.Column("lease_owner", sa.String(80)),
        sa.Column("lease_until", sa.DateTime()),
        sa.UniqueConstraint("idempotency_key", name="uq_crm_outbox_idempotency_key"),
    )
    op.create_index("ix_crm_outbox_reference", "crm_outbox", ["reference"])
    op.create_index("ix_crm_outbox_pending", "crm_outbox", ["delivered_at", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("crm_outbox")
    op.drop_table("booking_slot_claims")
    op.drop_table("appointments")
    op.drop_table("advisor_leave")
    op.drop_table("advisor_availability")
    op.drop_table("advisors")
