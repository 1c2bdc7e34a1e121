"""Catalog tables: instruments, corona schemes, events and program facts.

Multi-valued fields of an instrument (topics, target groups, municipalities,
sectors) are rows in narrow association tables with an index on (value,
instrument_id), so "which instruments fit this topic and this municipality" is an
index lookup. "All municipalities" and "all sectors" are flags, not 12 rows.
Nothing is ever deleted by a content load: entries that leave the files are retired.
Times are stored as naive UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import relationship

from bot.db import Base


class Instrument(Base):
    __tablename__ = "catalog_instruments"
    __table_args__ = (
        CheckConstraint("kind IN ('own', 'partner', 'national')", name="ck_catalog_instruments_kind"),
    )

    id = Column(String(80), primary_key=True)
    name = Column(String(200), nullable=False)
    owner = Column(String(200), nullable=False)
    kind = Column(String(16), nullable=False)
    offer = Column(Text, nullable=False)
    for_whom = Column(Text, nullable=False)
    next_step = Column(Text, nullable=False)
    link = Column(String(500))
    all_municipalities = Column(Boolean, nullable=False, default=True)
    all_sectors = Column(Boolean, nullable=False, default=True)
    active_from = Column(Date)
    active_until = Column(Date)
    reviewed_on = Column(Date, nullable=False)
    # Order in the content file: breaks ties between equally fitting instruments.
    position = Column(Integer, nullable=False, default=0)
    retired = Column(Boolean, nullable=False, default=False)

    topics = relationship(
        "InstrumentTopic", cascade="all, delete-orphan", order_by="InstrumentTopic.position", lazy="selectin"
    )
    target_groups = relationship("InstrumentTargetGroup", cascade="all, delete-orphan", lazy="selectin")
    municipalities = relationship("InstrumentMunicipality", cascade="all, delete-orphan", lazy="selectin")
    sectors = relationship("InstrumentSector", cascade="all, delete-orphan", lazy="selectin")


class InstrumentTopic(Base):
    """A topic of an instrument; position 0 is its main topic, `lead` makes it
    always named for that topic (the program's signature instruments)."""

    __tablename__ = "catalog_instrument_topics"
    __table_args__ = (Index("ix_catalog_instrument_topics_topic", "topic", "instrument_id"),)

    instrument_id = Column(
        String(80), ForeignKey("catalog_instruments.id", ondelete="CASCADE"), primary_key=True
    )
    topic = Column(String(32), primary_key=True)
    position = Column(Integer, nullable=False, default=0)
    lead = Column(Boolean, nullable=False, default=False)


class InstrumentTargetGroup(Base):
    __tablename__ = "catalog_instrument_target_groups"
    __table_args__ = (Index("ix_catalog_instrument_target_groups_group", "target_group", "instrument_id"),)

    instrument_id = Column(
        String(80), ForeignKey("catalog_instruments.id", ondelete="CASCADE"), primary_key=True
    )
    target_group = Column(String(32), primary_key=True)


class InstrumentMunicipality(Base):
    __tablename__ = "catalog_instrument_municipalities"
    __table_args__ = (Index("ix_catalog_instrument_municipalities_name", "municipality", "instrument_id"),)

    instrument_id = Column(
        String(80), ForeignKey("catalog_instruments.id", ondelete="CASCADE"), primary_key=True
    )
    municipality = Column(String(64), primary_key=True)


class InstrumentSector(Base):
    __tablename__ = "catalog_instrument_sectors"
    __table_args__ = (Index("ix_catalog_instrument_sectors_sector", "sector", "instrument_id"),)

    instrument_id = Column(
        String(80), ForeignKey("catalog_instruments.id", ondelete="CASCADE"), primary_key=True
    )
    sector = Column(String(64), primary_key=True)


class Scheme(Base):
    """A corona relief scheme (contract §4 ids); every one of them is closed."""

    __tablename__ = "catalog_schemes"

    id = Column(String(32), primary_key=True)
    name = Column(String(80), nullable=False)
    full_name = Column(String(300), nullable=False)
    agency = Column(String(200), nullable=False)
    what_it_was = Column(Text, nullable=False)
    opened_on = Column(Date)
    closed_on = Column(Date)
    follow_up_now = Column(Text, nullable=False)
    link = Column(String(500), nullable=False)
    reviewed_on = Column(Date, nullable=False)
    position = Column(Integer, nullable=False, default=0)
    retired = Column(Boolean, nullable=False, default=False)

    aliases = relationship("SchemeAlias", cascade="all, delete-orphan", lazy="selectin")


class SchemeAlias(Base):
    """Another way people write a scheme's name, normalised (lower case, single spaces)."""

    __tablename__ = "catalog_scheme_aliases"

    alias = Column(String(120), primary_key=True)
    scheme_id = Column(
        String(32), ForeignKey("catalog_schemes.id", ondelete="CASCADE"), nullable=False, index=True
    )


class Event(Base):
    __tablename__ = "catalog_events"
    __table_args__ = (
        Index("ix_catalog_events_ends_at", "ends_at"),
        Index("ix_catalog_events_municipality", "municipality", "starts_at"),
    )

    id = Column(String(80), primary_key=True)
    title = Column(String(300), nullable=False)
    summary = Column(Text)
    starts_at = Column(DateTime, nullable=False)
    ends_at = Column(DateTime, nullable=False)
    online = Column(Boolean, nullable=False, default=False)
    place = Column(String(200))
    municipality = Column(String(64))
    topic = Column(String(32), nullable=False)
    organiser = Column(String(300), nullable=False)
    signup_link = Column(String(500), nullable=False)
    retired = Column(Boolean, nullable=False, default=False)


class ProgramFact(Base):
    __tablename__ = "catalog_program_facts"

    key = Column(String(80), primary_key=True)
    text = Column(Text, nullable=False)
    position = Column(Integer, nullable=False, default=0)
    retired = Column(Boolean, nullable=False, default=False)


class TopicKeyword(Base):
    """A word that marks a topic in a free question (e.g. "webinar over export")."""

    __tablename__ = "catalog_topic_keywords"

    keyword = Column(String(64), primary_key=True)
    topic = Column(String(32), nullable=False)
