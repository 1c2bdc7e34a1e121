"""Follow-up questions on the last answer, run as the action server runs them: a real
rasa_sdk Tracker and CollectingDispatcher, the real content in a real SQLite database,
responses rendered from domain.yml.

"Moet ik die terugbetalen?" after the NOW answer is about the NOW's settlement; "wat kost
dat?" after a growth answer is about the instruments just named; without an earlier
answer a message that isn't understood gets the two-stage fallback."""

from __future__ import annotations

from typing import Any

import pytest
from catalog_support import all_text, render, run_action
from rasa_sdk import Tracker

from actions.catalog import ActionAboutProgram, ActionAnswerScheme, ActionAnswerTopic
from actions.fallback import ActionClarify
from actions.follow_up import aspect_of, refers_back
from actions.turns import Turn
from bot.catalog.content import load_content

PHONE = "0592 99 88 77 (test)"
AFTER_NOW = {"scheme": "now", "last_topic": "corona"}


@pytest.fixture
def catalog(database_url, configure):
    settings = configure(HELPDESK_PHONE=PHONE, LOKET_FAKE_NOW="2026-11-27T12:00:00+01:00")
    load_content(settings=settings)
    return settings


def user_event(
    text: str, intent: str, entities: tuple[dict[str, Any], ...] | list = (), confidence: float = 0.4
) -> dict:
    parse = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "entities": list(entities),
    }
    return {"event": "user", "text": text, "parse_data": parse}


def tracker(*turns: dict, slots: dict[str, Any] | None = None) -> Tracker:
    """A conversation whose latest message is the last of `turns`; the slots were set
    earlier, so their events come first, as in a real tracker."""
    earlier = [{"event": "slot", "name": name, "value": value} for name, value in (slots or {}).items()]
    return Tracker(
        "follow-up-test",
        dict(slots or {}),
        turns[-1]["parse_data"],
        [*earlier, *turns],
        False,
        None,
        {},
        "action_listen",
    )


def scheme_entity(text: str, typed: str, value: str) -> dict[str, Any]:
    start = text.index(typed)
    return {"entity": "scheme", "value": value, "start": start, "end": start + len(typed)}


def responses(dispatcher) -> list:
    return [message.get("response") for message in dispatcher.messages]


def slots_set(events) -> dict:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def growth_answer(slots: dict[str, Any] | None = None) -> list[str]:
    """The instruments a real growth answer names (its `last_instruments`)."""
    _, events = run_action(
        ActionAnswerTopic(), tracker(user_event("ik wil groeien", "ask_growth", confidence=0.9), slots=slots)
    )
    return slots_set(events)["last_instruments"]


# --------------------------------------------------------------------------- after a scheme answer


def test_a_settlement_question_the_classifier_missed_is_answered_for_the_now(catalog):
    text = "wat moet ik dan nog doen voor de eindafrekening?"
    dispatcher, events = run_action(
        ActionClarify(), tracker(user_event(text, "nlu_fallback"), slots=AFTER_NOW)
    )
    said = responses(dispatcher)
    assert "utter_ask_rephrase" not in said and "utter_offer_advisor" not in said
    assert said[0] == "utter_catalog_scheme_focus" and said[-1] == "utter_catalog_offer_advisor"
    rendered = render(dispatcher.messages)
    assert rendered[0]["text"] == "Over de NOW:"
    follow_up = rendered[1]["text"]
    assert "UWV" in follow_up and "vaststelling" in follow_up
    assert "Tijdelijke Noodmaatregel" not in all_text(
        dispatcher.messages
    )  # the part asked, not the whole story
    assert slots_set(events) == {"scheme": "now", "last_topic": "corona"}


def test_must_i_pay_that_back_after_the_now_answer_is_about_the_now(catalog):
    text = "en moet ik die terugbetalen?"
    dispatcher, events = run_action(
        ActionAnswerScheme(), tracker(user_event(text, "ask_corona_scheme", confidence=0.8), slots=AFTER_NOW)
    )
    assert responses(dispatcher)[0] == "utter_catalog_scheme_focus"
    assert "utter_catalog_pick_scheme" not in responses(dispatcher)
    text = all_text(dispatcher.messages)
    assert "Over de NOW:" in text and "UWV" in text and "vaststelling" in text
    assert slots_set(events)["scheme"] == "now"


def test_naming_another_scheme_switches_to_that_scheme(catalog):
    text = "en de TVL?"
    turn = user_event(text, "ask_corona_scheme", [scheme_entity(text, "TVL", "tvl")], confidence=0.8)
    dispatcher, events = run_action(ActionAnswerScheme(), tracker(turn, slots=AFTER_NOW))
    text = all_text(dispatcher.messages)
    assert "TVL (Tegemoetkoming Vaste Lasten)" in text and "RVO" in text
    assert "UWV" not in text and "NOW" not in text
    assert slots_set(events) == {"scheme": "tvl", "last_topic": "corona"}


# --------------------------------------------------------------------------- after a topic answer


def test_what_does_that_cost_after_a_growth_answer_names_the_cost_of_those_instruments(catalog):
    ids = growth_answer()
    slots = {"last_topic": "growth", "last_instruments": ids}
    dispatcher, _ = run_action(
        ActionClarify(), tracker(user_event("wat kost dat?", "nlu_fallback"), slots=slots)
    )
    assert responses(dispatcher) == ["utter_catalog_cost_own", "utter_catalog_offer_advisor"]
    cost = render(dispatcher.messages)[0]["text"]
    assert "Ondernemerstafel" in cost and "Groeicarrousel" in cost and "kost u niets" in cost


def test_a_cost_question_as_a_program_question_is_about_the_instruments_just_named(catalog):
    ids = growth_answer()
    slots = {"last_topic": "growth", "last_instruments": ids}
    turn = user_event("wat kost dat?", "ask_about_program", confidence=0.7)
    dispatcher, _ = run_action(ActionAboutProgram(), tracker(turn, slots=slots))
    assert responses(dispatcher)[0] == "utter_catalog_cost_own"
    text = all_text(dispatcher.messages)
    assert "Ondernemerstafel" in text and "Groeicarrousel" in text
    assert "Een gesprek met een ondernemersadviseur kost u niets." not in text  # not the program's cost fact


def test_a_partner_instrument_just_named_is_asked_at_the_partner(catalog):
    ids = growth_answer({"municipality": "Beilen"})
    assert "gemeente-midden-drenthe" in ids
    slots = {"last_topic": "growth", "last_instruments": ids, "municipality": "Midden-Drenthe"}
    dispatcher, _ = run_action(
        ActionClarify(), tracker(user_event("wat kost dat?", "nlu_fallback"), slots=slots)
    )
    assert responses(dispatcher) == [
        "utter_catalog_cost_own",
        "utter_catalog_cost_partner",
        "utter_catalog_offer_advisor",
    ]
    own, partner = (message["text"] for message in render(dispatcher.messages)[:2])
    assert "Ondernemerscontact" not in own
    assert (
        partner
        == "Ondernemerscontact gemeente Midden-Drenthe: vraag de gemeente Midden-Drenthe wat dit kost."
    )


def test_how_do_i_sign_up_after_a_growth_answer_gives_the_next_steps(catalog):
    ids = growth_answer()
    slots = {"last_topic": "growth", "last_instruments": ids}
    dispatcher, _ = run_action(
        ActionClarify(), tracker(user_event("hoe meld ik me aan?", "nlu_fallback"), slots=slots)
    )
    assert responses(dispatcher)[0] == "utter_catalog_next_steps"
    assert "Groeicarrousel:" in all_text(dispatcher.messages)


# --------------------------------------------------------------------------- without an earlier answer


def test_gibberish_without_an_earlier_answer_offers_topics_and_help(catalog):
    dispatcher, events = run_action(ActionClarify(), tracker(user_event("jkfdsl qwpo", "nlu_fallback")))
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_rephrase"
    payloads = [button["payload"] for button in message["buttons"]]
    assert payloads == ["/ask_start", "/ask_financing", "/request_advisor", "/help"]
    assert events == []


def test_a_second_miss_in_a_row_offers_an_advisor(catalog):
    turns = (user_event("jkfdsl qwpo", "nlu_fallback"), user_event("asdf asdf", "nlu_fallback"))
    dispatcher, _ = run_action(ActionClarify(), tracker(*turns))
    assert responses(dispatcher) == ["utter_offer_advisor"]


# --------------------------------------------------------------------------- reading a follow-up


@pytest.mark.parametrize(
    "text, aspect",
    [
        ("wat kost dat?", "cost"),
        ("Is het gratis?", "cost"),
        ("wat moet ik dan nog doen voor de eindafrekening?", "settlement"),
        ("moet ik die terugbetalen?", "settlement"),
        ("kan ik die nog aanvragen?", "status"),
        ("loopt die nog?", "status"),
        ("bij wie moet ik daarvoor zijn?", "who"),
        ("hoe kan ik me aanmelden?", "apply"),
        ("hoe werkt dat?", "apply"),
        ("geldt dat ook voor een bv?", "for_whom"),
        ("voor wie is dat bedoeld?", "for_whom"),
        ("wat houdt dat in?", "what"),
        ("ik heb een bakkerij in Assen", None),
        ("bedankt!", None),
    ],
)
def test_aspect_of_a_follow_up(text, aspect):
    assert aspect_of(text) == aspect


def test_how_do_i_sign_up_is_an_apply_question():
    assert aspect_of("hoe meld ik me aan?") == "apply"


def turn(text: str) -> Turn:
    return Turn(text=text, intent="nlu_fallback", confidence=0.4)


@pytest.mark.parametrize(
    "text, leans",
    [
        ("en die?", True),
        ("En de vaststelling?", True),
        ("wat kost dat?", True),
        ("moet ik het terugbetalen?", True),
        (
            "Ik heb sinds vorig jaar een hoveniersbedrijf in Meppel en ik zoek een lening "
            "voor een nieuwe bus, waar kan ik die aanvragen?",
            False,
        ),
        ("ik zoek personeel voor mijn bakkerij", False),
        ('/inform{"company_size": "zzp"}', False),
        ("/ask_growth", False),
    ],
)
def test_refers_back(text, leans):
    assert refers_back(turn(text)) is leans


def test_a_first_question_about_a_scheme_gets_the_whole_story_even_when_its_slot_is_already_filled(catalog):
    """Rasa fills the `scheme` slot from the message's entity before the action runs; that
    is no earlier answer, so "hoe zat het met de NOW?" gets the agency and the status too."""
    parse = {
        "text": "Hoe zat het met de NOW?",
        "intent": {"name": "ask_corona_scheme", "confidence": 0.95},
        "entities": [{"entity": "scheme", "value": "now"}],
    }
    events = [
        {"event": "user", "text": parse["text"], "parse_data": parse},
        {"event": "slot", "name": "scheme", "value": "now"},
    ]
    track = Tracker("first-now", {"scheme": "now"}, parse, events, False, None, {}, "action_listen")
    dispatcher, _ = run_action(ActionAnswerScheme(), track)
    text = all_text(dispatcher.messages)
    assert "UWV" in text and "gesloten" in text
