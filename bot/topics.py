"""The help desk's topics: which intent asks about which topic, and the button label
people see for it (content/topics.yml, Dutch).

Used by the fallback (buttons with the likeliest topics), by the catalog (topic of
a question) and by the advisors' reports (topics of a conversation).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.settings import PROJECT_ROOT

TOPICS_FILE = PROJECT_ROOT / "content" / "topics.yml"

# intent -> catalog topic
TOPIC_INTENTS: dict[str, str] = {
    "ask_start": "start",
    "ask_growth": "growth",
    "ask_innovation": "innovation",
    "ask_export": "export",
    "ask_financing": "financing",
    "ask_corona_scheme": "corona",
    "ask_crisis_help": "crisis",
    "ask_digitalisation": "digitalisation",
    "ask_events": "events",
    "ask_students": "students",
    "ask_contact": "contact",
    "ask_about_program": "program",
    "request_advisor": "advisor",
}

# Offered when the classifier has no topic among its best guesses.
DEFAULT_SUGGESTIONS = ("ask_start", "ask_financing", "request_advisor")


@dataclass(frozen=True)
class TopicLabels:
    """The button labels: one per topic intent, and the one for "something else"."""

    by_intent: dict[str, str]
    other: str


def read_labels(path: Path) -> TopicLabels:
    """The labels in `path`; ValueError naming what is missing or not text."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    labels = data.get("labels") or {}
    missing = [intent for intent in TOPIC_INTENTS if not isinstance(labels.get(intent), str)]
    unknown = [intent for intent in labels if intent not in TOPIC_INTENTS]
    other = data.get("other")
    if missing or unknown or not isinstance(other, str):
        raise ValueError(
            f"{path}: every topic intent needs a label and 'other' a text "
            f"(missing: {missing or '-'}, unknown: {unknown or '-'}, other: {other!r})"
        )
    return TopicLabels(
        by_intent={intent: labels[intent].strip() for intent in TOPIC_INTENTS}, other=other.strip()
    )


@lru_cache(maxsize=1)
def labels() -> TopicLabels:
    return read_labels(TOPICS_FILE)


def topic_of(intent: str | None) -> str | None:
    return TOPIC_INTENTS.get(intent or "")


def label_of(intent: str) -> str:
    return labels().by_intent[intent]


def other_label() -> str:
    """The label of the button for a question that is none of the topics offered."""
    return labels().other


def likely_topics(ranking: list[dict], limit: int = 3) -> list[str]:
    """The topic intents among the classifier's ranking, best first."""
    names = [item.get("name") for item in ranking]
    found = list(dict.fromkeys(name for name in names if isinstance(name, str) and name in TOPIC_INTENTS))
    found = found[:limit]
    for intent in DEFAULT_SUGGESTIONS:
        if len(found) >= limit:
            break
        if intent not in found:
            found.append(intent)
    return found
