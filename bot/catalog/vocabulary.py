"""The fixed values that catalog content may use (contract §4 and issue 3)."""

from __future__ import annotations

import re

TOPICS: tuple[str, ...] = (
    "start",
    "growth",
    "innovation",
    "export",
    "financing",
    "corona",
    "crisis",
    "digitalisation",
    "events",
    "students",
)

ASPIRING_STARTER = "aspiring_starter"
ZZP = "zzp"
SMALL = "small"  # 2-50 people
LARGER = "larger"  # 51-250 people
TARGET_GROUPS: tuple[str, ...] = (ASPIRING_STARTER, ZZP, SMALL, LARGER)

OWN = "own"
PARTNER = "partner"
NATIONAL = "national"
KINDS: tuple[str, ...] = (OWN, PARTNER, NATIONAL)

SCHEME_IDS: tuple[str, ...] = (
    "now",
    "tozo",
    "tvl",
    "togs",
    "belastinguitstel",
    "bmkb_c",
    "go_c",
    "kkc",
    "col",
    "tonk",
)


def scheme_key(text: str) -> str:
    """How scheme names and aliases are compared: "BMKB-C" and "bmkb c" are the same."""
    text = text.lower().replace("-", " ").replace("_", " ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return " ".join(text.split())


# Placeholders allowed in content texts, filled from settings when answering.
PLACEHOLDERS: tuple[str, ...] = ("phone", "email", "website")


def sector_key(text: str) -> str:
    """How sectors are stored and compared: lower case, single spaces ("Horeca  en Recreatie")."""
    return " ".join(text.lower().split())
