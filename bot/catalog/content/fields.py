"""Reading the fields of one entry: each reader checks one kind of value (text, link,
date, list…) and records a problem with its line for every mistake, so a file is
checked as a whole before anything is loaded."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone, tzinfo
from typing import Any

from bot.catalog.content.reader import UNREADABLE, ContentProblem, LocatedDict, LocatedList
from bot.catalog.vocabulary import PLACEHOLDERS

ALL = "all"

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
_LINK = re.compile(r"^https://[^\s{}]+$")
_PLACEHOLDER = re.compile(r"{([^{}]*)}")
_NEUTER_NOUNS = {"onderwerp", "trefwoord"}  # "onbekend onderwerp", but "onbekende doelgroep"


class EntryFields:
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


def member_of(allowed: Iterable[str]) -> Callable[[Any], str | None]:
    allowed = frozenset(allowed)
    return lambda value: value if value in allowed else None


def section_entries(data: Any, section: str, shown: str, problems: list[ContentProblem]) -> list[LocatedDict]:
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


class UniqueValues:
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
