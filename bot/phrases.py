"""Conversational phrases that actions send, from content/phrases.yml.

Advisors can reword them without retraining. A phrase is looked up by key and its
{placeholders} are filled in; a missing key or placeholder raises, so a typo in
the file is caught by the tests rather than shown to a user.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT

PHRASES_FILE = PROJECT_ROOT / "content" / "phrases.yml"


@lru_cache(maxsize=4)
def load_phrases(path: Path = PHRASES_FILE) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    bad = [key for key, value in data.items() if not isinstance(value, str) or not value.strip()]
    if bad:
        raise ValueError(f"{path}: lege of ongeldige zinnen: {', '.join(bad)}")
    return data


def phrase(key: str, **values: object) -> str:
    return load_phrases()[key].format(**values)
