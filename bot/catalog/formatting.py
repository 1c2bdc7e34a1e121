"""Turns catalog data into chat text: an instrument, an event, a scheme, a date.

Only data is laid out here; the framing sentences around it are domain.yml responses.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.catalog.queries import EventView, Fact, InstrumentView, SchemeView
from bot.clock import MONTH_NAMES, WEEKDAY_NAMES


def long_date(day: date) -> str:
    """1 oktober 2021"""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def event_moment(starts_at: datetime, ends_at: datetime) -> str:
    """donderdag 3 december 2026, 19:30–20:45 (or a range of days)"""
    start = f"{WEEKDAY_NAMES[starts_at.weekday()]} {long_date(starts_at.date())}"
    if starts_at.date() == ends_at.date():
        return f"{start}, {starts_at:%H:%M}–{ends_at:%H:%M}"
    end = f"{WEEKDAY_NAMES[ends_at.weekday()]} {long_date(ends_at.date())}"
    return f"{start} {starts_at:%H:%M} – {end} {ends_at:%H:%M}"


# How an owner reads inside a sentence ("bij de KVK", "bij het UWV"); others stay as written.
_OWNER_IN_SENTENCE = {
    "banken": "uw bank",
    "belastingdienst": "de Belastingdienst",
    "douane (belastingdienst)": "de Douane",
    "crowdfundingplatforms": "een crowdfundingplatform",
    "hogescholen in de regio": "de hogescholen in de regio",
    "mbo-scholen in drenthe": "de mbo-scholen in Drenthe",
    "kvk": "de KVK",
    "kvk en de overheid": "de KVK en de overheid",
    "nom (noordelijke ontwikkelingsmaatschappij)": "de NOM",
    "rijksoverheid": "de Rijksoverheid",
    "uwv": "het UWV",
    "uw gemeente": "uw gemeente",
}


def owner_in_sentence(owner: str) -> str:
    """ "Gemeente Assen" -> "de gemeente Assen", "KVK" -> "de KVK", "RVO" stays "RVO"."""
    if owner.lower().startswith("gemeente "):
        return f"de gemeente {owner[len('gemeente ') :]}"
    return _OWNER_IN_SENTENCE.get(owner.lower(), owner)


def next_step_text(instrument: InstrumentView) -> str:
    lines = [f"{instrument.name}: {instrument.next_step}"]
    if instrument.link:
        lines.append(instrument.link)
    return "\n".join(lines)


def instrument_text(instrument: InstrumentView) -> str:
    lines = [f"{instrument.name} ({instrument.owner})", instrument.offer, f"→ {instrument.next_step}"]
    if instrument.link:
        lines.append(instrument.link)
    return "\n".join(lines)


def event_text(event: EventView) -> str:
    if event.online:
        where = "online"
    elif event.place and event.municipality and event.place != event.municipality:
        where = f"{event.place} ({event.municipality})"
    else:
        where = event.place or event.municipality or ""
    lines = [event.title, f"{event_moment(event.starts_at, event.ends_at)}, {where}"]
    if event.summary:
        lines.append(event.summary)
    lines.append(f"→ {event.signup_link}")
    return "\n".join(lines)


def scheme_text(scheme: SchemeView) -> str:
    return f"{scheme.name} ({scheme.full_name})\n{scheme.what_it_was}"


def scheme_follow_up_text(scheme: SchemeView) -> str:
    return f"{scheme.follow_up_now}\n→ {scheme.link}"


def facts_text(facts: list[Fact]) -> str:
    return "\n\n".join(fact.text for fact in facts)
