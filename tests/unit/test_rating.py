"""The rating at the end of a case (actions/rating.py), run as the action server runs it:
real rasa_sdk Trackers and a CollectingDispatcher, responses checked against domain.yml.

A mark from 1 to 10 comes as a button payload or, only when it was asked, typed; it is
asked once per conversation; the optional comment after it may be skipped."""

from __future__ import annotations

import json

import pytest
from catalog_support import all_text, render
from form_support import form_tracker, responses, run, slot_values, tracker, user
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog import ActionAnswerInform
from actions.form_turns import SKIPPED
from actions.rating import (
    ActionGoodbye,
    ActionSubmitRating,
    ValidateRatingForm,
    goodbye,
    mark_in,
    take_rating,
)
from bot.catalog.content import load_content

MARK_PAYLOADS = [f'/inform{{"rating": {mark}}}' for mark in range(1, 11)]


@pytest.fixture
def catalog(database_url, configure):
    settings = configure(LOKET_FAKE_NOW="2026-11-27T12:00:00+01:00")
    load_content(settings=settings)
    return settings


def rating_payload(mark) -> dict:
    text = f"/inform{json.dumps({'rating': mark})}"
    return user("inform", text, [("rating", mark)], confidence=1.0)


def payloads(message: dict) -> list[str]:
    return [button["payload"] for button in message.get("buttons") or []]


def take(track):
    """take_rating as action_answer_inform calls it: (dispatcher, events or None)."""
    dispatcher = CollectingDispatcher()
    events = take_rating(dispatcher, track)
    return dispatcher, events


# --------------------------------------------------------------------------- reading a mark


@pytest.mark.parametrize(
    "value, mark",
    [
        (8, 8),
        (8.0, 8),
        ("8", 8),
        ("een 8", 8),
        ("8/10", 8),
        ("Ik geef een 9", 9),
        ("10 van de 10", 10),
        ("1", 1),
        ("11", None),
        ("0", None),
        (0, None),
        ("8,5", None),
        (8.5, None),
        ("goed", None),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_mark_in(value, mark):
    assert mark_in(value) == mark


# --------------------------------------------------------------------------- taking the mark


def test_a_mark_button_sets_the_rating_and_thanks():
    dispatcher, events = take(tracker([rating_payload(8)], {"rating_asked": True}))
    assert responses(dispatcher) == ["utter_rating_thanks"]
    values = slot_values(events)
    assert values["rating"] == 8 and values["rating_asked"] is True
    assert values["rating_comment"] is None


def test_a_mark_button_counts_even_when_the_question_was_not_recorded():
    dispatcher, events = take(tracker([rating_payload(6)]))
    assert responses(dispatcher) == ["utter_rating_thanks"]
    assert slot_values(events)["rating"] == 6


def test_an_out_of_range_mark_in_a_payload_asks_again_with_ten_buttons():
    dispatcher, events = take(tracker([rating_payload(15)], {"rating_asked": True}))
    [message] = dispatcher.messages
    assert message["response"] == "utter_invalid_rating"
    assert payloads(message) == MARK_PAYLOADS
    values = slot_values(events)
    assert values["rating"] is None and values["rating_asked"] is True


def test_a_typed_mark_counts_when_the_rating_was_asked():
    dispatcher, events = take(tracker([user("inform", "7")], {"rating_asked": True, "rating": None}))
    assert responses(dispatcher) == ["utter_rating_thanks"]
    assert slot_values(events)["rating"] == 7


@pytest.mark.parametrize(
    "slots",
    [
        {},  # never asked
        {"rating_asked": False, "rating": None},
        {"rating_asked": True, "rating": 9},  # already given
    ],
)
def test_a_typed_number_is_no_mark_unless_the_rating_is_awaited(slots):
    dispatcher, events = take(tracker([user("inform", "7")], slots))
    assert events is None and dispatcher.messages == []


def test_a_number_after_the_size_question_answers_the_topic_when_no_rating_is_awaited(catalog):
    track = tracker([user("inform", "7", [("employees", "7")])], {"pending_topic": "growth"})
    dispatcher, events = run(ActionAnswerInform(), track)
    assert "utter_rating_thanks" not in responses(dispatcher)
    assert "Groeicarrousel" in all_text(dispatcher.messages)
    values = slot_values(events)
    assert "rating" not in values and values["pending_topic"] is None


def test_a_number_answering_the_latest_size_question_is_the_size_not_a_mark(catalog):
    # goodbye asked the mark, the person asked about growth instead and got the size question
    slots = {"pending_topic": "growth", "rating_asked": True, "rating": None, "last_topic": "growth"}
    track = tracker([user("inform", "7", [("employees", "7")])], slots)
    dispatcher, events = run(ActionAnswerInform(), track)
    assert "utter_rating_thanks" not in responses(dispatcher)
    assert "Groeicarrousel" in all_text(dispatcher.messages)
    values = slot_values(events)
    assert "rating" not in values and values["pending_topic"] is None


# --------------------------------------------------------------------------- asking at goodbye


ANSWERED = [user("ask_growth", "ik wil mijn bedrijf laten groeien"), user("goodbye", "doei, bedankt")]


def test_goodbye_after_an_answer_asks_for_a_mark_once():
    dispatcher, events = run(ActionGoodbye(), tracker(ANSWERED))
    assert responses(dispatcher) == ["utter_goodbye", "utter_ask_rating"]
    assert payloads(dispatcher.messages[1]) == MARK_PAYLOADS
    assert events == [
        SlotSet("rating_asked", True),
        SlotSet("pending_topic", None),
    ]  # the mark is the open question
    assert "Welk cijfer" in render(dispatcher.messages)[1]["text"]


def test_goodbye_never_asks_the_mark_twice():
    dispatcher = CollectingDispatcher()
    events = goodbye(dispatcher, tracker(ANSWERED, {"rating_asked": True}))
    assert responses(dispatcher) == ["utter_goodbye"] and events == []


def test_goodbye_after_a_mark_was_given_asks_nothing():
    dispatcher, events = run(ActionGoodbye(), tracker(ANSWERED, {"rating": 8}))
    assert responses(dispatcher) == ["utter_goodbye"] and events == []


def test_goodbye_without_an_answer_asks_no_mark():
    conversation = [user("greet", "hallo"), user("goodbye", "ok doei")]
    dispatcher, events = run(ActionGoodbye(), tracker(conversation))
    assert responses(dispatcher) == ["utter_goodbye"] and events == []


# --------------------------------------------------------------------------- the optional comment


def comment(text: str, intent: str = "inform") -> tuple:
    track = form_tracker(
        "rating_form",
        "rating_comment",
        {"rating_comment": text},
        [rating_payload(8), user(intent, text)],
        {"rating": 8, "rating_asked": True},
    )
    dispatcher, events = run(ValidateRatingForm(), track)
    return dispatcher, slot_values(events)


@pytest.mark.parametrize("text", ["nee", "Nee.", "niks", "nvt"])
def test_no_skips_the_comment(text):
    dispatcher, values = comment(text, intent="deny")
    assert values["rating_comment"] == SKIPPED
    assert "utter_invalid_rating_comment" not in responses(dispatcher)


def test_no_thank_you_ends_the_comment_question_without_a_comment():
    dispatcher, values = comment("nee dank u", intent="deny")
    assert values["rating_comment"] is None and values["requested_slot"] is None
    assert dispatcher.messages == []
    # action_submit_rating then says the plain thanks
    thanks, _ = run(ActionSubmitRating(), tracker([user("deny", "nee dank u")], {"rating": 8, **values}))
    assert responses(thanks) == ["utter_rating_no_comment"]


def test_a_real_comment_is_kept_trimmed():
    _, values = comment("   Snel geholpen,   de adviseur   belde dezelfde dag nog terug!  ")
    assert values["rating_comment"] == "Snel geholpen, de adviseur belde dezelfde dag nog terug!"


def test_a_long_comment_is_cut_at_1000_characters():
    text = "Het gesprek was prettig maar ik moest lang wachten op een antwoord. " * 30
    assert len(text) > 1000
    _, values = comment(text)
    assert len(values["rating_comment"]) == 1000
    assert values["rating_comment"] == " ".join(text.split())[:1000]


def test_no_comment_is_asked_without_a_valid_mark():
    track = form_tracker(
        "rating_form", None, {}, [rating_payload(15)], {"rating": None, "rating_asked": True}
    )
    dispatcher, events = run(ValidateRatingForm(), track)
    assert dispatcher.messages == []
    assert not any(event.get("name") == "requested_slot" and event.get("value") for event in events)


# --------------------------------------------------------------------------- thanks at the end


def submit(**slots):
    return run(ActionSubmitRating(), tracker([user("inform", "x")], {"rating": 8, **slots}))


def test_a_comment_is_thanked_as_going_to_the_advisors():
    dispatcher, events = submit(rating_comment="Snel geholpen")
    assert responses(dispatcher) == ["utter_rating_comment_thanks"]
    assert "adviseurs" in render(dispatcher.messages)[0]["text"]
    assert slot_values(events) == {"rating_outcome": None}


def test_a_skipped_comment_gets_the_plain_thanks_and_is_emptied():
    dispatcher, events = submit(rating_comment=SKIPPED)
    assert responses(dispatcher) == ["utter_rating_no_comment"]
    assert slot_values(events) == {"rating_outcome": None, "rating_comment": None}


def test_without_a_comment_the_plain_thanks():
    dispatcher, _ = submit(rating_comment=None)
    assert responses(dispatcher) == ["utter_rating_no_comment"]


def test_without_a_valid_mark_nothing_more_is_said():
    dispatcher, events = submit(rating=None, rating_comment="Snel geholpen")
    assert dispatcher.messages == []
    assert slot_values(events) == {"rating_outcome": None}
