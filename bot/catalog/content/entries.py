"""The validated content as plain data: one entry per instrument, scheme, event and fact."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class InstrumentEntry:
    id: str
    name: str
    owner: str
    kind: str
    topics: tuple[str, ...]
    lead_for: frozenset[str]
    target_groups: frozenset[str]
    municipalities: frozenset[str] | None  # None: all municipalities
    sectors: frozenset[str] | None  # None: all sectors
    offer: str
    for_whom: str
    next_step: str
    link: str | None
    active_from: date | None
    active_until: date | None
    reviewed_on: date
    position: int


@dataclass(frozen=True)
class SchemeEntry:
    id: str
    name: str
    full_name: str
    agency: str
    aliases: frozenset[str]
    what_it_was: str
    opened_on: date | None
    closed_on: date | None
    follow_up_now: str
    link: str
    reviewed_on: date
    position: int


@dataclass(frozen=True)
class EventEntry:
    id: str
    title: str
    summary: str | None
    starts_at: datetime  # naive UTC
    ends_at: datetime  # naive UTC
    online: bool
    place: str | None
    municipality: str | None
    topic: str
    organiser: str
    signup_link: str


@dataclass(frozen=True)
class FactEntry:
    key: str
    text: str
    position: int


@dataclass
class Catalog:
    instruments: list[InstrumentEntry] = field(default_factory=list)
    schemes: list[SchemeEntry] = field(default_factory=list)
    events: list[EventEntry] = field(default_factory=list)
    facts: list[FactEntry] = field(default_factory=list)
    topic_keywords: dict[str, str] = field(default_factory=dict)  # keyword -> topic
