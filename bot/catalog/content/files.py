"""Validation of each content file (instruments, schemes, events, program) into entries,
and `read_catalog`, which reads them all and raises ContentInvalid listing every problem.
"""

from __future__ import annotations

import re
from datetime import tzinfo
from pathlib import Path
from typing import Any

from bot.catalog.content.entries import Catalog, EventEntry, FactEntry, InstrumentEntry, SchemeEntry
from bot.catalog.content.fields import (
    ALL,
    EntryFields,
    UniqueValues,
    member_of,
    section_entries,
)
from bot.catalog.content.reader import (
    UNREADABLE,
    ContentInvalid,
    ContentProblem,
    LocatedDict,
    LocatedList,
    read_yaml,
)
from bot.catalog.vocabulary import KINDS, SCHEME_IDS, TARGET_GROUPS, TOPICS, scheme_key, sector_key
from bot.places import MUNICIPALITIES, Places, official_municipality
from bot.settings import PROJECT_ROOT

CONTENT_DIR = PROJECT_ROOT / "content"
INSTRUMENTS_FILE = "instruments.yml"
SCHEMES_FILE = "schemes.yml"
EVENTS_FILE = "events.yml"
PROGRAM_FILE = "program.yml"
PLACES_FILE = "places.yml"

_SECTOR = re.compile(r"^[a-zà-ÿ][a-zà-ÿ0-9 &/-]{0,63}$")
_KEYWORD = re.compile(r"^[a-zà-ÿ0-9][a-zà-ÿ0-9 '-]{0,63}$")


INSTRUMENT_FIELDS = (
    "id",
    "name",
    "owner",
    "kind",
    "topics",
    "lead_for",
    "target_groups",
    "municipalities",
    "sectors",
    "offer",
    "for_whom",
    "next_step",
    "link",
    "active_from",
    "active_until",
    "reviewed_on",
)
SCHEME_FIELDS = (
    "id",
    "name",
    "full_name",
    "agency",
    "aliases",
    "what_it_was",
    "opened_on",
    "closed_on",
    "follow_up_now",
    "link",
    "reviewed_on",
)
EVENT_FIELDS = (
    "id",
    "title",
    "summary",
    "starts_at",
    "ends_at",
    "online",
    "place",
    "municipality",
    "topic",
    "organiser",
    "signup_link",
)
FACT_FIELDS = ("key", "text")


def _municipality_problem(value: Any, places: Places) -> str:
    if isinstance(value, str) and places.is_village(value):
        return f"'{value}' is een plaats in de gemeente {places.canonical(value)}: vul de gemeente in"
    return f"onbekende gemeente {value!r} (toegestaan: {', '.join(MUNICIPALITIES)})"


def _read_instruments(
    path: Path, shown: str, places: Places, problems: list[ContentProblem]
) -> list[InstrumentEntry]:
    result = []
    ids = UniqueValues(shown, problems)
    for position, entry in enumerate(
        section_entries(read_yaml(path, shown, problems), "instruments", shown, problems)
    ):
        f = EntryFields(entry, shown, problems, INSTRUMENT_FIELDS)
        id_ = f.identifier("id")
        unique = ids.add(id_, entry.line_of("id"))
        topics = f.values("topics", True, False, member_of(TOPICS), "onderwerp") or []
        lead_for = f.values("lead_for", False, False, member_of(TOPICS), "onderwerp") or []
        for topic in lead_for:
            if topic not in topics:
                f.problem("lead_for", f"'lead_for' noemt '{topic}', maar dat staat niet in 'topics'")
        groups = f.values("target_groups", True, True, member_of(TARGET_GROUPS), "doelgroep")
        municipalities = _municipality_values(f, "municipalities", places)
        sectors = f.values("sectors", False, True, _sector, "sector")
        active_from = f.day("active_from", False)
        active_until = f.day("active_until", False)
        if active_from and active_until and active_until < active_from:
            f.problem("active_until", "'active_until' ligt vóór 'active_from'")
        # Each value is None only after a problem was recorded, and then f.ok is False.
        values: dict[str, Any] = {
            "name": f.text("name", one_line=True, max_length=200),
            "owner": f.text("owner", one_line=True, max_length=200),
            "kind": f.choice("kind", KINDS),
            "offer": f.text("offer", one_line=True, max_length=300),
            "for_whom": f.text("for_whom", max_length=500),
            "next_step": f.text("next_step", max_length=800),
            "link": f.link("link", False),
            "reviewed_on": f.day("reviewed_on", True),
        }
        if f.ok and unique and id_ is not None:
            result.append(
                InstrumentEntry(
                    id=id_,
                    topics=tuple(topics),
                    lead_for=frozenset(lead_for),
                    target_groups=frozenset(TARGET_GROUPS if groups is None else groups),
                    municipalities=None if municipalities is None else frozenset(municipalities),
                    sectors=None if sectors is None else frozenset(sectors),
                    active_from=active_from,
                    active_until=active_until,
                    position=position,
                    **values,
                )
            )
    return result


def _municipality_values(f: EntryFields, key: str, places: Places) -> list[str] | None:
    value = f.entry.get(key)
    if value is None or value == ALL:
        return None
    if not isinstance(value, list) or not value:
        f.problem(key, f"'{key}' moet een lijst met gemeenten zijn of '{ALL}', niet {value!r}")
        return []
    result = []
    for index, item in enumerate(value):
        line = value.line_of(index) if isinstance(value, LocatedList) else f.entry.line_of(key)
        name = official_municipality(item) if isinstance(item, str) else None
        if name is None:
            f.problem(key, _municipality_problem(item, places), line=line)
        elif name not in result:
            result.append(name)
    return result


def _sector(value: str) -> str | None:
    value = sector_key(value)
    return value if _SECTOR.match(value) else None


def _read_schemes(path: Path, shown: str, problems: list[ContentProblem]) -> list[SchemeEntry]:
    result = []
    ids = UniqueValues(shown, problems)
    aliases = UniqueValues(shown, problems, what="alias")
    for position, entry in enumerate(
        section_entries(read_yaml(path, shown, problems), "schemes", shown, problems)
    ):
        f = EntryFields(entry, shown, problems, SCHEME_FIELDS)
        id_ = f.choice("id", SCHEME_IDS)
        unique = ids.add(id_, entry.line_of("id"))
        names = f.values("aliases", False, False, lambda v: scheme_key(v) or None, "alias") or []
        for index, alias in enumerate(names):
            raw = entry["aliases"]
            line = raw.line_of(index) if isinstance(raw, LocatedList) else entry.line_of("aliases")
            if alias in SCHEME_IDS and alias != id_:
                f.problem("aliases", f"alias '{alias}' is de id van een andere regeling", line=line)
            elif not aliases.add(alias, line):
                f.ok = False
        opened_on = f.day("opened_on", False)
        closed_on = f.day("closed_on", False)
        if opened_on and closed_on and closed_on < opened_on:
            f.problem("closed_on", "'closed_on' ligt vóór 'opened_on'")
        # Each value is None only after a problem was recorded, and then f.ok is False.
        values: dict[str, Any] = {
            "name": f.text("name", one_line=True, max_length=80),
            "full_name": f.text("full_name", one_line=True, max_length=300),
            "agency": f.text("agency", one_line=True, max_length=200),
            "what_it_was": f.text("what_it_was", max_length=1000),
            "follow_up_now": f.text("follow_up_now", max_length=1500),
            "link": f.link("link", True),
            "reviewed_on": f.day("reviewed_on", True),
        }
        if f.ok and unique and id_ is not None:
            result.append(
                SchemeEntry(
                    id=id_,
                    aliases=frozenset(names),
                    opened_on=opened_on,
                    closed_on=closed_on,
                    position=position,
                    **values,
                )
            )
    return result


def _read_events(
    path: Path, shown: str, places: Places, tz: tzinfo, problems: list[ContentProblem]
) -> list[EventEntry]:
    result = []
    ids = UniqueValues(shown, problems)
    for entry in section_entries(read_yaml(path, shown, problems), "events", shown, problems):
        f = EntryFields(entry, shown, problems, EVENT_FIELDS)
        id_ = f.identifier("id")
        unique = ids.add(id_, entry.line_of("id"))
        starts_at = f.moment("starts_at", tz)
        ends_at = f.moment("ends_at", tz)
        if starts_at and ends_at and ends_at <= starts_at:
            f.problem("ends_at", "'ends_at' moet na 'starts_at' liggen")
        online = f.flag("online")
        place = f.text("place", required=False, one_line=True, max_length=200)
        municipality = None
        if entry.get("municipality") is not None:
            raw = entry["municipality"]
            municipality = official_municipality(raw) if isinstance(raw, str) else None
            if municipality is None:
                f.problem("municipality", _municipality_problem(raw, places))
        if not online and not (place and municipality):
            f.problem(None, "een bijeenkomst is 'online: true' of heeft een 'place' en een 'municipality'")
        # Each value is None only after a problem was recorded, and then f.ok is False.
        values: dict[str, Any] = {
            "title": f.text("title", one_line=True, max_length=300),
            "summary": f.text("summary", required=False, max_length=600),
            "topic": f.choice("topic", TOPICS),
            "organiser": f.text("organiser", one_line=True, max_length=300),
            "signup_link": f.link("signup_link", True, allow_website=True),
        }
        if f.ok and unique and id_ is not None and starts_at and ends_at:
            result.append(
                EventEntry(
                    id=id_,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    online=online,
                    place=place,
                    municipality=municipality,
                    **values,
                )
            )
    return result


def _read_program(
    path: Path, shown: str, problems: list[ContentProblem]
) -> tuple[list[FactEntry], dict[str, str]]:
    data = read_yaml(path, shown, problems)
    if data is UNREADABLE:
        return [], {}
    if data is None:
        problems.append(
            ContentProblem(shown, 1, "het bestand is leeg; verwacht 'facts:' en 'topic_keywords:'")
        )
        return [], {}
    if not isinstance(data, LocatedDict):
        problems.append(ContentProblem(shown, 1, "verwacht 'facts:' en 'topic_keywords:'"))
        return [], {}
    for key in data:
        if key not in ("facts", "topic_keywords"):
            problems.append(ContentProblem(shown, data.line_of(key), f"onbekend onderdeel '{key}'"))
    facts = []
    keys = UniqueValues(shown, problems, what="key")
    sub = LocatedDict({"facts": data.get("facts")})
    sub.line, sub.key_lines = data.line, {"facts": data.line_of("facts")}
    for position, entry in enumerate(section_entries(sub, "facts", shown, problems)):
        f = EntryFields(entry, shown, problems, FACT_FIELDS)
        key = f.identifier("key")
        unique = keys.add(key, entry.line_of("key"))
        text = f.text("text", max_length=1500)
        if f.ok and unique and key is not None and text is not None:
            facts.append(FactEntry(key=key, text=text, position=position))

    keywords: dict[str, str] = {}
    seen = UniqueValues(shown, problems, what="trefwoord")
    table = data.get("topic_keywords")
    if table is None:
        return facts, keywords
    if not isinstance(table, LocatedDict):
        problems.append(
            ContentProblem(
                shown, data.line_of("topic_keywords"), "'topic_keywords' moet per onderwerp een lijst hebben"
            )
        )
        return facts, keywords
    for topic, words in table.items():
        line = table.line_of(topic)
        if topic not in TOPICS:
            problems.append(
                ContentProblem(shown, line, f"onbekend onderwerp '{topic}' (toegestaan: {', '.join(TOPICS)})")
            )
            continue
        if not isinstance(words, LocatedList):
            problems.append(
                ContentProblem(shown, line, f"de trefwoorden van '{topic}' moeten een lijst zijn")
            )
            continue
        for index, word in enumerate(words):
            word_line = words.line_of(index)
            normal = " ".join(str(word).lower().split()) if isinstance(word, (str, int)) else ""
            if not _KEYWORD.match(normal):
                problems.append(ContentProblem(shown, word_line, f"ongeldig trefwoord {word!r}"))
            elif seen.add(normal, word_line):
                keywords[normal] = topic
    return facts, keywords


def read_catalog(content_dir: Path = CONTENT_DIR, *, tz: tzinfo) -> Catalog:
    """All content, validated. Raises ContentInvalid listing every problem."""
    content_dir = Path(content_dir)
    problems: list[ContentProblem] = []
    places = Places.from_file(content_dir / PLACES_FILE)

    def shown(name: str) -> str:
        path = content_dir / name
        try:
            return str(path.relative_to(PROJECT_ROOT))
        except ValueError:
            return str(path)

    catalog = Catalog()
    catalog.instruments = _read_instruments(
        content_dir / INSTRUMENTS_FILE, shown(INSTRUMENTS_FILE), places, problems
    )
    catalog.schemes = _read_schemes(content_dir / SCHEMES_FILE, shown(SCHEMES_FILE), problems)
    catalog.events = _read_events(content_dir / EVENTS_FILE, shown(EVENTS_FILE), places, tz, problems)
    catalog.facts, catalog.topic_keywords = _read_program(
        content_dir / PROGRAM_FILE, shown(PROGRAM_FILE), problems
    )
    if problems:
        raise ContentInvalid(problems)
    return catalog
