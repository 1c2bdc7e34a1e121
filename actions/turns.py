"""Reading the conversation: what the user said in this turn and before.

One place for the tracker look-ups every action needs (the latest message and its
intent, entities typed in it, earlier user turns, what the bot said), so the actions
agree on what a "question", a "button" or an "earlier value" is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker

FALLBACK_INTENT = "nlu_fallback"

# Words that open a Dutch question ("Kan ik …", "Wat kost …").
_QUESTION_OPENERS = frozenset(
    [
        "wat",
        "wie",
        "wiens",
        "waar",
        "waarom",
        "wanneer",
        "waarheen",
        "waarvoor",
        "waarmee",
        "hoe",
        "hoeveel",
        "hoelang",
        "welke",
        "welk",
        "kan",
        "kun",
        "kunt",
        "kunnen",
        "mag",
        "mogen",
        "moet",
        "moeten",
        "is",
        "zijn",
        "ben",
        "bent",
        "heb",
        "hebt",
        "heeft",
        "hebben",
        "wordt",
        "worden",
        "zou",
        "zouden",
        "weet",
        "weten",
        "bestaat",
        "bestaan",
        "doe",
        "doet",
        "doen",
        "werkt",
        "werken",
        "geldt",
        "gelden",
        "gaat",
        "gaan",
        "krijg",
        "krijgt",
        "krijgen",
        "valt",
        "vallen",
        "klopt",
    ]
)
_QUESTION_PHRASES = re.compile(
    r"^(ik wil (graag )?weten|ik vraag me af|weet u|weet jij|weet je|vertel (eens|me)|leg (eens )?uit|"
    r"graag info|ik heb een vraag|vraagje)\b"
)


@dataclass(frozen=True)
class Turn:
    """The latest user message as the actions need it."""

    text: str
    intent: str | None
    confidence: float
    entities: list[dict[str, Any]] = field(default_factory=list)

    @property
    def is_payload(self) -> bool:
        """A button's payload ("/request_advisor", '/inform{"employees": "1"}'), not typed text."""
        return self.text.startswith("/")

    @property
    def payload_entities(self) -> dict[str, Any]:
        """The entities written in a payload: '/inform{"rating": 8}' -> {"rating": 8}."""
        if not self.is_payload or "{" not in self.text:
            return {}
        try:
            values = json.loads(self.text[self.text.index("{") :])
        except ValueError:
            return {}
        return values if isinstance(values, dict) else {}

    @property
    def words(self) -> list[str]:
        return re.findall(r"[\w'’@.-]+", self.text.lower())

    @property
    def is_question(self) -> bool:
        """Shaped like a question: ends with "?" or opens as Dutch questions do."""
        if self.is_payload:
            return False
        lowered = " ".join(self.text.lower().split())
        if lowered.rstrip().endswith("?"):
            return True
        words = self.words
        if len(words) >= 2 and words[0] in _QUESTION_OPENERS:
            return True
        return bool(_QUESTION_PHRASES.match(lowered))

    def entity(self, name: str) -> Any:
        """The (synonym-mapped) value of the first `name` entity in the message."""
        return next((found.get("value") for found in self.entities if found.get("entity") == name), None)

    def typed(self, name: str) -> str | None:
        """The words typed for an entity, before synonym mapping ("Beilen", not "Midden-Drenthe")."""
        for found in self.entities:
            start, end = found.get("start"), found.get("end")
            if found.get("entity") == name and isinstance(start, int) and isinstance(end, int):
                words = self.text[start:end].strip()
                if words:
                    return words
        return None


def latest_turn(tracker: Tracker) -> Turn:
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    confidence = intent.get("confidence")
    return Turn(
        text=(message.get("text") or "").strip(),
        intent=intent.get("name"),
        confidence=float(confidence) if isinstance(confidence, (int, float)) else 0.0,
        entities=list(message.get("entities") or []),
    )


def user_turns(tracker: Tracker) -> list[dict[str, Any]]:
    return [event for event in tracker.events if event.get("event") == "user"]


def intent_of(turn: dict[str, Any]) -> str | None:
    return ((turn.get("parse_data") or {}).get("intent") or {}).get("name")


def _events_after_latest(tracker: Tracker, kind: str) -> list[dict[str, Any]]:
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == kind:
            return events[index + 1 :]
    return events


def events_of_this_session(tracker: Tracker) -> list[dict[str, Any]]:
    """The events since the latest session start."""
    return _events_after_latest(tracker, "session_started")


def events_of_this_turn(tracker: Tracker) -> list[dict[str, Any]]:
    """The events after the latest user message (what the bot did in reply so far)."""
    return _events_after_latest(tracker, "user")


def bot_texts(events: list[dict[str, Any]]) -> list[str]:
    return [event.get("text") or "" for event in events if event.get("event") == "bot"]


def slot_before_this_turn(tracker: Tracker, name: str) -> Any:
    """The value a slot had before the latest user message (undoing this turn's extraction)."""
    value = None
    latest = _latest_user_event(tracker)  # once: this runs for every slot of every form turn
    for event in tracker.events:
        if event is latest:
            break
        if event.get("event") == "slot" and event.get("name") == name:
            value = event.get("value")
        elif event.get("event") in ("restart", "reset_slots"):
            value = None
    return value


def _latest_user_event(tracker: Tracker) -> dict[str, Any] | None:
    turns = user_turns(tracker)
    return turns[-1] if turns else None


def as_text(value: Any) -> str | None:
    """A slot value as text: numbers become digits, anything else that isn't text is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value if isinstance(value, str) else None


def entity_or_slot(tracker: Tracker, name: str) -> Any:
    """The value in the latest message (the newest word) or else the slot."""
    values = list(tracker.get_latest_entity_values(name))
    if values:
        return values[0]
    return tracker.get_slot(name)
