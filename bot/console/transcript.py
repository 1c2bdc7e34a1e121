"""A conversation as advisors read it: user messages with intent, confidence and
entities; the assistant's replies with their buttons; the slots set along the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.console.tracker import conversation_events
from bot.settings import Settings

# Slots that only steer the dialogue; not worth showing an advisor.
HIDDEN_SLOTS = frozenset(
    {"requested_slot", "form_misses", "booking_outcome", "rating_outcome", "session_started_metadata"}
)


@dataclass
class Turn:
    at: datetime
    who: str  # "user" | "bot"
    text: str
    intent: str | None = None
    confidence: float | None = None
    entities: list[dict] = field(default_factory=list)
    buttons: list[dict] = field(default_factory=list)
    slots: list[tuple[str, object]] = field(default_factory=list)  # set after this turn

    def as_json(self) -> dict:
        item: dict = {"at": self.at.isoformat(), "who": self.who, "text": self.text}
        if self.who == "user":
            item.update(intent=self.intent, confidence=self.confidence, entities=self.entities)
        else:
            item["buttons"] = self.buttons
        if self.slots:
            item["slots"] = dict(self.slots)
        return item


def transcript(settings: Settings, sender_id: str) -> list[Turn]:
    turns: list[Turn] = []
    for event in conversation_events(settings.tracker_store_url, sender_id):
        data = event.data
        if event.type_name == "user":
            parse = data.get("parse_data") or {}
            intent = parse.get("intent") or {}
            turns.append(
                Turn(
                    at=event.at,
                    who="user",
                    text=str(data.get("text") or ""),
                    intent=intent.get("name"),
                    confidence=intent.get("confidence"),
                    entities=[
                        {"entity": e.get("entity"), "value": e.get("value")}
                        for e in parse.get("entities") or []
                        if isinstance(e, dict)
                    ],
                )
            )
        elif event.type_name == "bot":
            buttons = (data.get("data") or {}).get("buttons") or []
            turns.append(
                Turn(
                    at=event.at,
                    who="bot",
                    text=str(data.get("text") or ""),
                    buttons=[
                        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
                        for b in buttons
                        if isinstance(b, dict)
                    ],
                )
            )
        elif (
            event.type_name == "slot"
            and turns
            and data.get("name") not in HIDDEN_SLOTS
            and data.get("value") is not None
        ):
            turns[-1].slots.append((str(data.get("name")), data.get("value")))
    return turns
