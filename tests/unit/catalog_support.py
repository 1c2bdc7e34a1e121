"""Shared helpers for the catalog tests: small content files, trackers, rendering."""

from __future__ import annotations

import asyncio
import shutil
import textwrap
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"

INSTRUMENTS = """\
instruments:
  - id: tafel
    name: Ondernemerstafel
    owner: Ik Ben Drents Ondernemer
    kind: own
    topics:
      - growth
    lead_for: [growth]
    target_groups: [zzp, small, larger]
    offer: Ondernemers denken mee over uw groeivraag.
    for_whom: Voor ondernemers die willen groeien.
    next_step: Bel de vraagbaak op {phone}.
    reviewed_on: 2026-11-20
"""

SCHEMES = """\
schemes:
  - id: tozo
    name: Tozo
    full_name: Tijdelijke overbruggingsregeling zelfstandig ondernemers
    agency: uw gemeente
    aliases: [tozo-lening]
    what_it_was: Inkomenssteun voor zelfstandigen.
    closed_on: 2021-10-01
    follow_up_now: De gemeente controleert achteraf.
    link: https://ondernemersplein.kvk.nl
    reviewed_on: 2026-11-20
"""

EVENTS = """\
events:
  - id: webinar
    title: Webinar financiering
    starts_at: 2026-12-03 19:30
    ends_at: 2026-12-03 20:45
    online: true
    topic: financing
    organiser: Ik Ben Drents Ondernemer met partners
    signup_link: "{website}"
"""

PROGRAM = """\
facts:
  - key: what
    text: Het programma helpt ondernemers in Drenthe.
topic_keywords:
  export: [export]
"""

PLACES = """\
municipalities:
  Midden-Drenthe: [Beilen, Westerbork]
  Borger-Odoorn: [Tweede Exloërmond]
"""


def write_content(folder: Path, **files: str) -> Path:
    """A content folder with the small valid files, some replaced by `files`
    (keys: instruments, schemes, events, program, places)."""
    folder.mkdir(parents=True, exist_ok=True)
    defaults = {
        "instruments": INSTRUMENTS,
        "schemes": SCHEMES,
        "events": EVENTS,
        "program": PROGRAM,
        "places": PLACES,
    }
    defaults.update(files)
    for name, text in defaults.items():
        (folder / f"{name}.yml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def copy_real_content(folder: Path) -> Path:
    shutil.copytree(CONTENT, folder)
    return folder


def line_of(text: str, marker: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing `marker`."""
    seen = 0
    for number, line in enumerate(textwrap.dedent(text).splitlines(), start=1):
        if marker in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{marker!r} not in text")


def tracker(
    intent: str,
    text: str = "",
    entities: Iterable[tuple[str, str]] = (),
    slots: dict[str, Any] | None = None,
) -> Tracker:
    latest = {
        "intent": {"name": intent, "confidence": 0.95},
        "entities": [{"entity": name, "value": value} for name, value in entities],
        "text": text,
    }
    events = [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker("catalog-test", dict(slots or {}), latest, events, False, None, {}, "action_listen")


def run_action(action, track: Tracker) -> tuple[CollectingDispatcher, list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, track, {}))
    return dispatcher, events


@lru_cache(maxsize=1)
def _responses() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]


def render(messages: list[dict]) -> list[dict]:
    """The messages as Rasa sends them: responses filled in from domain.yml with
    the values the action passed along, action-made buttons appended."""
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.trackers import DialogueStateTracker

    generator = TemplatedNaturalLanguageGenerator(_responses())
    state = DialogueStateTracker("catalog-test", [])
    rendered = []
    for message in messages:
        message = dict(message)
        name = message.pop("response", None)
        message.pop("template", None)
        if name:
            assert name in _responses(), f"{name} is not a response in domain.yml"
            draft = asyncio.run(generator.generate(name, state, "rest", **message)) or {}
        else:
            draft = {}
        buttons = list(draft.get("buttons") or []) + list(message.get("buttons") or [])
        text = message.get("text") or draft.get("text") or ""
        assert "{" not in text, f"unfilled placeholder in {text!r}"
        rendered.append({"text": text, "buttons": buttons, "response": name})
    return rendered


def all_text(messages: list[dict]) -> str:
    return "\n".join(message["text"] for message in render(messages))
