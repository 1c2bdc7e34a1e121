"""The catalog actions, run as the action server runs them: a real rasa_sdk Tracker
and CollectingDispatcher, the real content loaded into a real SQLite database, and
the responses rendered from domain.yml the way Rasa fills them in."""

from __future__ import annotations

import json

import pytest
from catalog_support import all_text, copy_real_content, render, run_action, tracker
from rasa_sdk.events import SlotSet

from actions.catalog import (
    ActionAboutProgram,
    ActionAnswerInform,
    ActionAnswerScheme,
    ActionAnswerTopic,
    ActionListEvents,
)
from bot.catalog.content import load_content

PHONE = "0592 99 88 77 (test)"
WEBSITE = "https://www.example.org/test-agenda"
ADVISOR = {"title": "Plan een gesprek met een adviseur", "payload": "/request_advisor"}
TOPIC_INTENTS = (
    "ask_start",
    "ask_growth",
    "ask_innovation",
    "ask_export",
    "ask_financing",
    "ask_crisis_help",
    "ask_digitalisation",
    "ask_students",
)
# Contract §5: the instruments a topic answer must name, whatever else is known.
REQUIRED_NAMES = {
    "ask_export": ["Exportcarrousel"],
    "ask_growth": ["Groeicarrousel", "Ondernemerstafel"],
    "ask_financing": ["Financieringstafel"],
    "ask_crisis_help": ["Crisistafel"],
    "ask_digitalisation": ["Spoeddigitalisering"],
}
AGENCIES = {
    "now": "UWV",
    "tozo": "gemeente",
    "tonk": "gemeente",
    "tvl": "RVO",
    "togs": "RVO",
    "belastinguitstel": "Belastingdienst",
    "bmkb_c": "RVO",
    "go_c": "RVO",
    "kkc": "RVO",
    "col": "NOM",
}


@pytest.fixture
def catalog(database_url, configure):
    settings = configure(
        HELPDESK_PHONE=PHONE, HELPDESK_WEBSITE=WEBSITE, LOKET_FAKE_NOW="2026-11-27T12:00:00+01:00"
    )
    load_content(settings=settings)
    return settings


def responses(dispatcher) -> list:
    return [message.get("response") for message in dispatcher.messages]


def answer(intent, text="", entities=(), slots=None, action=None):
    return run_action(action or ActionAnswerTopic(), tracker(intent, text, entities, slots))


# --------------------------------------------------------------------------- topic answers


@pytest.mark.parametrize("intent", TOPIC_INTENTS)
@pytest.mark.parametrize("employees", ["1", "12", "120"])
def test_every_topic_names_instruments_with_offer_next_step_and_advisor_button(catalog, intent, employees):
    dispatcher, _events = answer(intent, entities=[("employees", employees)])
    instrument_texts = [m["text"] for m in dispatcher.messages if m.get("text")]
    assert 1 <= len(instrument_texts) <= 3
    for text in instrument_texts:
        name_line, offer, next_step = text.split("\n")[:3]
        assert name_line and offer and next_step.startswith("→ ")
    rendered = render(dispatcher.messages)
    assert ADVISOR in rendered[-1]["buttons"] or rendered[-1]["buttons"][0]["payload"] == "/request_advisor"
    for name in REQUIRED_NAMES.get(intent, []):
        assert name in all_text(dispatcher.messages)


@pytest.mark.parametrize("intent", sorted(REQUIRED_NAMES))
@pytest.mark.parametrize(
    "slots",
    [
        {},
        {"municipality": "assen", "employees": "3"},
        {"municipality": "Beilen", "employees": "400", "sector": "horeca"},
        {"municipality": "Emmen", "employees": "0", "sector": "landbouw"},
        {"employees": "75", "sector": "bouw"},
    ],
)
def test_contract_names_appear_whatever_is_known(catalog, intent, slots):
    dispatcher, _ = answer(intent, slots=slots)
    text = all_text(dispatcher.messages)
    for name in REQUIRED_NAMES[intent]:
        assert name in text


def slots_set(events) -> dict:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def test_growth_without_size_answers_first_then_offers_the_size_as_buttons(catalog):
    dispatcher, events = answer("ask_growth", "ik wil groeien")
    said = responses(dispatcher)
    assert "Groeicarrousel" in all_text(dispatcher.messages) and "Ondernemerstafel" in all_text(
        dispatcher.messages
    )
    assert said[-1] == "utter_catalog_ask_size" and said.count("utter_catalog_ask_size") == 1
    assert said.index("utter_catalog_offer_advisor") < said.index("utter_catalog_ask_size")
    [size_question] = [m for m in render(dispatcher.messages) if m["response"] == "utter_catalog_ask_size"]
    payloads = [button["payload"] for button in size_question["buttons"]]
    assert payloads[0] == '/inform{"company_size": "zzp"}'
    bands = [json.loads(p[len("/inform") :])["company_size"] for p in payloads]
    assert bands == ["zzp", "small", "larger", "beyond_sme"]  # a band, never a made-up number of people
    assert "employees" not in " ".join(payloads)
    values = slots_set(events)
    assert values["pending_topic"] == "growth" and values["last_topic"] == "growth"
    assert "groeicarrousel" in values["last_instruments"]


def test_the_size_button_answers_again_for_that_size_and_clears_the_waiting_topic(catalog):
    dispatcher, events = answer(
        "inform",
        '/inform{"company_size": "zzp"}',
        [("company_size", "zzp")],
        {"pending_topic": "growth"},
        ActionAnswerInform(),
    )
    text = all_text(dispatcher.messages)
    assert "Groeicarrousel" in text and "Ondernemerstafel" in text
    assert "utter_catalog_ask_size" not in responses(dispatcher)
    values = slots_set(events)
    assert values["pending_topic"] is None and "employees" not in values


def test_the_size_question_is_not_offered_twice(catalog):
    dispatcher, _ = answer("ask_growth", "groeien", slots={"pending_topic": "growth"})
    assert "utter_catalog_ask_size" not in responses(dispatcher)
    assert "Groeicarrousel" in all_text(dispatcher.messages)


def test_a_known_size_band_needs_no_size_question(catalog):
    dispatcher, _ = answer("ask_growth", "groeien", slots={"company_size": "small"})
    assert "utter_catalog_ask_size" not in responses(dispatcher)
    assert "Groeicarrousel" in all_text(dispatcher.messages)


def test_no_question_where_size_changes_nothing(catalog):
    for intent in ("ask_export", "ask_digitalisation", "ask_start", "ask_crisis_help"):
        dispatcher, events = answer(intent)
        assert "utter_catalog_ask_size" not in responses(dispatcher), intent
        assert SlotSet("pending_topic", "export") not in events


def test_free_text_size_answers_the_waiting_topic(catalog):
    dispatcher, events = answer(
        "inform",
        "we zijn met 12 man",
        [("employees", "12")],
        {"pending_topic": "financing"},
        ActionAnswerInform(),
    )
    assert "Financieringstafel" in all_text(dispatcher.messages)
    assert slots_set(events)["pending_topic"] is None


def test_a_detail_without_a_waiting_question_is_acknowledged(catalog):
    dispatcher, events = answer(
        "inform", "ik zit in Emmen", [("municipality", "Emmen")], action=ActionAnswerInform()
    )
    assert responses(dispatcher) == ["utter_catalog_noted"]
    assert events == []
    assert "genoteerd" in all_text(dispatcher.messages)


def test_crisis_gets_the_crisistafel_and_an_urgent_call_back(catalog):
    dispatcher, _ = answer("ask_crisis_help", "ik kan mijn leveranciers niet meer betalen")
    rendered = render(dispatcher.messages)
    assert "Crisistafel" in "\n".join(m["text"] for m in rendered)
    assert rendered[-1]["response"] == "utter_catalog_crisis_callback"
    assert rendered[-1]["buttons"][0]["payload"] == "/request_advisor"


def test_a_village_in_lower_case_finds_the_municipality_and_the_partner_is_named(catalog):
    dispatcher, _ = answer("ask_start", "ik wil starten", slots={"municipality": "beilen"})
    rendered = render(dispatcher.messages)
    assert rendered[0]["response"] == "utter_catalog_partner_first"
    assert "bij de gemeente Midden-Drenthe." in rendered[0]["text"]  # reads as a sentence
    assert "Ondernemerscontact gemeente Midden-Drenthe" in rendered[1]["text"]
    assert "contact op met de gemeente Midden-Drenthe" in rendered[1]["text"]  # how to reach them


def test_more_than_250_people_gets_a_note(catalog):
    dispatcher, _ = answer("ask_export", entities=[("employees", "900")])
    assert responses(dispatcher)[0] == "utter_catalog_size_beyond"
    assert "Exportcarrousel" in all_text(dispatcher.messages)


def test_contact_details_in_content_come_from_settings(catalog):
    dispatcher, _ = answer("ask_start")
    text = all_text(dispatcher.messages)
    assert PHONE in text and "{phone}" not in text


# --------------------------------------------------------------------------- corona schemes


@pytest.mark.parametrize("scheme_id", sorted(AGENCIES))
def test_each_scheme_names_its_agency_status_and_follow_up(catalog, scheme_id):
    dispatcher, events = answer(
        "ask_corona_scheme", entities=[("scheme", scheme_id)], action=ActionAnswerScheme()
    )
    text = all_text(dispatcher.messages)
    assert AGENCIES[scheme_id] in text
    assert "gesloten" in text
    assert "https://" in text
    assert responses(dispatcher)[-1] == "utter_catalog_offer_advisor"
    assert slots_set(events) == {"scheme": scheme_id, "last_topic": "corona"}


def test_scheme_answers_carry_the_follow_up_of_now_tvl_tozo_and_tax(catalog):
    def text_for(scheme_id):
        dispatcher, _ = answer(
            "ask_corona_scheme", entities=[("scheme", scheme_id)], action=ActionAnswerScheme()
        )
        return all_text(dispatcher.messages)

    assert "vaststelling" in text_for("now")
    assert "stelt" in text_for("tvl") and "vast" in text_for("tvl")
    assert "terug" in text_for("tozo") and "gesloten sinds 1 oktober 2021" in text_for("tozo")
    assert "betalingsregeling" in text_for("belastinguitstel")


def test_a_scheme_name_as_typed_is_mapped_to_its_id(catalog):
    dispatcher, events = answer(
        "ask_corona_scheme",
        "tozo lening terugbetalen",
        [("scheme", "Tozo-lening")],
        action=ActionAnswerScheme(),
    )
    assert "gemeente" in all_text(dispatcher.messages)
    assert slots_set(events)["scheme"] == "tozo"


def test_without_a_scheme_the_schemes_are_offered_as_buttons(catalog):
    dispatcher, events = answer("ask_corona_scheme", "coronaregelingen", action=ActionAnswerScheme())
    [message] = dispatcher.messages
    assert message["response"] == "utter_catalog_pick_scheme"
    payloads = [button["payload"] for button in message["buttons"]]
    assert len(payloads) == 10 and '/ask_corona_scheme{"scheme": "tozo"}' in payloads
    assert "scheme" not in slots_set(events)


def test_an_unknown_scheme_offers_the_list(catalog):
    dispatcher, events = answer(
        "ask_corona_scheme", entities=[("scheme", "bla")], action=ActionAnswerScheme()
    )
    assert responses(dispatcher) == ["utter_catalog_scheme_unknown"]
    assert len(dispatcher.messages[0]["buttons"]) == 10
    assert "scheme" not in slots_set(events)


# --------------------------------------------------------------------------- events


def test_events_are_upcoming_only_nearest_first(catalog):
    dispatcher, _ = run_action(ActionListEvents(), tracker("ask_events", "welke bijeenkomsten zijn er?"))
    assert responses(dispatcher)[0] == "utter_catalog_events_intro"
    texts = [m["text"] for m in dispatcher.messages if m.get("text")]
    assert texts[0].startswith("Webinar: welke financiering past bij uw plannen?")
    assert "donderdag 3 december 2026, 19:30–20:45, online" in texts[0]
    assert all("2026-11-12" not in t and "Masterclass groeistrategie" not in t for t in texts)
    assert WEBSITE in texts[0]


def test_the_clock_comes_from_loket_fake_now(catalog, configure):
    configure(LOKET_FAKE_NOW="2026-12-05T09:00:00+01:00")
    dispatcher, _ = run_action(ActionListEvents(), tracker("ask_events", "agenda"))
    texts = [m["text"] for m in dispatcher.messages if m.get("text")]
    assert texts[0].startswith("Startersavond")


def test_events_in_a_municipality_given_as_a_village(catalog):
    dispatcher, _ = run_action(
        ActionListEvents(), tracker("ask_events", "agenda", slots={"municipality": "klazienaveen"})
    )
    rendered = render(dispatcher.messages)
    assert rendered[0]["text"] == "Dit zijn de eerstvolgende bijeenkomsten in Emmen en online:"
    places = [m["text"].split("\n")[1] for m in rendered[1:]]
    assert places and all(p.endswith(", online") or p.endswith(", Emmen") for p in places)
    assert any(p.endswith(", Emmen") for p in places)


def test_events_on_a_topic_from_the_question(catalog):
    dispatcher, _ = run_action(
        ActionListEvents(), tracker("ask_events", "zijn er bijeenkomsten over export?")
    )
    texts = [m["text"] for m in dispatcher.messages if m.get("text")]
    assert texts == [t for t in texts if "Exportcarrousel" in t] and texts


def test_no_events_planned_points_to_the_calendar(catalog, configure):
    configure(LOKET_FAKE_NOW="2027-12-01T10:00:00+01:00")
    dispatcher, _ = run_action(ActionListEvents(), tracker("ask_events", "agenda"))
    assert responses(dispatcher) == ["utter_catalog_events_none"]
    assert WEBSITE in all_text(dispatcher.messages)


# --------------------------------------------------------------------------- the program


def test_about_the_program_from_its_facts(catalog):
    dispatcher, _ = run_action(ActionAboutProgram(), tracker("ask_about_program", "wat is dit programma?"))
    text = all_text(dispatcher.messages)
    assert "Ik Ben Drents Ondernemer" in text and "provincie Drenthe" in text
    assert "kost u niets" in text


def test_a_cost_question_about_the_program_gets_the_cost_fact_only(catalog):
    dispatcher, _ = run_action(
        ActionAboutProgram(), tracker("ask_about_program", "wat kost een gesprek met een adviseur?")
    )
    text = all_text(dispatcher.messages)
    assert "kost" in text and "niets" in text and "provincie Drenthe" not in text


# --------------------------------------------------------------------------- failures


ALL_ACTIONS = [
    (ActionAnswerTopic(), tracker("ask_export", "exporteren", [("employees", "5")])),
    (ActionAnswerTopic(), tracker("ask_crisis_help", "help, schulden")),
    (ActionAnswerInform(), tracker("inform", "12 man", [("employees", "12")], {"pending_topic": "growth"})),
    (ActionAnswerScheme(), tracker("ask_corona_scheme", "tozo", [("scheme", "tozo")])),
    (ActionAnswerScheme(), tracker("ask_corona_scheme", "corona")),
    (ActionListEvents(), tracker("ask_events", "agenda")),
    (ActionAboutProgram(), tracker("ask_about_program", "wie zijn jullie")),
]


@pytest.mark.parametrize("action, track", ALL_ACTIONS)
def test_an_empty_catalog_gets_a_polite_answer(database_url, action, track):
    dispatcher, _ = run_action(action, track)
    assert dispatcher.messages
    rendered = render(dispatcher.messages)
    assert all(m["response"] and m["response"].startswith("utter_catalog_") for m in rendered)
    assert "utter_catalog_unavailable" not in responses(dispatcher)


@pytest.mark.parametrize("action, track", ALL_ACTIONS)
def test_an_unreachable_database_gets_a_polite_answer(action, track, configure):
    configure(
        DATABASE_URL="postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2", HELPDESK_PHONE=PHONE
    )
    dispatcher, events = run_action(action, track)
    assert responses(dispatcher) == ["utter_catalog_unavailable"] and events == []
    assert PHONE in all_text(dispatcher.messages)


def test_a_database_without_the_schema_gets_a_polite_answer(tmp_path, configure):
    configure(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}")
    dispatcher, _ = answer("ask_growth", entities=[("employees", "4")])
    assert responses(dispatcher) == ["utter_catalog_unavailable"]


# --------------------------------------------------------------------------- no retraining


def test_editing_a_content_file_and_reloading_changes_the_answer(catalog, tmp_path):
    folder = copy_real_content(tmp_path / "content")
    dispatcher, _ = answer("ask_export", entities=[("employees", "5")])
    assert "kansen op een buitenlandse markt" in all_text(dispatcher.messages)

    path = folder / "instruments.yml"
    edited = path.read_text(encoding="utf-8").replace(
        "Vierdejaars studenten International Business onderzoeken voor u de kansen op "
        "een buitenlandse markt.",
        "Studenten zoeken voor u uit hoe u in Duitsland en Scandinavië klanten vindt.",
    )
    assert edited != path.read_text(encoding="utf-8")
    path.write_text(edited, encoding="utf-8")
    load_content(folder, settings=catalog)

    dispatcher, _ = answer("ask_export", entities=[("employees", "5")])
    text = all_text(dispatcher.messages)
    assert "in Duitsland en Scandinavië klanten vindt" in text
    assert "kansen op een buitenlandse markt" not in text


@pytest.mark.parametrize(
    "typed, scheme_id",
    [
        ("ik wil uitstel van belastingbetaling terugbetalen, hoe zit dat?", "belastinguitstel"),
        ("hoe zat het met de coronaloonsubsidie?", "now"),
        ("moet ik de vastelastenregeling nog verantwoorden?", "tvl"),
        ("de corona overbruggingslening van de NOM", "col"),
    ],
)
def test_scheme_nicknames_typed_without_an_entity_find_their_scheme(catalog, typed, scheme_id):
    dispatcher, events = answer("ask_corona_scheme", typed, action=ActionAnswerScheme())
    assert slots_set(events)["scheme"] == scheme_id
    assert "utter_catalog_scheme_unknown" not in responses(dispatcher)
    assert AGENCIES[scheme_id] in all_text(dispatcher.messages)
