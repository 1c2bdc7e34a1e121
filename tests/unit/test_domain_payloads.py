"""Button payloads with entities in domain.yml's responses (`/inform{"employees": "1"}`).

Rasa fills `{slot}` placeholders in every text of a response, button payloads included.
A payload's own JSON braces must therefore be written doubled in domain.yml; a single
`{"employees": "1"}` is taken for a slot named `"employees": "1"`, and every time the
response is sent Rasa logs an error with all slot values and a traceback (hundreds per
minute under load). These tests render every response as Rasa does and check that each
payload comes out as a valid payload, without Rasa's error path."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
import yaml
from rasa.core.nlg import TemplatedNaturalLanguageGenerator, interpolator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

DOMAIN = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text(encoding="utf-8"))
PAYLOAD = re.compile(r"^/(?P<intent>[a-z_]+)(?P<entities>\{.*\})?$")
SLOTS = Domain.load(str(Path(__file__).resolve().parents[2] / "domain.yml")).slots
WITH_BUTTONS = sorted(
    name for name, variants in DOMAIN["responses"].items() if any(v.get("buttons") for v in variants)
)


def test_some_responses_carry_entity_payloads() -> None:
    payloads = [
        button["payload"]
        for variants in DOMAIN["responses"].values()
        for variant in variants
        for button in variant.get("buttons") or []
    ]
    assert sum("{" in payload for payload in payloads) >= 10


@pytest.mark.parametrize("name", WITH_BUTTONS)
def test_each_payload_is_sent_as_written_without_rasas_error_path(name, monkeypatch) -> None:
    failures = []
    monkeypatch.setattr(interpolator.structlogger, "exception", lambda *a, **k: failures.append(k))
    generator = TemplatedNaturalLanguageGenerator(DOMAIN["responses"])
    # With the domain's slots, as in the running bot: Rasa only fills in when it has values.
    tracker = DialogueStateTracker("payloads", SLOTS)
    # The values an action passes for the text's own placeholders ({helpdesk_phone}, {day} …).
    texts = " ".join(variant.get("text", "") for variant in DOMAIN["responses"][name])
    values = dict.fromkeys(re.findall(r"(?<!\{)\{([a-z_]+)\}", texts), "x")
    message = asyncio.run(generator.generate(name, tracker, "rest", **values))
    assert failures == []
    for button in message["buttons"]:
        parsed = PAYLOAD.match(button["payload"])
        assert parsed, button["payload"]
        if parsed["entities"]:
            assert isinstance(json.loads(parsed["entities"]), dict)
