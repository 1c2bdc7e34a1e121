"""The fixed values that catalog content may use (contract §4 and issue 3)."""

from __future__ import annotations

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

# Placeholders allowed in content texts, filled from settings when answering.
PLACEHOLDERS: tuple[str, ...] = ("phone", "email", "website")
