"""The two-stage fallback, run as Rasa runs it: a real Tracker and dispatcher."""

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionClarify
from bot.topics import likely_topics, read_labels


def user_event(text: str, intent: str, ranking: list[dict] | None = None) -> dict:
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.3},
        "intent_ranking": ranking or [],
        "entities": [],
    }
    return {"event": "user", "text": text, "parse_data": parse}


def run(events: list[dict]) -> CollectingDispatcher:
    latest = events[-1]["parse_data"]
    tracker = Tracker("u1", {}, latest, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionClarify().run(dispatcher, tracker, {}))
    return dispatcher


RANKING = [
    {"name": "nlu_fallback", "confidence": 0.55},
    {"name": "ask_financing", "confidence": 0.31},
    {"name": "out_of_scope", "confidence": 0.2},
    {"name": "ask_crisis_help", "confidence": 0.15},
    {"name": "greet", "confidence": 0.1},
]


def test_first_miss_offers_the_likeliest_topics_as_buttons():
    dispatcher = run([user_event("geld tekort ofzo", "nlu_fallback", RANKING)])
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_rephrase"
    payloads = [button["payload"] for button in message["buttons"]]
    assert payloads[:2] == ["/ask_financing", "/ask_crisis_help"]
    assert "/greet" not in payloads and "/out_of_scope" not in payloads
    assert payloads[-1] == "/help"


def test_second_miss_in_a_row_offers_an_advisor():
    dispatcher = run([user_event("blub", "nlu_fallback"), user_event("plok", "nlu_fallback", RANKING)])
    [message] = dispatcher.messages
    assert message["response"] == "utter_offer_advisor"


def test_a_miss_after_an_understood_message_is_a_first_miss_again():
    events = [
        user_event("blub", "nlu_fallback"),
        user_event("export", "ask_export"),
        user_event("plok", "nlu_fallback"),
    ]
    assert run(events).messages[0]["response"] == "utter_ask_rephrase"


def test_without_topic_guesses_the_defaults_fill_in():
    assert likely_topics([{"name": "greet"}]) == ["ask_start", "ask_financing", "request_advisor"]


def test_the_buttons_carry_the_labels_of_content_topics_yml():
    dispatcher = run([user_event("geld tekort ofzo", "nlu_fallback", RANKING)])
    titles = [button["title"] for button in dispatcher.messages[0]["buttons"]]
    assert titles[:2] == ["Financiering", "Acute geldzorgen"]
    assert titles[-1] == "Iets anders"


def test_a_topics_file_without_a_label_for_every_topic_is_refused(tmp_path):
    path = tmp_path / "topics.yml"
    path.write_text("labels:\n  ask_start: Starten\nother: Iets anders\n", encoding="utf-8")
    with pytest.raises(ValueError, match="ask_growth"):
        read_labels(path)
