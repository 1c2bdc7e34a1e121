"""The catalog desk: what a conversation asks of the catalog, each in one transaction of its own.

The chat actions call these functions and get plain data back, so they never open a
database session themselves; a failing database comes through as the exception it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.catalog import queries
from bot.catalog.queries import EventView, Fact, InstrumentView, SchemeView, TopicAnswer
from bot.catalog.vocabulary import SCHEME_IDS
from bot.company import CompanySize
from bot.db import session_scope
from bot.settings import Settings


def topic_answer(
    topic: str,
    size: CompanySize | None,
    municipality: str | None,
    sector: str | None,
    today: date,
    may_ask_size: bool,
    settings: Settings,
) -> TopicAnswer:
    with session_scope(settings.database_url) as session:
        return queries.topic_answer(
            session,
            topic,
            size=size,
            municipality=municipality,
            sector=sector,
            today=today,
            may_ask_size=may_ask_size,
            settings=settings,
        )


def instruments(ids: Sequence[str], settings: Settings) -> list[InstrumentView]:
    with session_scope(settings.database_url) as session:
        return queries.instruments_by_ids(session, ids, settings=settings)


def scheme(asked: str | None, settings: Settings) -> SchemeView | None:
    """The scheme for a canonical id or for what someone typed ("Tozo-lening", "now 3")."""
    if not asked:
        return None
    with session_scope(settings.database_url) as session:
        scheme_id = asked if asked in SCHEME_IDS else queries.find_scheme_id(session, asked)
        return queries.scheme(session, scheme_id, settings=settings) if scheme_id else None


def schemes(settings: Settings) -> list[SchemeView]:
    with session_scope(settings.database_url) as session:
        return queries.schemes(session, settings=settings)


def events(
    now: datetime, municipality: str | None, text: str | None, settings: Settings
) -> tuple[list[EventView], bool]:
    """Upcoming events for the question; the flag says they match the place or topic asked."""
    with session_scope(settings.database_url) as session:
        topic = queries.topic_in_text(session, text)
        found = queries.upcoming_events(
            session, now, municipality=municipality, topic=topic, settings=settings
        )
        if found or not (municipality or topic):
            return found, True
        return queries.upcoming_events(session, now, settings=settings), False


def topic_in_text(text: str | None, settings: Settings) -> str | None:
    with session_scope(settings.database_url) as session:
        return queries.topic_in_text(session, text)


def program_facts(settings: Settings) -> list[Fact]:
    with session_scope(settings.database_url) as session:
        return queries.program_facts(session, settings=settings)
