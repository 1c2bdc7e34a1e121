"""The help desk's topics: which intent asks about which topic, and its short label.

Used by the fallback (buttons with the likeliest topics), by the catalog (topic of
a question) and by the advisors' reports (topics of a conversation).
"""

from __future__ import annotations

# intent -> (catalog topic, button label)
TOPIC_INTENTS: dict[str, tuple[str, str]] = {
    "ask_start": ("start", "Een bedrijf starten"),
    "ask_growth": ("growth", "Groeien"),
    "ask_innovation": ("innovation", "Innoveren"),
    "ask_export": ("export", "Exporteren"),
    "ask_financing": ("financing", "Financiering"),
    "ask_corona_scheme": ("corona", "Coronaregelingen"),
    "ask_crisis_help": ("crisis", "Acute geldzorgen"),
    "ask_digitalisation": ("digitalisation", "Online verkopen"),
    "ask_events": ("events", "Bijeenkomsten"),
    "ask_students": ("students", "Studenten inzetten"),
    "ask_contact": ("contact", "Contact en openingstijden"),
    "ask_about_program": ("program", "Over het programma"),
    "request_advisor": ("advisor", "Een adviseur spreken"),
}

# Offered when the classifier has no topic among its best guesses.
DEFAULT_SUGGESTIONS = ("ask_start", "ask_financing", "request_advisor")


def topic_of(intent: str | None) -> str | None:
    entry = TOPIC_INTENTS.get(intent or "")
    return entry[0] if entry else None


def label_of(intent: str) -> str:
    return TOPIC_INTENTS[intent][1]


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
