"""Drenthe's municipalities and their villages: maps what a person typed
("beilen", "midden drenthe", "Exloërmond") to the municipality's official name.

The twelve names are fixed by the interface contract; the villages come from
content/places.yml. Without that file only the municipality names are known.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT

PLACES_FILE = PROJECT_ROOT / "content" / "places.yml"

MUNICIPALITIES: tuple[str, ...] = (
    "Aa en Hunze",
    "Assen",
    "Borger-Odoorn",
    "Coevorden",
    "De Wolden",
    "Emmen",
    "Hoogeveen",
    "Meppel",
    "Midden-Drenthe",
    "Noordenveld",
    "Tynaarlo",
    "Westerveld",
)

# People write "2e Exloërmond" for "Tweede Exloërmond".
_ORDINALS = {"Eerste ": "1e ", "Tweede ": "2e "}
_PREFIX = re.compile(r"^(?:de )?(?:gemeente|gem) ")


def _without_accents(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def place_key(text: str) -> str:
    """A spelling-insensitive key: lower case, no accents, hyphens and runs of
    spaces as one space, no surrounding punctuation."""
    text = _without_accents(text).lower().replace("-", " ").replace("'", "")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


_MUNICIPALITY_KEYS = {place_key(name): name for name in MUNICIPALITIES}


def official_municipality(text: str) -> str | None:
    """The official name of a municipality typed in any case, accents or hyphenation
    ("midden drenthe" -> Midden-Drenthe); a village is not accepted."""
    return _MUNICIPALITY_KEYS.get(place_key(text))


class Places:
    """The municipalities and, per village, the municipality it lies in."""

    def __init__(self, villages: Mapping[str, Iterable[str]]) -> None:
        self.villages = {str(name): tuple(str(v) for v in (names or [])) for name, names in villages.items()}
        index: dict[str, str] = {}
        for municipality, names in self.villages.items():
            official = _MUNICIPALITY_KEYS.get(place_key(municipality))
            if official is None:
                continue  # not one of the twelve: ignore rather than invent a municipality
            for village in names:
                for variant in _variants(village):
                    index.setdefault(variant, official)
        # A municipality's own name wins over a village of the same name elsewhere.
        index.update(_MUNICIPALITY_KEYS)
        self._index = index

    @classmethod
    def from_file(cls, path: Path) -> Places:
        if not path.exists():
            return cls({})
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(data.get("municipalities") or {})

    def canonical(self, text: str | None) -> str | None:
        """The official municipality name for a municipality or village name, or None."""
        if not text or not isinstance(text, str):
            return None
        key = _PREFIX.sub("", place_key(text))
        return self._index.get(key) if key else None

    def is_village(self, text: str) -> bool:
        key = place_key(text)
        return key in self._index and key not in _MUNICIPALITY_KEYS


def spellings(name: str) -> list[str]:
    """The ways people type a place, in lower case: as written, hyphens as spaces,
    without diaereses ("exloermond"), ordinals as digits ("2e exloërmond")."""
    forms = [name, name.replace("-", " "), _without_accents(name)]
    for word, digit in _ORDINALS.items():
        if name.startswith(word):
            forms += [digit + name[len(word) :], _without_accents(digit + name[len(word) :])]
    return list(dict.fromkeys(form.lower() for form in forms))


def _variants(name: str) -> list[str]:
    return list(dict.fromkeys(place_key(form) for form in spellings(name)))


@lru_cache(maxsize=4)
def load_places(path: Path = PLACES_FILE) -> Places:
    return Places.from_file(path)


def canonical_municipality(text: str | None) -> str | None:
    """The official municipality name, e.g. for "beilen" Midden-Drenthe; None if unknown."""
    return load_places().canonical(text)
