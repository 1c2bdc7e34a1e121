"""The inbox that teaches the assistant: user messages it was unsure about (confidence
below CONFIDENCE_THRESHOLD) or answered with a fallback, grouped by normalised text.
An advisor confirms or corrects the intent (or out of scope) or deletes a group; the
decided messages export as Rasa 3.x NLU YAML for data/nlu/, without examples that are
already there and without e-mail addresses or phone numbers."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.console.models import DECIDED, DELETED, WAITING, InboxMessage
from bot.console.privacy_masking import strip_personal
from bot.console.tracker import Event
from bot.db import utc_now
from bot.settings import PROJECT_ROOT

# Below this the message is worth a look (the FallbackClassifier in config.yml answers below 0.55).
CONFIDENCE_THRESHOLD = 0.7
LOW_CONFIDENCE = "low_confidence"
FALLBACK = "fallback"
NLU_DIR = PROJECT_ROOT / "data" / "nlu"
DOMAIN_FILE = PROJECT_ROOT / "domain.yml"

_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def normalise(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: near-identical messages meet."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w@+]+", " ", plain).split())[:500]


def collect(session: Session, event: Event, reason: str) -> None:
    """Put a user message in the inbox (once per event)."""
    text = str(event.data.get("text") or "").strip()
    if not text or text.startswith("/"):
        return
    if session.execute(select(InboxMessage.id).where(InboxMessage.event_id == event.id)).first():
        return
    for pending in session.new:
        if isinstance(pending, InboxMessage) and pending.event_id == event.id:
            return
    parse = event.data.get("parse_data") or {}
    intent = (parse.get("intent") or {}).get("name")
    confidence = (parse.get("intent") or {}).get("confidence")
    if intent == "nlu_fallback":
        # The classifier's own best guess is the first real intent in the ranking.
        ranking = [item for item in parse.get("intent_ranking") or [] if item.get("name") != "nlu_fallback"]
        if ranking:
            intent, confidence = ranking[0].get("name"), ranking[0].get("confidence")
    session.add(
        InboxMessage(
            event_id=event.id,
            sender_id=event.sender_id,
            text=text[:2000],
            normalised=normalise(text) or text[:500],
            predicted_intent=intent,
            confidence=float(confidence) if isinstance(confidence, (int, float)) else None,
            reason=reason,
            at=event.at,
            status=WAITING,
        )
    )


@dataclass(frozen=True)
class Group:
    normalised: str
    count: int
    example: str
    predicted_intent: str | None
    confidence: float | None
    first_id: int


def waiting_groups(session: Session, limit: int = 100) -> list[Group]:
    """Groups of waiting messages, biggest first."""
    rows = session.execute(
        select(InboxMessage.normalised, func.count(), func.min(InboxMessage.id))
        .where(InboxMessage.status == WAITING)
        .group_by(InboxMessage.normalised)
        .order_by(func.count().desc(), func.min(InboxMessage.id))
        .limit(limit)
    ).all()
    groups = []
    for normalised, count, first_id in rows:
        first = session.get(InboxMessage, first_id)
        groups.append(
            Group(normalised, count, first.text, first.predicted_intent, first.confidence, first_id)
        )
    return groups


def decide(session: Session, first_id: int, intent: str | None, advisor: str, intents: list[str]) -> int:
    """Confirm or correct the intent of the group of message `first_id` (None deletes it).
    Returns how many messages were decided."""
    first = session.get(InboxMessage, first_id)
    if first is None:
        return 0
    if intent is not None and intent not in intents:
        raise ValueError(f"unknown intent {intent!r}")
    return session.execute(
        update(InboxMessage)
        .where(InboxMessage.status == WAITING, InboxMessage.normalised == first.normalised)
        .values(
            status=DECIDED if intent else DELETED,
            intent=intent,
            decided_by=advisor,
            decided_at=utc_now(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount


def waiting_per_intent(session: Session) -> list[tuple[str, int]]:
    """Decided messages not exported yet, per intent."""
    return [
        (intent, count)
        for intent, count in session.execute(
            select(InboxMessage.intent, func.count())
            .where(InboxMessage.status == DECIDED, InboxMessage.exported_at.is_(None))
            .group_by(InboxMessage.intent)
            .order_by(func.count().desc(), InboxMessage.intent)
        ).all()
    ]


def domain_intents(domain_file: Path = DOMAIN_FILE) -> list[str]:
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8"))
    return [item if isinstance(item, str) else next(iter(item)) for item in domain.get("intents", [])]


def existing_examples(nlu_dir: Path = NLU_DIR) -> set[str]:
    """Every training example under data/nlu/, normalised and without entity annotations."""
    found: set[str] = set()
    for path in sorted(nlu_dir.glob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in content.get("nlu") or []:
            examples = item.get("examples") if isinstance(item, dict) else None
            if not isinstance(examples, str):
                continue
            for line in examples.splitlines():
                line = line.strip()
                if line.startswith("- "):
                    plain = _ANNOTATION.sub(lambda m: m.group(1) or m.group(2) or "", line[2:])
                    found.add(normalise(plain))
    return found


@dataclass(frozen=True)
class Export:
    yaml_text: str
    examples: int
    skipped_existing: int


def export_nlu(session: Session, nlu_dir: Path = NLU_DIR, mark: bool = True) -> Export:
    """The decided, not yet exported messages as Rasa 3.x NLU YAML; marks them exported."""
    known = existing_examples(nlu_dir)
    rows = list(
        session.execute(
            select(InboxMessage)
            .where(InboxMessage.status == DECIDED, InboxMessage.exported_at.is_(None))
            .order_by(InboxMessage.intent, InboxMessage.id)
        ).scalars()
    )
    per_intent: dict[str, list[str]] = {}
    seen: set[str] = set()
    skipped = 0
    for row in rows:
        text = strip_personal(row.text)
        key = normalise(text)
        if not key or key in seen:
            continue
        if key in known:
            skipped += 1
            continue
        seen.add(key)
        per_intent.setdefault(row.intent, []).append(_example_line(text))
    now = utc_now()
    if mark:
        for row in rows:
            row.exported_at = now
    lines = ['version: "3.1"', "nlu:" if per_intent else "nlu: []"]
    for intent in sorted(per_intent):
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {example}" for example in per_intent[intent])
    count = sum(len(examples) for examples in per_intent.values())
    return Export("\n".join(lines) + "\n", count, skipped)


def _example_line(text: str) -> str:
    # Square brackets and braces would read as entity annotations; one line per example.
    return " ".join(text.replace("[", "(").replace("]", ")").replace("{", "(").replace("}", ")").split())


def reason_label(reason: str) -> str:
    return "terugval" if reason == FALLBACK else "onzeker"


def counts_by_status(session: Session) -> Counter:
    return Counter(
        dict(session.execute(select(InboxMessage.status, func.count()).group_by(InboxMessage.status)).all())
    )
