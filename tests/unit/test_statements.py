"""Statements without a question ("ik heb een camping in Dwingeloo en wil meer gasten"),
answered by action_answer_inform as the action server runs it: a real rasa_sdk Tracker
and CollectingDispatcher, the real content in a real SQLite database, responses rendered
from domain.yml."""

from __future__ import annotations

from typing import Any

import pytest
from catalog_support import all_text, render, run_action
from rasa_sdk import Tracker

from actions.catalog import ActionAnswerInform
from bot.catalog.content import load_content

CAMPING = "Ik heb een camping in Dwingeloo en wil meer gasten"


@pytest.fixture
def catalog(database_url, configure):
    settings = configure(HELPDESK_PHONE="0592 99 88 77 (test)", LOKET_FAKE_NOW="2026-11-27T12:00:00+01:00")
    load_content(settings=settings)
    return settings


def entity(text: str, name: str, typed: str, value: str) -> dict[str, Any]:
    """An entity as DIET and the synonym mapper give it: the mapped value, the typed span."""
    start = text.index(typed)
    return {"entity": name, "value": value, "start": start, "end": start + len(typed)}


def statement(
    text: str,
    entities: list[dict[str, Any]],
    ranking: list[dict[str, Any]] | None = None,
    slots: dict[str, Any] | None = None,
) -> Tracker:
    ranking = ranking or [{"name": "inform", "confidence": 0.9}]
    parse = {"text": text, "intent": ranking[0], "intent_ranking": ranking, "entities": entities}
    events = [{"event": "user", "text": text, "parse_data": parse}]
    return Tracker("statement-test", dict(slots or {}), parse, events, False, None, {}, "action_listen")


def responses(dispatcher) -> list:
    return [message.get("response") for message in dispatcher.messages]


def slots_set(events) -> dict:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def camping_statement(ranking) -> Tracker:
    entities = [
        entity(CAMPING, "sector", "camping", "camping"),
        entity(CAMPING, "municipality", "Dwingeloo", "Westerveld"),
    ]
    return statement(CAMPING, entities, ranking)


def test_a_statement_with_details_gets_a_growth_answer_that_says_what_was_heard(catalog):
    ranking = [
        {"name": "inform", "confidence": 0.62},
        {"name": "ask_growth", "confidence": 0.2},
        {"name": "ask_start", "confidence": 0.08},
    ]
    dispatcher, events = run_action(ActionAnswerInform(), camping_statement(ranking))
    rendered = render(dispatcher.messages)
    assert rendered[0]["response"] == "utter_catalog_intro_sector_place"
    assert rendered[0]["text"] == "Voor uw bedrijf (camping) in Dwingeloo past dit goed:"
    text = all_text(dispatcher.messages)
    assert "Groeicarrousel" in text and "Ondernemerstafel" in text
    assert "utter_catalog_noted" not in responses(dispatcher)
    assert slots_set(events)["last_topic"] == "growth"


def test_a_runner_up_topic_below_the_bar_does_not_decide_the_answer(catalog):
    text = "Ik heb een camping in Dwingeloo"  # details, no wish: nothing says what it is about
    ranking = [{"name": "inform", "confidence": 0.9}, {"name": "ask_growth", "confidence": 0.05}]
    entities = [
        entity(text, "sector", "camping", "camping"),
        entity(text, "municipality", "Dwingeloo", "Westerveld"),
    ]
    dispatcher, events = run_action(ActionAnswerInform(), statement(text, entities, ranking))
    assert responses(dispatcher) == ["utter_catalog_noted"]
    assert "last_topic" not in slots_set(events)


def test_a_bare_detail_without_an_earlier_topic_is_noted(catalog):
    text = "ik zit in Emmen"
    dispatcher, events = run_action(
        ActionAnswerInform(), statement(text, [entity(text, "municipality", "Emmen", "Emmen")])
    )
    assert responses(dispatcher) == ["utter_catalog_noted"]
    assert events == []


def test_a_detail_after_an_export_answer_answers_export_for_that_detail(catalog):
    text = "ik zit in Emmen"
    track = statement(text, [entity(text, "municipality", "Emmen", "Emmen")], slots={"last_topic": "export"})
    dispatcher, events = run_action(ActionAnswerInform(), track)
    rendered = render(dispatcher.messages)
    assert rendered[0]["response"] == "utter_catalog_intro_place"
    assert rendered[0]["text"] == "Voor ondernemers in Emmen past dit goed:"
    assert "Exportcarrousel" in all_text(dispatcher.messages)
    assert slots_set(events)["last_topic"] == "export"


def test_a_statement_with_a_wish_but_no_topic_intent_is_answered_from_its_words(catalog):
    """The classifier saw only a detail, no topic; "meer gasten" still says it is about growth."""
    text = "Wij hebben een camping en willen graag meer gasten trekken"
    ranking = [{"name": "inform", "confidence": 0.9}, {"name": "ask_growth", "confidence": 0.02}]
    dispatcher, events = run_action(ActionAnswerInform(), statement(text, [], ranking))
    assert "Groeicarrousel" in all_text(dispatcher.messages)
    assert "utter_catalog_noted" not in responses(dispatcher)
    assert slots_set(events)["last_topic"] == "growth"
