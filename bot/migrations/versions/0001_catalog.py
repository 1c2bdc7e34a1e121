"""catalog: instruments, corona schemes, events, program facts

Revision ID: 0001_catalog
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_catalog"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_instruments",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("offer", sa.Text(), nullable=False),
        sa.Column("for_whom", sa.Text(), nullable=False),
        sa.Column("next_step", sa.Text(), nullable=False),
        sa.Column("link", sa.String(500)),
        sa.Column("all_municipalities", sa.Boolean(), nullable=False),
        sa.Column("all_sectors", sa.Boolean(), nullable=False),
        sa.Column("active_from", sa.Date()),
        sa.Column("active_until", sa.Date()),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind IN ('own', 'partner', 'national')", name="ck_catalog_instruments_kind"),
    )
    for table, column, length, index in (
        ("catalog_instrument_target_groups", "target_group", 32, "ix_catalog_instrument_target_groups_group"),
        (
            "catalog_instrument_municipalities",
            "municipality",
            64,
            "ix_catalog_instrument_municipalities_name",
        ),
        ("catalog_instrument_sectors", "sector", 64, "ix_catalog_instrument_sectors_sector"),
    ):
        op.create_table(
            table,
            sa.Column(
                "instrument_id",
                sa.String(80),
                sa.ForeignKey("catalog_instruments.id", ondelete="CASCADE"),
                primary_key=True,
            ),
            sa.Column(column, sa.String(length), primary_key=True),
        )
        op.create_index(index, table, [column, "instrument_id"])
    op.create_table(
        "catalog_instrument_topics",
        sa.Column(
            "instrument_id",
            sa.String(80),
            sa.ForeignKey("catalog_instruments.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("topic", sa.String(32), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
    )
    op.create_index(
        "ix_catalog_instrument_topics_topic", "catalog_instrument_topics", ["topic", "instrument_id"]
    )

    op.create_table(
        "catalog_schemes",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("full_name", sa.String(300), nullable=False),
        sa.Column("agency", sa.String(200), nullable=False),
        sa.Column("what_it_was", sa.Text(), nullable=False),
        sa.Column("opened_on", sa.Date()),
        sa.Column("closed_on", sa.Date()),
        sa.Column("follow_up_now", sa.Text(), nullable=False),
        sa.Column("link", sa.String(500), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "catalog_scheme_aliases",
        sa.Column("alias", sa.String(120), primary_key=True),
        sa.Column(
            "scheme_id",
            sa.String(32),
            sa.ForeignKey("catalog_schemes.id", ondelete="CASCADE"),
            nullable=False,
        ),
    )
    op.create_index("ix_catalog_scheme_aliases_scheme_id", "catalog_scheme_aliases", ["scheme_id"])

    op.create_table(
        "catalog_events",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("summary", sa.Text()),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("place", sa.String(200)),
        sa.Column("municipality", sa.String(64)),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("organiser", sa.String(300), nullable=False),
        sa.Column("signup_link", sa.String(500), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_catalog_events_ends_at", "catalog_events", ["ends_at"])
    op.create_index("ix_catalog_events_municipality", "catalog_events", ["municipality", "starts_at"])

    op.create_table(
        "catalog_program_facts",
        sa.Column("key", sa.String(80), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "catalog_topic_keywords",
        sa.Column("keyword", sa.String(64), primary_key=True),
        sa.Column("topic", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "catalog_topic_keywords",
        "catalog_program_facts",
        "catalog_events",
        "catalog_scheme_aliases",
        "catalog_schemes",
        "catalog_instrument_topics",
        "catalog_instrument_sectors",
        "catalog_instrument_municipalities",
        "catalog_instrument_target_groups",
        "catalog_instruments",
    ):
        op.drop_table(table)
