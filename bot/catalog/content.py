"""Reads, validates and loads the catalog content files (content/*.yml).

Validation collects every problem with its file and line ("content/instruments.yml:12:
onbekend onderwerp 'exprot'") before anything touches the database; loading is one
transaction that upserts every entry and retires the ones that left the files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone, tzinfo
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

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
from bot.catalog.vocabulary import KINDS, PLACEHOLDERS, SCHEME_IDS, TARGET_GROUPS, TOPICS
from bot.db import session_scope
from bot.places import MUNICIPALITIES, Places, place_key
from bot.settings import PROJECT_ROOT, get_settings

CONTENT_DIR = PROJECT_ROOT / "content"
INSTRUMENTS_FILE = "instruments.yml"
SCHEMES_FILE = "schemes.yml"
EVENTS_FILE = "events.yml"
PROGRAM_FILE = "program.yml"
PLACES_FILE = "places.yml"
ALL = "all"

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_SECTOR = re.compile(r"^[a-zà-ÿ][a-zà-ÿ0-9 &/-]{0,63}$")
_KEYWORD = re.compile(r"^[a-zà-ÿ0-9][a-zà-ÿ0-9 '-]{0,63}$")
_LINK = re.compile(r"^https://[^\s{}]+$")
_PLACEHOLDER = re.compile(r"{([^{}]*)}")
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_NEUTER_NOUNS = {"onderwerp", "trefwoord"}  # "onbekend onderwerp", but "onbekende doelgroep"


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class ContentProblem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentInvalid(Exception):
    """The content files have problems; nothing was loaded."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.path, p.line))
        super().__init__("\n".join(str(problem) for problem in self.problems))


# --------------------------------------------------------------------------- YAML with lines


class LocatedDict(dict):
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int = 1
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list):
    """A YAML sequence that remembers its own line and the line of each item."""

    line: int = 1
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


# Returned for a file that is missing or not valid YAML (its problem is already recorded).
UNREADABLE = object()


def read_yaml(path: Path, shown: str, problems: list[ContentProblem]) -> Any:
    """The file's data with line numbers, or UNREADABLE after recording a problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(ContentProblem(shown, 1, "bestand ontbreekt"))
        return UNREADABLE
    except (OSError, UnicodeDecodeError) as error:
        problems.append(ContentProblem(shown, 1, f"bestand is niet te lezen ({error})"))
        return UNREADABLE
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _to_python(node, loader, shown, problems)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problems.append(ContentProblem(shown, line, f"geen geldige YAML: {error.problem or error.context}"))
        return UNREADABLE
    except yaml.YAMLError as error:
        problems.append(ContentProblem(shown, 1, f"geen geldige YAML: {error}"))
        return UNREADABLE
    finally:
        loader.dispose()


def _to_python(node: yaml.Node, loader: yaml.SafeLoader, shown: str, problems: list[ContentProblem]) -> Any:
    if isinstance(node, yaml.MappingNode):
        mapping = LocatedDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            raw_key = _to_python(key_node, loader, shown, problems)
            line = key_node.start_mark.line + 1
            if not isinstance(raw_key, (str, int)):
                problems.append(ContentProblem(shown, line, "een sleutel moet een woord zijn"))
                continue
            key = str(raw_key)
            if key in mapping:
                problems.append(
                    ContentProblem(
                        shown, line, f"veld '{key}' staat dubbel (ook op regel {mapping.key_lines[key]})"
                    )
                )
                continue
            mapping.key_lines[key] = line
            mapping[key] = _to_python(value_node, loader, shown, problems)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        sequence = LocatedList()
        sequence.line = node.start_mark.line + 1
        sequence.item_lines = [item.start_mark.line + 1 for item in node.value]
        sequence.extend(_to_python(item, loader, shown, problems) for item in node.value)
        return sequence
    if node.tag == _TIMESTAMP_TAG:
        # Dates are parsed by the validator, which gives a clear message for "2026-13-01".
        return node.value
    return loader.construct_object(node, deep=True)


# --------------------------------------------------------------------------- entries


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


class _Fields:
    """Reads the fields of one entry, recording a problem (with its line) for each mistake."""

    def __init__(
        self, entry: LocatedDict, shown: str, problems: list[ContentProblem], known: Iterable[str]
    ) -> None:
        self.entry = entry
        self.shown = shown
        self.problems = problems
        self.ok = True
        for key in entry:
            if key not in known:
                self.problem(key, f"onbekend veld '{key}' (toegestaan: {', '.join(known)})")

    def problem(self, key: str | None, message: str, line: int | None = None) -> None:
        self.ok = False
        if line is None:
            line = self.entry.line_of(key) if key else self.entry.line
        self.problems.append(ContentProblem(self.shown, line, message))

    def raw(self, key: str, required: bool) -> Any:
        value = self.entry.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(None, f"verplicht veld '{key}' ontbreekt of is leeg")
            return None
        return value

    def text(
        self, key: str, required: bool = True, one_line: bool = False, max_length: int = 2000
    ) -> str | None:
        value = self.raw(key, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(key, f"'{key}' moet tekst zijn, niet {value!r}")
            return None
        value = value.strip()
        if one_line and "\n" in value:
            self.problem(key, f"'{key}' moet op één regel passen")
        if len(value) > max_length:
            self.problem(key, f"'{key}' is te lang ({len(value)} tekens, hooguit {max_length})")
        for name in _PLACEHOLDER.findall(value):
            if name not in PLACEHOLDERS:
                allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
                self.problem(key, f"onbekende invulplek '{{{name}}}' in '{key}' (toegestaan: {allowed})")
        return value

    def identifier(self, key: str) -> str | None:
        value = self.raw(key, True)
        if value is None:
            return None
        if not isinstance(value, str) or not _ID.match(value):
            self.problem(key, f"'{key}' moet bestaan uit kleine letters, cijfers, '-' of '_', niet {value!r}")
            return None
        return value

    def choice(self, key: str, allowed: Iterable[str]) -> str | None:
        value = self.raw(key, True)
        if value is None:
            return None
        allowed = tuple(allowed)
        if value not in allowed:
            self.problem(key, f"onbekende waarde {value!r} voor '{key}' (toegestaan: {', '.join(allowed)})")
            return None
        return value

    def link(self, key: str, required: bool, allow_website: bool = False) -> str | None:
        value = self.raw(key, required)
        if value is None:
            return None
        if allow_website and value == "{website}":
            return value
        if not isinstance(value, str) or not _LINK.match(value.strip()):
            hint = " of {website}" if allow_website else ""
            self.problem(
                key, f"'{key}' moet een volledige link zijn die met https:// begint{hint}, niet {value!r}"
            )
            return None
        return value.strip()

    def day(self, key: str, required: bool) -> date | None:
        value = self.raw(key, required)
        if value is None:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        try:
            if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
                raise ValueError
            return date.fromisoformat(value.strip())
        except ValueError:
            self.problem(
                key, f"'{key}' is geen geldige datum: {value!r} (schrijf JJJJ-MM-DD, bijv. 2026-12-31)"
            )
            return None

    def moment(self, key: str, tz: tzinfo) -> datetime | None:
        value = self.raw(key, True)
        if value is None:
            return None
        text = str(value).strip()
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}", text):
                raise ValueError
            local = datetime.fromisoformat(text.replace(" ", "T")).replace(tzinfo=tz)
        except ValueError:
            self.problem(
                key,
                f"'{key}' is geen geldig tijdstip: {value!r} "
                "(schrijf JJJJ-MM-DD UU:MM, bijv. 2026-12-03 19:30)",
            )
            return None
        return local.astimezone(timezone.utc).replace(tzinfo=None)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.entry.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(key, f"'{key}' moet true of false zijn, niet {value!r}")
            return default
        return value

    def values(
        self,
        key: str,
        required: bool,
        allow_all: bool,
        check: Callable[[Any], str | None],
        what: str,
    ) -> list[str] | None:
        """A list of values (or `all`); `check` returns the stored form or None when invalid."""
        value = self.raw(key, required)
        if value is None:
            return None
        if allow_all and value == ALL:
            return None
        if not isinstance(value, list) or not value:
            alternative = f" of '{ALL}'" if allow_all else ""
            self.problem(key, f"'{key}' moet een lijst zijn{alternative}, niet {value!r}")
            return []
        result: list[str] = []
        for index, item in enumerate(value):
            line = value.line_of(index) if isinstance(value, LocatedList) else self.entry.line_of(key)
            stored = check(item) if isinstance(item, str) else None
            if stored is None:
                unknown = "onbekend" if what in _NEUTER_NOUNS else "onbekende"
                self.problem(key, f"{unknown} {what} {item!r} in '{key}'", line=line)
            elif stored in result:
                self.problem(key, f"{what} {item!r} staat dubbel in '{key}'", line=line)
            else:
                result.append(stored)
        return result


def _in(allowed: Iterable[str]) -> Callable[[Any], str | None]:
    allowed = frozenset(allowed)
    return lambda value: value if value in allowed else None


def _entries(data: Any, section: str, shown: str, problems: list[ContentProblem]) -> list[LocatedDict]:
    if data is UNREADABLE:
        return []
    if data is None:
        problems.append(ContentProblem(shown, 1, f"het bestand is leeg; verwacht '{section}:' met een lijst"))
        return []
    if not isinstance(data, LocatedDict) or section not in data:
        line = data.line if isinstance(data, (LocatedDict, LocatedList)) else 1
        problems.append(ContentProblem(shown, line, f"verwacht bovenaan '{section}:' met een lijst"))
        return []
    for key in data:
        if key != section:
            problems.append(ContentProblem(shown, data.line_of(key), f"onbekend onderdeel '{key}'"))
    items = data[section]
    if not isinstance(items, LocatedList):
        problems.append(ContentProblem(shown, data.line_of(section), f"'{section}' moet een lijst zijn"))
        return []
    entries = []
    for index, item in enumerate(items):
        if not isinstance(item, LocatedDict):
            problems.append(
                ContentProblem(shown, items.line_of(index), "verwacht een item met velden (id: …, name: …)")
            )
        else:
            entries.append(item)
    return entries


class _Ids:
    """Finds duplicate ids within one file."""

    def __init__(self, shown: str, problems: list[ContentProblem], what: str = "id") -> None:
        self.seen: dict[str, int] = {}
        self.shown = shown
        self.problems = problems
        self.what = what

    def add(self, value: str | None, line: int) -> bool:
        if value is None:
            return False
        if value in self.seen:
            self.problems.append(
                ContentProblem(
                    self.shown,
                    line,
                    f"{'dubbel' if self.what in _NEUTER_NOUNS else 'dubbele'} {self.what} '{value}' "
                    f"(ook op regel {self.seen[value]})",
                )
            )
            return False
        self.seen[value] = line
        return True


# --------------------------------------------------------------------------- per file

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


_OFFICIAL_MUNICIPALITIES = {place_key(name): name for name in MUNICIPALITIES}


def _municipality(value: str) -> str | None:
    """The official name for a municipality in any case or hyphenation; villages are not accepted."""
    return _OFFICIAL_MUNICIPALITIES.get(place_key(value))


def _municipality_problem(value: Any, places: Places) -> str:
    if isinstance(value, str) and places.is_village(value):
        return f"'{value}' is een plaats in de gemeente {places.canonical(value)}: vul de gemeente in"
    return f"onbekende gemeente {value!r} (toegestaan: {', '.join(MUNICIPALITIES)})"


def _read_instruments(
    path: Path, shown: str, places: Places, problems: list[ContentProblem]
) -> list[InstrumentEntry]:
    result = []
    ids = _Ids(shown, problems)
    for position, entry in enumerate(
        _entries(read_yaml(path, shown, problems), "instruments", shown, problems)
    ):
        f = _Fields(entry, shown, problems, INSTRUMENT_FIELDS)
        id_ = f.identifier("id")
        unique = ids.add(id_, entry.line_of("id"))
        topics = f.values("topics", True, False, _in(TOPICS), "onderwerp") or []
        lead_for = f.values("lead_for", False, False, _in(TOPICS), "onderwerp") or []
        for topic in lead_for:
            if topic not in topics:
                f.problem("lead_for", f"'lead_for' noemt '{topic}', maar dat staat niet in 'topics'")
        groups = f.values("target_groups", True, True, _in(TARGET_GROUPS), "doelgroep")
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


def _municipality_values(f: _Fields, key: str, places: Places) -> list[str] | None:
    value = f.entry.get(key)
    if value is None or value == ALL:
        return None
    if not isinstance(value, list) or not value:
        f.problem(key, f"'{key}' moet een lijst met gemeenten zijn of '{ALL}', niet {value!r}")
        return []
    result = []
    for index, item in enumerate(value):
        line = value.line_of(index) if isinstance(value, LocatedList) else f.entry.line_of(key)
        name = _municipality(item) if isinstance(item, str) else None
        if name is None:
            f.problem(key, _municipality_problem(item, places), line=line)
        elif name not in result:
            result.append(name)
    return result


def _sector(value: str) -> str | None:
    value = " ".join(value.lower().split())
    return value if _SECTOR.match(value) else None


def _read_schemes(path: Path, shown: str, problems: list[ContentProblem]) -> list[SchemeEntry]:
    result = []
    ids = _Ids(shown, problems)
    aliases = _Ids(shown, problems, what="alias")
    for position, entry in enumerate(_entries(read_yaml(path, shown, problems), "schemes", shown, problems)):
        f = _Fields(entry, shown, problems, SCHEME_FIELDS)
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
    ids = _Ids(shown, problems)
    for entry in _entries(read_yaml(path, shown, problems), "events", shown, problems):
        f = _Fields(entry, shown, problems, EVENT_FIELDS)
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
            municipality = _municipality(raw) if isinstance(raw, str) else None
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
    keys = _Ids(shown, problems, what="key")
    sub = LocatedDict({"facts": data.get("facts")})
    sub.line, sub.key_lines = data.line, {"facts": data.line_of("facts")}
    for position, entry in enumerate(_entries(sub, "facts", shown, problems)):
        f = _Fields(entry, shown, problems, FACT_FIELDS)
        key = f.identifier("key")
        unique = keys.add(key, entry.line_of("key"))
        text = f.text("text", max_length=1500)
        if f.ok and unique and key is not None and text is not None:
            facts.append(FactEntry(key=key, text=text, position=position))

    keywords: dict[str, str] = {}
    seen = _Ids(shown, problems, what="trefwoord")
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


def scheme_key(text: str) -> str:
    """How scheme names and aliases are compared: "BMKB-C" and "bmkb c" are the same."""
    text = text.lower().replace("-", " ").replace("_", " ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return " ".join(text.split())


# --------------------------------------------------------------------------- reading and loading


def read_catalog(content_dir: Path = CONTENT_DIR, tz: tzinfo | None = None) -> Catalog:
    """All content, validated. Raises ContentInvalid listing every problem."""
    content_dir = Path(content_dir)
    tz = tz or get_settings().tz
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


def _instrument_state(item) -> tuple:
    if isinstance(item, InstrumentEntry):
        topics = tuple((t, i, t in item.lead_for) for i, t in enumerate(item.topics))
        return (
            item.name,
            item.owner,
            item.kind,
            item.offer,
            item.for_whom,
            item.next_step,
            item.link,
            item.active_from,
            item.active_until,
            item.reviewed_on,
            topics,
            item.target_groups,
            item.municipalities,
            item.sectors,
        )
    topics = tuple(sorted(((t.topic, t.position, t.lead) for t in item.topics), key=lambda t: t[1]))
    return (
        item.name,
        item.owner,
        item.kind,
        item.offer,
        item.for_whom,
        item.next_step,
        item.link,
        item.active_from,
        item.active_until,
        item.reviewed_on,
        topics,
        frozenset(g.target_group for g in item.target_groups),
        None if item.all_municipalities else frozenset(m.municipality for m in item.municipalities),
        None if item.all_sectors else frozenset(s.sector for s in item.sectors),
    )


def _apply_instrument(row: Instrument, entry: InstrumentEntry) -> None:
    for name in (
        "name",
        "owner",
        "kind",
        "offer",
        "for_whom",
        "next_step",
        "link",
        "active_from",
        "active_until",
        "reviewed_on",
        "position",
    ):
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


_SCHEME_COLUMNS = (
    "name",
    "full_name",
    "agency",
    "what_it_was",
    "opened_on",
    "closed_on",
    "follow_up_now",
    "link",
    "reviewed_on",
)


def _scheme_state(item) -> tuple:
    aliases = item.aliases if isinstance(item, SchemeEntry) else frozenset(a.alias for a in item.aliases)
    return (*tuple(getattr(item, name) for name in _SCHEME_COLUMNS), frozenset(aliases))


def _apply_scheme(row: Scheme, entry: SchemeEntry) -> None:
    for name in (*_SCHEME_COLUMNS, "position"):
        setattr(row, name, getattr(entry, name))
    _sync(row.aliases, {a: {} for a in entry.aliases}, lambda a: SchemeAlias(alias=a), lambda r: r.alias)


_EVENT_COLUMNS = (
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


def load_content(content_dir: Path = CONTENT_DIR, url: str | None = None) -> LoadReport:
    """Validates all files, then loads them in one transaction (nothing is loaded on any error)."""
    catalog = read_catalog(content_dir)
    with session_scope(url) as session:
        return load_catalog(session, catalog)
