"""Loading validated content into the database: one transaction that upserts every
entry and retires the ones that left the files (nothing is loaded on any error)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.catalog.content.entries import Catalog, EventEntry, FactEntry, InstrumentEntry, SchemeEntry
from bot.catalog.content.files import CONTENT_DIR, read_catalog
from bot.catalog.models import (
    Event,
    Instrument,
    InstrumentMunicipality,
    InstrumentSector,
    InstrumentTargetGroup,
    InstrumentTopic,
    ProgramFact,
    Scheme,
    SchemeAlias,
    TopicKeyword,
)
from bot.db import session_scope
from bot.settings import Settings


@dataclass
class LoadCount:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0


@dataclass
class LoadReport:
    instruments: LoadCount = field(default_factory=LoadCount)
    schemes: LoadCount = field(default_factory=LoadCount)
    events: LoadCount = field(default_factory=LoadCount)
    facts: LoadCount = field(default_factory=LoadCount)
    topic_keywords: int = 0


def load_catalog(session: Session, catalog: Catalog) -> LoadReport:
    """Upserts every entry and retires what is no longer in the files (the caller commits)."""
    report = LoadReport()
    _upsert(
        session, Instrument, catalog.instruments, _instrument_state, _apply_instrument, report.instruments
    )
    _upsert(session, Scheme, catalog.schemes, _scheme_state, _apply_scheme, report.schemes)
    _upsert(session, Event, catalog.events, _event_state, _apply_event, report.events)
    _upsert(session, ProgramFact, catalog.facts, _fact_state, _apply_fact, report.facts, key="key")
    # Keywords are a lookup table, not entries: replace them as a whole.
    session.execute(delete(TopicKeyword))
    session.add_all(TopicKeyword(keyword=word, topic=topic) for word, topic in catalog.topic_keywords.items())
    report.topic_keywords = len(catalog.topic_keywords)
    session.flush()
    return report


def _upsert(session: Session, model, entries, state, apply, count: LoadCount, key: str = "id") -> None:
    existing = {getattr(row, key): row for row in session.scalars(select(model))}
    for entry in entries:
        row = existing.pop(getattr(entry, key), None)
        if row is None:
            row = model(**{key: getattr(entry, key)})
            apply(row, entry)
            row.retired = False
            session.add(row)
            count.added += 1
        elif row.retired or state(row) != state(entry):
            apply(row, entry)
            row.retired = False
            count.updated += 1
        else:
            # Only the place in the file moved (an entry above was added or removed):
            # keep the order, but that is no change worth reporting.
            if getattr(row, "position", None) != getattr(entry, "position", None):
                row.position = entry.position
            count.unchanged += 1
    for row in existing.values():
        if not row.retired:
            row.retired = True
            count.retired += 1


def _sync(collection: list, wanted: dict, make: Callable[[Any], Any], key: Callable[[Any], Any]) -> None:
    """Make an association collection hold exactly `wanted` (key -> attributes)."""
    for row in list(collection):
        if key(row) not in wanted:
            collection.remove(row)
    have = {key(row): row for row in collection}
    for item, attributes in wanted.items():
        row = have.get(item)
        if row is None:
            collection.append(make(item, **attributes))
        else:
            for name, value in attributes.items():
                setattr(row, name, value)


def _columns(entry_type: type, besides: tuple[str, ...]) -> tuple[str, ...]:
    """The fields of an entry that are plain columns of its table, copied as they are."""
    return tuple(f.name for f in fields(entry_type) if f.name not in besides)


# Associations, the id and the place in the file are handled apart from the columns.
_INSTRUMENT_COLUMNS = _columns(
    InstrumentEntry,
    besides=("id", "topics", "lead_for", "target_groups", "municipalities", "sectors", "position"),
)
_SCHEME_COLUMNS = _columns(SchemeEntry, besides=("id", "aliases", "position"))
_EVENT_COLUMNS = _columns(EventEntry, besides=("id",))


def _instrument_state(item) -> tuple:
    columns = tuple(getattr(item, name) for name in _INSTRUMENT_COLUMNS)
    if isinstance(item, InstrumentEntry):
        topics = tuple((t, i, t in item.lead_for) for i, t in enumerate(item.topics))
        return (
            *columns,
            topics,
            item.target_groups,
            item.municipalities,
            item.sectors,
        )
    topics = tuple(sorted(((t.topic, t.position, t.lead) for t in item.topics), key=lambda t: t[1]))
    return (
        *columns,
        topics,
        frozenset(g.target_group for g in item.target_groups),
        None if item.all_municipalities else frozenset(m.municipality for m in item.municipalities),
        None if item.all_sectors else frozenset(s.sector for s in item.sectors),
    )


def _apply_instrument(row: Instrument, entry: InstrumentEntry) -> None:
    for name in (*_INSTRUMENT_COLUMNS, "position"):
        setattr(row, name, getattr(entry, name))
    row.all_municipalities = entry.municipalities is None
    row.all_sectors = entry.sectors is None
    _sync(
        row.topics,
        {topic: {"position": i, "lead": topic in entry.lead_for} for i, topic in enumerate(entry.topics)},
        lambda topic, **a: InstrumentTopic(topic=topic, **a),
        lambda r: r.topic,
    )
    _sync(
        row.target_groups,
        {g: {} for g in entry.target_groups},
        lambda g: InstrumentTargetGroup(target_group=g),
        lambda r: r.target_group,
    )
    _sync(
        row.municipalities,
        {m: {} for m in entry.municipalities or ()},
        lambda m: InstrumentMunicipality(municipality=m),
        lambda r: r.municipality,
    )
    _sync(
        row.sectors,
        {s: {} for s in entry.sectors or ()},
        lambda s: InstrumentSector(sector=s),
        lambda r: r.sector,
    )


def _scheme_state(item) -> tuple:
    aliases = item.aliases if isinstance(item, SchemeEntry) else frozenset(a.alias for a in item.aliases)
    return (*tuple(getattr(item, name) for name in _SCHEME_COLUMNS), frozenset(aliases))


def _apply_scheme(row: Scheme, entry: SchemeEntry) -> None:
    for name in (*_SCHEME_COLUMNS, "position"):
        setattr(row, name, getattr(entry, name))
    _sync(row.aliases, {a: {} for a in entry.aliases}, lambda a: SchemeAlias(alias=a), lambda r: r.alias)


def _event_state(item) -> tuple:
    return tuple(getattr(item, name) for name in _EVENT_COLUMNS)


def _apply_event(row: Event, entry: EventEntry) -> None:
    for name in _EVENT_COLUMNS:
        setattr(row, name, getattr(entry, name))


def _fact_state(item) -> tuple:
    return (item.text,)


def _apply_fact(row: ProgramFact, entry: FactEntry) -> None:
    row.text = entry.text
    row.position = entry.position


def load_content(content_dir: Path = CONTENT_DIR, *, settings: Settings) -> LoadReport:
    """Validates all files, then loads them in one transaction (nothing is loaded on any error)."""
    catalog = read_catalog(content_dir, tz=settings.tz)
    with session_scope(settings.database_url) as session:
        return load_catalog(session, catalog)
