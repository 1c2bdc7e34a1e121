"""Writes data/nlu/places.yml from content/places.yml.

Every village of Drenthe maps to its municipality (a synonym), and all names form
the `municipality` lookup table that the RegexFeaturizer uses. content/places.yml
is the one source; a unit test fails when the generated file is out of date.
Run: .venv/bin/python scripts/generate_places_nlu.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.places import spellings

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "content" / "places.yml"
TARGET = ROOT / "data" / "nlu" / "places.yml"


def render(places: dict[str, list[str]]) -> str:
    lines = [
        "# Generated from content/places.yml by scripts/generate_places_nlu.py; do not edit.",
        'version: "3.1"',
        "",
        "nlu:",
    ]
    lookup: list[str] = []
    for municipality, villages in places.items():
        variants = spellings(municipality)
        for village in villages:
            variants += spellings(village)
        lookup += [municipality, *list(villages)]
        lines.append(f"  - synonym: {municipality}")
        lines.append("    examples: |")
        lines += [f"      - {variant}" for variant in variants]
        lines.append("")
    lines.append("  - lookup: municipality")
    lines.append("    examples: |")
    lines += [f"      - {name}" for name in lookup]
    return "\n".join(lines) + "\n"


def generated() -> str:
    data = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    return render(data["municipalities"])


if __name__ == "__main__":
    TARGET.write_text(generated(), encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)} bijgewerkt", file=sys.stderr)
