"""The inbox that teaches the assistant: uncertain and fallback messages collected from
the tracker store, grouped by normalised text, confirmed or corrected by an advisor,
exported as Rasa 3.x NLU YAML without duplicates and without personal data."""

from __future__ import annotations

import re

import pytest
import yaml
from console_support import (
    Conversations,
    action,
    add_account,
    bot,
    client,
    console_settings,
    csrf_in,
    log_in,
    must_find,
    sample_conversations,
    start,
    user,
)

from bot.console import inbox
from bot.console.models import InboxMessage
from bot.db import session_scope


@pytest.fixture
def desk(database_url, tmp_path):
    tracker = tmp_path / "tracker.db"
    conversations = Conversations(tracker)
    sample_conversations(conversations)
    conversations.add(
        "gesprek-tvl",
        *start("2026-12-01T19:00:00"),
        user("Hoe zit het met díe TVL-dinges??", "ask_corona_scheme", 0.58, "2026-12-01T19:00:05"),
        bot("De TVL is gesloten.", "2026-12-01T19:00:06"),
        # Already a training example in data/nlu/start.yml.
        user("eigen bedrijf starten", "ask_start", 0.52, "2026-12-01T19:01:00"),
        bot("Begin bij de KVK.", "2026-12-01T19:01:01"),
        user(
            "mail mij op jan@bakkerij.example.org of bel 06-12345678 over een lening",
            "inform",
            0.4,
            "2026-12-01T19:02:00",
        ),
        action("action_clarify", "2026-12-01T19:02:01"),
        bot("Bedoelt u een van deze onderwerpen?", "2026-12-01T19:02:01"),
        user("dank je", "thank", 0.97, "2026-12-01T19:03:00"),
    )
    add_account(database_url, "anna@vraagbaak.example.org")
    return {"settings": console_settings(database_url, tracker), "db": database_url}


def groups_on(html: str) -> list[tuple[str, int]]:
    return [
        (text, int(count))
        for text, count in re.findall(
            r'<p class="text" id="tekst-\d+">“(.*?)”</p>\s*<p class="meta">(\d+) keer', html
        )
    ]


def decide(http, html: str, example: str, intent: str | None) -> None:
    item = must_find(r'id="tekst-(\d+)">“' + re.escape(example), html).group(1)
    data = {
        "csrf_token": csrf_in(html),
        "intent": intent or "",
        "action": "verwijderen" if intent is None else "vastleggen",
    }
    assert http.post(f"/console/inbox/{item}", data=data).status_code == 303


def test_collected_and_grouped_biggest_first(desk):
    http = client(desk["settings"])
    log_in(http, "anna@vraagbaak.example.org")
    page = http.get("/console/inbox")
    groups = groups_on(page.text)
    assert groups[0] == ("hoe zit het met die tvl dinges", 2)
    texts = {text for text, _ in groups}
    assert "blabla &lt;script&gt;alert(1)&lt;/script&gt;" in texts  # fallback, shown as text
    assert any(text.startswith("mail mij op") for text in texts)  # fallback through action_clarify
    assert "dank je" not in texts and "Ik wil naar Duitsland exporteren" not in texts  # confident
    assert "<script>alert(1)" not in page.text
    with session_scope(desk["db"]) as session:
        fallback = session.query(InboxMessage).filter(InboxMessage.text.like("blabla%")).one()
        assert fallback.reason == inbox.FALLBACK and fallback.predicted_intent == "ask_growth"
    assert 'href="/console/inbox"' in page.text and '<span class="count">5' in page.text


def test_correct_confirm_delete_and_export(desk):
    http = client(desk["settings"])
    log_in(http, "anna@vraagbaak.example.org")
    page = http.get("/console/inbox").text
    decide(http, page, "hoe zit het met die tvl dinges", "ask_corona_scheme")  # confirm
    page = http.get("/console/inbox").text
    decide(http, page, "mail mij op", "ask_financing")  # correct
    page = http.get("/console/inbox").text
    decide(http, page, "eigen bedrijf starten", "ask_start")
    page = http.get("/console/inbox").text
    decide(http, page, "blabla", None)  # delete
    page = http.get("/console/inbox").text
    assert [text for text, _ in groups_on(page)] == []
    assert must_find(r"<td>ask_corona_scheme</td><td>2</td>", page)
    assert must_find(r"<td>ask_financing</td><td>1</td>", page)

    response = http.post("/console/inbox/export", data={"csrf_token": csrf_in(page)})
    assert response.headers["content-disposition"].startswith("attachment")
    exported = yaml.safe_load(response.text)
    assert exported["version"] == "3.1"
    examples = {item["intent"]: item["examples"] for item in exported["nlu"]}
    assert set(examples) == {"ask_corona_scheme", "ask_financing"}  # ask_start's example is already there
    assert examples["ask_corona_scheme"].count("- ") == 1  # the two near-identical ones once
    assert "jan@" not in examples["ask_financing"] and "12345678" not in examples["ask_financing"]
    assert "- mail mij op of bel over een lening" in examples["ask_financing"]
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    training = RasaYAMLReader().reads(response.text)
    assert {m.get("intent") for m in training.intent_examples} == {"ask_corona_scheme", "ask_financing"}
    assert set(examples) <= set(inbox.domain_intents())
    # Exported once: the next export is empty, and the waiting counts are gone.
    page = http.get("/console/inbox").text
    assert "Nog niets vastgelegd" in page
    again = http.post("/console/inbox/export", data={"csrf_token": csrf_in(page)})
    assert yaml.safe_load(again.text)["nlu"] == []


def test_an_unknown_intent_is_refused(desk):
    http = client(desk["settings"])
    log_in(http, "anna@vraagbaak.example.org")
    page = http.get("/console/inbox").text
    item = must_find(r'id="tekst-(\d+)">“hoe zit het', page).group(1)
    response = http.post(
        f"/console/inbox/{item}",
        data={"csrf_token": csrf_in(page), "intent": "ask_weather", "action": "vastleggen"},
    )
    assert "Kies een intentie uit de lijst" in http.get(response.headers["location"]).text
    assert groups_on(http.get("/console/inbox").text)[0] == ("hoe zit het met die tvl dinges", 2)


def test_normalise_brings_near_identical_messages_together():
    assert inbox.normalise("Hoe zit het met díe TVL-dinges??") == inbox.normalise(
        "hoe zit het met die tvl dinges"
    )
    assert inbox.normalise("  Café  ") == "cafe"
