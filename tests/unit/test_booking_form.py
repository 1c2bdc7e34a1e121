"""The booking form's actions as the action server runs them (real rasa_sdk Trackers and a
CollectingDispatcher) against a real SQLite database with the sample advisors, the clock
set with LOKET_FAKE_NOW: validation and re-asks, free slots as buttons, the confirmation,
booking (appointment by day, call-back in the evening, urgent after a crisis question),
a slot taken by someone else, and the hotline greeting at session start."""

from __future__ import annotations

import json
import re
import string

import pytest
from booking_support import CONTACT, THURSDAY_10, THURSDAY_2030, at
from catalog_support import render
from form_support import (
    DOMAIN,
    HELPDESK_PHONE,
    ROOT,
    SENDER,
    form_tracker,
    responses,
    run,
    sample_agenda,
    slot,
    slot_values,
    tracker,
    user,
)
from rasa_sdk.events import ActionExecuted, FollowupAction, SessionStarted, SlotSet
from sqlalchemy import select

from actions.booking import (
    OUTCOME_SLOT,
    ActionAskAppointmentSlot,
    ActionAskBookingConfirmed,
    ActionStartBooking,
    ActionSubmitBooking,
    ValidateBookingForm,
    slot_payload,
)
from actions.form_turns import GAVE_UP, GOODBYE, MISSES_SLOT, SKIPPED, STOPPED, TO_CANCEL
from actions.session import ActionSessionStart
from bot.booking import APPOINTMENT, CALLBACK, book, free_slots, slot_at
from bot.booking.appointments import REFERENCE_PATTERN
from bot.booking.models import Appointment
from bot.crm import OutboxMessage
from bot.db import session_scope

FORM = "booking_form"
FILLED = {
    "person_name": "Jan de Vries",
    "company_name": "Bakkerij De Vries",
    "municipality": "Midden-Drenthe",
    "employees": "4",
    "question_summary": "Ik zoek een lening voor een nieuwe oven",
    "contact_preference": "telefoon",
    "email": "jan@bakkerij-devries.example.org",
    "phone": "+31612345678",
}
FINANCING = user("ask_financing", "Ik zoek een lening voor een nieuwe oven")
CRISIS = user("ask_crisis_help", "ik kan de huur niet meer betalen")
REQUEST = user("request_advisor", "ik wil een adviseur spreken")


@pytest.fixture
def settings(database_url, configure):
    return sample_agenda(configure)


def texts(dispatcher) -> str:
    return "\n".join(message["text"] for message in render(dispatcher.messages))


def validate(
    candidates: dict,
    requested=None,
    history=(FINANCING, REQUEST),
    slots=None,
    said=None,
    intent="inform",
    confidence=0.93,
):
    """Run validate_booking_form on this turn's slot candidates, after the user `said` the
    answer (by default the candidate of the requested slot, as from_text fills it); returns
    the dispatcher and the slots it set. `requested=""` is the form's start."""
    requested = requested if requested is not None else next(iter(candidates))
    turn = []
    if requested:
        typed = said if said is not None else candidates.get(requested)
        turn = [user(intent, str(typed), confidence=confidence)]
    track = form_tracker(FORM, requested, candidates, [*history, *turn], slots)
    dispatcher, events = run(ValidateBookingForm(), track)
    return dispatcher, slot_values(events)


def submit(history=(FINANCING, REQUEST), **overrides):
    slots = {**FILLED, "appointment_slot": None, "booking_confirmed": True, **overrides}
    return run(ActionSubmitBooking(), tracker(list(history), slots))


def stored(settings) -> list[Appointment]:
    """The bookings, with their advisor loaded (readable after the session closed)."""
    with session_scope(settings.database_url) as session:
        appointments = list(session.execute(select(Appointment).order_by(Appointment.id)).scalars())
        for appointment in appointments:
            assert appointment.advisor is not None
        return appointments


def buttons(dispatcher) -> list[dict]:
    return [button for message in dispatcher.messages for button in message.get("buttons") or []]


def buttons_shown(dispatcher) -> list[dict]:
    """The buttons as Rasa sends them, responses rendered from domain.yml."""
    return [button for message in render(dispatcher.messages) for button in message.get("buttons") or []]


def payload_start(button: dict) -> str:
    return json.loads(button["payload"][len("/inform") :])["appointment_slot"]


# --------------------------------------------------------------------------- starting the form


def test_start_gives_intro_and_privacy_line_and_takes_the_question_already_asked(settings):
    dispatcher, events = run(ActionStartBooking(), tracker([FINANCING, REQUEST]))
    assert responses(dispatcher) == ["utter_advisor_intro", "utter_booking_privacy"]
    assert "gegevens" in texts(dispatcher)
    values = slot_values(events)
    assert values["question_summary"] == "Ik zoek een lening voor een nieuwe oven"
    assert values["appointment_slot"] is None and values["booking_confirmed"] is None
    assert "contact_preference" not in values


def test_start_without_an_earlier_question_leaves_the_question_to_the_form(settings):
    _, events = run(ActionStartBooking(), tracker([user("ask_contact", "wat is jullie nummer"), REQUEST]))
    assert "question_summary" not in slot_values(events)


def test_start_in_the_evening_announces_a_call_back_by_phone(settings, configure):
    configure(LOKET_FAKE_NOW=THURSDAY_2030)
    dispatcher, events = run(ActionStartBooking(), tracker([REQUEST]))
    assert responses(dispatcher) == ["utter_booking_intro_callback", "utter_booking_privacy"]
    assert dispatcher.messages[0]["next_day"] == "morgen" and dispatcher.messages[0]["next_time"] == "09:00"
    assert slot_values(events)["contact_preference"] == "telefoon"


def test_changing_details_after_a_no_asks_them_again(settings):
    change = user("request_advisor", "/request_advisor", [("booking_change", "details")])
    dispatcher, events = run(ActionStartBooking(), tracker([FINANCING, change], dict(FILLED)))
    values = slot_values(events)
    assert dispatcher.messages == []
    assert all(values[name] is None for name in FILLED)


# --------------------------------------------------------------------------- validation and re-asks


@pytest.mark.parametrize(
    "slot_name, typed, response",
    [
        ("person_name", "12345", "utter_invalid_person_name"),
        ("person_name", "ja", "utter_invalid_person_name"),
        ("company_name", "x", "utter_invalid_company_name"),
        ("municipality", "1234", "utter_invalid_municipality"),
        ("employees", "heel veel", "utter_invalid_employees"),
        ("employees", "2,5", "utter_invalid_employees"),
        ("question_summary", "?", "utter_invalid_question_summary"),
        ("contact_preference", "maakt niet uit", "utter_invalid_contact_preference"),
        ("email", "jan@@bakkerij", "utter_invalid_email"),
        ("email", "mijn mail weet ik niet", "utter_invalid_email"),
        ("phone", "12345", "utter_invalid_phone"),
        ("phone", "0900-1234567", "utter_invalid_phone"),
    ],
)
def test_bad_answers_are_asked_again_in_dutch(settings, slot_name, typed, response):
    dispatcher, values = validate({slot_name: typed})
    assert values[slot_name] is None
    assert responses(dispatcher) == [response]
    assert texts(dispatcher)


@pytest.mark.parametrize(
    "slot_name, typed, clean",
    [
        ("person_name", "mijn naam is jan van der berg", "Jan van der Berg"),
        ("person_name", "Anne-Marie de Vries", "Anne-Marie de Vries"),
        ("company_name", "ons bedrijf heet bakkerij smit", "Bakkerij smit"),
        ("employees", "we zijn met vijf mensen", "5"),
        ("employees", "1", "1"),
        ("contact_preference", "via teams graag", "video"),
        ("contact_preference", "telefoon", "telefoon"),
        ("email", "mijn mail is Jan@Bakkerij-DeVries.example.ORG", "Jan@bakkerij-devries.example.org"),
        ("phone", "06-12345678", "+31612345678"),
        ("phone", "bel maar naar 0592 123456", "+31592123456"),
        ("phone", "+31 6 1234 5678", "+31612345678"),
        ("question_summary", "  een  tweede vestiging  ", "een tweede vestiging"),
    ],
)
def test_good_answers_are_normalised(settings, slot_name, typed, clean):
    dispatcher, values = validate({slot_name: typed})
    assert values[slot_name] == clean
    assert dispatcher.messages == []


def test_a_village_becomes_its_municipality(settings):
    dispatcher, values = validate({"municipality": "wij zitten in beilen"})
    assert values["municipality"] == "Midden-Drenthe"
    assert responses(dispatcher) == ["utter_booking_village"]
    assert "Beilen" in texts(dispatcher) and "Midden-Drenthe" in texts(dispatcher)


def test_a_municipality_as_typed_gets_its_official_spelling(settings):
    dispatcher, values = validate({"municipality": "gemeente midden drenthe"})
    assert values["municipality"] == "Midden-Drenthe" and dispatcher.messages == []


def test_outside_drenthe_is_said_and_still_accepted(settings):
    dispatcher, values = validate({"municipality": "ik zit in zwolle"})
    assert values["municipality"] == "Zwolle"
    assert responses(dispatcher) == ["utter_booking_outside_drenthe"]
    assert "Drenthe" in texts(dispatcher)


def test_details_given_before_the_form_are_checked_quietly(settings):
    # at activation the form re-validates what is already known; nothing is said
    dispatcher, values = validate({"municipality": "Beilen", "email": FILLED["email"]}, requested="")
    assert values["municipality"] == "Midden-Drenthe" and values["email"] == FILLED["email"]
    assert dispatcher.messages == []


def test_a_slot_button_is_accepted(settings):
    first = slot_payload(free_slots_now(settings)[0])
    dispatcher, values = validate(
        {"appointment_slot": first}, said=f'/inform{{"appointment_slot": "{first}"}}'
    )
    assert values["appointment_slot"] == first and dispatcher.messages == []


def test_free_dutch_moment_is_understood(settings):
    # Friday 6 December 09:00 is a free slot of the sample agenda
    dispatcher, values = validate({"appointment_slot": "morgenochtend"})
    assert values["appointment_slot"] == "2024-12-06T09:00:00+01:00" and dispatcher.messages == []


def test_a_moment_that_is_not_free_is_said_and_the_nearest_are_offered(settings):
    typed = "morgen om 10 uur"  # slots start at 09:00, 09:45, 10:30
    dispatcher, values = validate({"appointment_slot": typed})
    assert values["appointment_slot"] is None
    assert responses(dispatcher) == ["utter_booking_slot_not_free"]
    assert "morgen om 10:00 uur" in texts(dispatcher)

    history = [FINANCING, REQUEST, user("inform", typed)]
    ask, _ = run(
        ActionAskAppointmentSlot(), tracker(history, {"requested_slot": "appointment_slot"}, FORM, FORM)
    )
    assert responses(ask) == ["utter_booking_choose_nearest"]
    starts = [payload_start(button) for button in buttons(ask)]
    assert starts[:3] == [
        "2024-12-06T09:00:00+01:00",
        "2024-12-06T09:45:00+01:00",
        "2024-12-06T10:30:00+01:00",
    ]
    assert len(starts) == 5 and starts == sorted(starts)


def test_a_moment_that_cannot_be_read_is_asked_again(settings):
    dispatcher, values = validate({"appointment_slot": "ergens binnenkort"})
    assert values["appointment_slot"] is None
    assert responses(dispatcher) == ["utter_invalid_appointment_slot"]


# --------------------------------------------------------------------------- asking the moment and confirming


def free_slots_now(settings, kind=APPOINTMENT, urgent=False):
    with session_scope(settings.database_url) as session:
        return free_slots(session, kind, limit=5, urgent=urgent, settings=settings)


def test_the_moment_is_asked_with_five_buttons_of_free_slots(settings):
    dispatcher, events = run(
        ActionAskAppointmentSlot(), tracker([REQUEST], {"requested_slot": "phone"}, FORM, FORM)
    )
    assert events == [] and responses(dispatcher) == ["utter_booking_choose_slot"]
    offered = buttons(dispatcher)
    assert [payload_start(button) for button in offered] == [
        slot_payload(slot) for slot in free_slots_now(settings)
    ]
    assert offered[0] == {
        "title": "do 5 dec 10:30",
        "payload": '/inform{"appointment_slot": "2024-12-05T10:30:00+01:00"}',
    }


def test_in_the_evening_the_buttons_are_call_back_windows_tomorrow_morning(settings, configure):
    configure(LOKET_FAKE_NOW=THURSDAY_2030)
    dispatcher, _ = run(
        ActionAskAppointmentSlot(), tracker([REQUEST], {"requested_slot": "phone"}, FORM, FORM)
    )
    assert responses(dispatcher) == ["utter_booking_choose_callback"]
    offered = buttons(dispatcher)
    assert len(offered) == 5
    # the first two windows of the day are kept for urgent cases
    assert offered[0]["title"] == "vr 6 dec 10:00–10:30"
    assert payload_start(offered[0]) == "2024-12-06T10:00:00+01:00"


def test_after_a_crisis_question_the_earliest_window_is_offered(settings, configure):
    configure(LOKET_FAKE_NOW=THURSDAY_2030)
    dispatcher, _ = run(
        ActionAskAppointmentSlot(), tracker([CRISIS, REQUEST], {"requested_slot": "phone"}, FORM, FORM)
    )
    assert buttons(dispatcher)[0]["title"] == "vr 6 dec 09:00–09:30"


def test_the_confirmation_summarises_what_will_be_booked(settings):
    slots = {**FILLED, "appointment_slot": "2024-12-06T09:45:00+01:00"}
    dispatcher, events = run(ActionAskBookingConfirmed(), tracker([REQUEST], slots, FORM, FORM))
    assert events == [] and responses(dispatcher) == ["utter_booking_summary"]
    [message] = render(dispatcher.messages)
    for shown in (
        "Jan de Vries",
        "Bakkerij De Vries",
        "Midden-Drenthe",
        "06 12345678",
        "lening",
        "telefoon",
        "morgen om 09:45 uur",
    ):
        assert shown in message["text"]
    assert [button["payload"] for button in message["buttons"]] == ["/affirm", "/deny"]


def test_the_evening_confirmation_names_the_call_back_window(settings, configure):
    configure(LOKET_FAKE_NOW=THURSDAY_2030)
    slots = {**FILLED, "appointment_slot": "2024-12-06T10:00:00+01:00"}
    dispatcher, _ = run(ActionAskBookingConfirmed(), tracker([REQUEST], slots, FORM, FORM))
    assert responses(dispatcher) == ["utter_booking_summary_callback"]
    assert "morgen tussen 10:00 en 10:30 uur" in texts(dispatcher)


# --------------------------------------------------------------------------- booking


def test_a_confirmed_booking_is_stored_and_answered_with_reference_date_time_and_advisor(settings):
    dispatcher, events = submit(appointment_slot="2024-12-06T09:45:00+01:00")
    assert responses(dispatcher) == ["utter_booking_done", "utter_booking_contact_phone", "utter_ask_rating"]
    text = texts(dispatcher)
    found = re.search(r"AFS-[A-Z2-9]{6}", text)
    assert found is not None, text
    reference = found.group(0)
    assert REFERENCE_PATTERN.match(reference)
    assert "morgen om 09:45 uur" in text and "06 12345678" in text
    [appointment] = stored(settings)
    assert appointment.reference == reference and appointment.kind == APPOINTMENT
    assert appointment.start == at("2024-12-06T09:45") and not appointment.urgent
    assert "een afspraak met een adviseur" in text  # the sample advisors are fictional
    assert (appointment.municipality, appointment.employees, appointment.sender_id) == (
        "Midden-Drenthe",
        4,
        SENDER,
    )
    assert appointment.topics == ["financing", "advisor"]
    assert appointment.question_summary == FILLED["question_summary"]
    values = slot_values(events)
    assert values["appointment_slot"] is None and values["booking_confirmed"] is None
    with session_scope(settings.database_url) as session:
        [message] = session.execute(select(OutboxMessage)).scalars().all()
        assert message.reference == reference and message.payload["conversation_id"] == SENDER


def test_in_the_evening_a_call_back_is_booked_for_the_next_morning(settings, configure):
    settings = configure(LOKET_FAKE_NOW=THURSDAY_2030)
    dispatcher, _ = submit(appointment_slot="2024-12-06T10:00:00+01:00")
    assert responses(dispatcher) == ["utter_booking_done_callback", "utter_ask_rating"]
    assert "morgen tussen 10:00 en 10:30 uur" in texts(dispatcher)
    [appointment] = stored(settings)
    assert appointment.kind == CALLBACK and appointment.start == at("2024-12-06T10:00")
    assert appointment.phone == "+31612345678"


def test_a_crisis_conversation_is_booked_as_urgent(settings, configure):
    settings = configure(LOKET_FAKE_NOW=THURSDAY_2030)
    dispatcher, _ = submit(history=(CRISIS, REQUEST), appointment_slot="2024-12-06T09:00:00+01:00")
    assert responses(dispatcher) == [
        "utter_booking_done_callback",
        "utter_booking_urgent",
        "utter_ask_rating",
    ]
    [appointment] = stored(settings)
    assert appointment.urgent and appointment.kind == CALLBACK and appointment.start == at("2024-12-06T09:00")
    assert "crisis" in appointment.topics


def test_a_slot_taken_meanwhile_reopens_the_form_at_the_moment_question(settings):
    wanted = at("2024-12-06T09:45")
    with session_scope(
        settings.database_url
    ) as session:  # every advisor free then gets booked by someone else
        while slot_at(session, APPOINTMENT, wanted, settings=settings) is not None:
            book(session, kind=APPOINTMENT, start=wanted, **CONTACT, settings=settings)
    taken_before = len(stored(settings))
    dispatcher, events = submit(appointment_slot=wanted.isoformat())
    assert responses(dispatcher) == ["utter_booking_slot_taken"]
    assert "net" in texts(dispatcher)
    assert SlotSet("appointment_slot", None) in events and SlotSet("booking_confirmed", None) in events
    assert events[-1] == FollowupAction(FORM)
    assert len(stored(settings)) == taken_before  # nothing booked for this person

    # the reopened form asks the moment again, with the next free slots
    ask, _ = run(ActionAskAppointmentSlot(), tracker([REQUEST], {"requested_slot": None}, FORM, FORM))
    starts = [payload_start(button) for button in buttons(ask)]
    assert len(starts) == 5 and wanted.isoformat() not in starts


def test_a_no_at_the_confirmation_books_nothing_and_offers_what_to_change(settings):
    dispatcher, events = submit(appointment_slot="2024-12-06T09:45:00+01:00", booking_confirmed=False)
    assert responses(dispatcher) == ["utter_booking_not_confirmed"]
    [message] = render(dispatcher.messages)
    assert "niets geboekt" in message["text"]
    assert [button["payload"] for button in message["buttons"]] == [
        '/request_advisor{"booking_change": "moment"}',
        '/request_advisor{"booking_change": "details"}',
        "/deny",
    ]
    assert stored(settings) == []
    assert slot_values(events) == {
        "appointment_slot": None,
        "booking_confirmed": None,
        OUTCOME_SLOT: None,
        MISSES_SLOT: None,
    }


def test_database_down_says_so_and_claims_nothing(configure):
    configure(
        DATABASE_URL="postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2",
        HELPDESK_PHONE=HELPDESK_PHONE,
        LOKET_FAKE_NOW=THURSDAY_10,
    )
    dispatcher, events = submit(appointment_slot="2024-12-06T09:45:00+01:00")
    ask, _ = run(ActionAskAppointmentSlot(), tracker([REQUEST], {"requested_slot": "phone"}, FORM, FORM))
    assert responses(dispatcher) == ["utter_booking_unavailable"] and responses(ask) == [
        "utter_booking_unavailable"
    ]
    text = texts(dispatcher)
    assert HELPDESK_PHONE in text and "niets geboekt" in text and "AFS-" not in text
    assert FollowupAction(FORM) not in events


def test_every_response_the_actions_use_exists_with_its_placeholders():
    used = {f"utter_invalid_{name}" for name in [*FILLED, "appointment_slot", "booking_confirmed"]}
    for module in ("booking", "cancel", "session", "form_turns", "rating", "catalog", "fallback", "contact"):
        source = (ROOT / "actions" / f"{module}.py").read_text(encoding="utf-8")
        used |= set(re.findall(r'"(utter_[a-z_]+)"', source))
    missing = {name for name in used if name not in DOMAIN["responses"] and not name.endswith("_")}
    assert not missing
    for name in used & set(DOMAIN["responses"]):
        for variant in DOMAIN["responses"][name]:
            fields = {field for _, field, _, _ in string.Formatter().parse(variant["text"]) if field}
            assert fields <= {
                "advisor",
                "reference",
                "day",
                "time",
                "end_time",
                "phone",
                "email",
                "place",
                "municipality",
                "helpdesk_phone",
                "next_day",
                "next_time",
                "names",
                "name",
                "owner",
                "sector",
                "scheme_name",
                "partner",
                "agency",
                "closed_on",
                "place_name",
                "helpdesk_website",
                "closes_at",
                "helpdesk_hours",
                "hotline_hours",
                "hours",
                "holiday",
                "website",
                *FILLED,
            }, name


# --------------------------------------------------------------------------- hotline session start


def session_tracker(metadata=None, earlier_slots=()):
    events = [{"event": "session_started"}, *[slot(name, value) for name, value in earlier_slots]]
    slots = dict(earlier_slots)
    if metadata is not None:
        events.append(slot("session_started_metadata", metadata))
        slots["session_started_metadata"] = metadata
    return tracker(events, slots, latest_action="action_session_start")


def test_session_start_keeps_rasas_default_events(settings):
    dispatcher, events = run(
        ActionSessionStart(), session_tracker(earlier_slots=[("person_name", "Jan de Vries")])
    )
    assert events[0] == SessionStarted() and events[-1] == ActionExecuted("action_listen")
    assert SlotSet("person_name", "Jan de Vries") in events
    assert dispatcher.messages == []


def test_from_the_hotline_while_it_is_open_the_line_is_busy(settings):
    dispatcher, events = run(ActionSessionStart(), session_tracker({"source": "hotline"}))
    assert responses(dispatcher) == ["utter_hotline_busy"]
    assert "bezet" in texts(dispatcher)
    assert "/request_advisor" in [button["payload"] for button in render(dispatcher.messages)[0]["buttons"]]
    assert SlotSet("source", "hotline") in events
    assert events[0] == SessionStarted() and events[-1] == ActionExecuted("action_listen")


def test_from_the_hotline_in_the_evening_the_line_is_closed_until_tomorrow(settings, configure):
    configure(LOKET_FAKE_NOW=THURSDAY_2030)
    dispatcher, _ = run(ActionSessionStart(), session_tracker({"source": "hotline"}))
    assert responses(dispatcher) == ["utter_hotline_closed"]
    text = texts(dispatcher)
    assert "gesloten" in text and "morgen om 09:00 uur" in text and "terugbelt" in text


def test_other_sources_get_no_hotline_greeting(settings):
    dispatcher, events = run(ActionSessionStart(), session_tracker({"source": "website"}))
    assert dispatcher.messages == [] and SlotSet("source", "website") in events


def test_slots_emptied_when_the_form_starts_are_not_checked(settings):
    # action_start_booking empties these; Rasa passes them to the validation at activation
    dispatcher, values = validate({"appointment_slot": None, "booking_confirmed": None}, requested="")
    assert dispatcher.messages == []
    assert values["appointment_slot"] is None and values["booking_confirmed"] is None


def test_a_village_recognised_by_the_nlu_is_named_in_the_answer(settings):
    # DIET tags "beilen" and the synonym mapper turns it into the municipality
    text = "wij zitten in beilen"
    entity = {"entity": "municipality", "value": "Midden-Drenthe", "start": 14, "end": 20}
    answer = user("inform", text)
    answer["parse_data"]["entities"] = [entity]
    track = form_tracker(FORM, "municipality", {"municipality": "Midden-Drenthe"}, [REQUEST, answer])
    dispatcher, events = run(ValidateBookingForm(), track)
    assert slot_values(events)["municipality"] == "Midden-Drenthe"
    assert responses(dispatcher) == ["utter_booking_village"] and dispatcher.messages[0]["place"] == "Beilen"


# ------------------------------------------------------------------ explicit session start and greeting


def opened_by_widget(source, greeted_already=False):
    """Rasa's second run of action_session_start, for the widget's /session_start message."""
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        slot("session_started_metadata", {"source": source}),
        {"event": "action", "name": "action_listen"},
    ]
    if greeted_already:
        events.insert(3, {"event": "bot", "text": "Welkom! Onze telefonische hulplijn is bezet."})
    opening = user("session_start", "/session_start", confidence=1.0)
    opening["metadata"] = {"source": source}
    events.append(opening)
    return tracker(events, {"session_started_metadata": {"source": source}}, latest_action="action_listen")


def test_the_widget_opening_a_conversation_gets_the_general_greeting_once(settings):
    dispatcher, events = run(ActionSessionStart(), opened_by_widget("website"))
    assert responses(dispatcher) == ["utter_greet"]
    assert SessionStarted() not in events, "the session Rasa just started is not started again"
    assert events[-1] == ActionExecuted("action_listen")


def test_the_hotline_greeting_of_a_new_conversation_is_not_sent_twice(settings):
    dispatcher, _ = run(ActionSessionStart(), opened_by_widget("hotline", greeted_already=True))
    assert dispatcher.messages == []


def test_hallo_right_after_the_hotline_greeting_adds_no_second_greeting(settings):
    from actions.session import ActionGreet

    events = [  # Rasa's order: the action, its messages, then its events
        {"event": "action", "name": "action_session_start"},
        {"event": "bot", "text": "Welkom! Onze telefonische hulplijn is bezet."},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
        user("greet", "hallo"),
    ]
    dispatcher, _ = run(ActionGreet(), tracker(events))
    assert dispatcher.messages == []
    later = [*events, {"event": "bot", "text": "Dit past goed"}, user("greet", "hoi")]
    dispatcher, _ = run(ActionGreet(), tracker(later))
    assert responses(dispatcher) == ["utter_greet_again"]
    dispatcher, _ = run(ActionGreet(), tracker([{"event": "session_started"}, user("greet", "hallo")]))
    assert responses(dispatcher) == ["utter_greet"]


# --------------------------------------------------------------------------- the form takes what people type


@pytest.mark.parametrize(
    "slot_name, typed, intent, confidence, clean",
    [
        # an intent classifier's guess never refuses a name
        ("company_name", "Hofstede Fietsen", "out_of_scope", 0.67, "Hofstede Fietsen"),
        ("company_name", "Stop & Go Autoverhuur", "deny", 0.81, "Stop & Go Autoverhuur"),
        ("company_name", "De Groene Vlinder", "ask_innovation", 0.9, "De Groene Vlinder"),
        ("person_name", "Sanne Bakker", "inform", 1.0, "Sanne Bakker"),
        ("person_name", "Mohammed el Amrani", "out_of_scope", 0.9, "Mohammed el Amrani"),
        ("company_name", "nee", "deny", 0.99, "Nog geen bedrijf"),
        ("company_name", "nog geen", "deny", 0.9, "Nog geen bedrijf"),
        (
            "question_summary",
            "Hoe kom ik aan geld voor een nieuwe bus?",
            "ask_financing",
            0.98,
            "Hoe kom ik aan geld voor een nieuwe bus?",
        ),
    ],
)
def test_free_text_is_taken_as_typed_whatever_the_intent(
    settings, slot_name, typed, intent, confidence, clean
):
    _dispatcher, values = validate({slot_name: typed}, intent=intent, confidence=confidence)
    assert values[slot_name] == clean
    assert OUTCOME_SLOT not in values


def test_the_bots_own_advisor_button_inside_the_booking_just_goes_on(settings):
    dispatcher, values = validate(
        {"company_name": "/request_advisor"}, intent="request_advisor", confidence=1.0
    )
    assert responses(dispatcher) == ["utter_booking_already"]
    assert values["company_name"] is None and OUTCOME_SLOT not in values
    assert MISSES_SLOT not in values, "a button is never counted as a wrong answer"


def test_a_clear_question_in_between_is_answered_and_the_question_asked_again(settings):
    from bot.catalog.content import load_content

    load_content(settings=settings)
    typed = "Kan ik ook subsidie krijgen om te exporteren naar Duitsland?"
    dispatcher, values = validate({"company_name": typed}, intent="ask_export", confidence=0.97)
    assert values["company_name"] is None
    assert "Exportcarrousel" in texts(dispatcher)
    assert "utter_catalog_offer_advisor" not in responses(dispatcher), "no advisor offer inside the booking"


@pytest.mark.parametrize(
    "intent, typed, response",
    [
        ("help", "/help", "utter_help_in_form"),
        ("bot_challenge", "Ben ik nou met een robot aan het praten?", "utter_iamabot_in_form"),
        ("greet", "hallo", "utter_greet_in_form"),
        ("thank", "dank je", "utter_thank_in_form"),
    ],
)
def test_small_talk_in_between_gets_a_short_answer_and_the_form_goes_on(settings, intent, typed, response):
    dispatcher, values = validate({"person_name": typed}, intent=intent, confidence=0.95)
    assert responses(dispatcher) == [response]
    assert values["person_name"] is None and OUTCOME_SLOT not in values


def test_an_email_at_the_place_question_is_stored_as_the_email(settings):
    dispatcher, values = validate({"municipality": "piet@hofstede-fietsen.example.org"})
    assert values["email"] == "piet@hofstede-fietsen.example.org"
    assert values["municipality"] is None
    assert responses(dispatcher) == ["utter_noted_email"]
    assert "ligt" not in texts(dispatcher), "never taken as a place"


def test_a_name_and_an_email_in_one_message_fill_both(settings):
    _dispatcher, values = validate({"person_name": "Piet Hofstede, piet@hofstede.example.org"})
    assert values["person_name"] == "Piet Hofstede"
    assert values["email"] == "piet@hofstede.example.org"


def test_a_phone_number_at_the_company_question_is_stored_as_the_phone(settings):
    _, values = validate({"company_name": "bel me maar op 06 12345678"})
    assert values["phone"] == "+31612345678" and values["company_name"] is None


@pytest.mark.parametrize("typed", ["stop", "Stoppen!", "laat maar", "ik wil toch geen afspraak", "/deny"])
def test_stop_ends_the_form_at_any_question(settings, typed):
    intent = "deny" if typed.startswith("/") else "inform"
    for requested in ("person_name", "email", "appointment_slot"):
        _, values = validate({requested: typed}, intent=intent)
        assert values[OUTCOME_SLOT] == STOPPED and values["requested_slot"] is None
        assert values[requested] is None


def test_goodbye_ends_the_form(settings):
    _, values = validate({"municipality": "doei"}, intent="goodbye", confidence=0.99)
    assert values[OUTCOME_SLOT] == GOODBYE


def test_asking_to_cancel_an_appointment_leaves_the_booking_for_the_cancel_form(settings):
    typed = "Kan ik mijn afspraak van volgende week afzeggen?"
    _, values = validate({"person_name": typed}, intent="cancel_appointment", confidence=0.95)
    assert values[OUTCOME_SLOT] == TO_CANCEL


def test_an_optional_question_is_skipped_after_two_misses(settings):
    dispatcher, values = validate({"employees": "heel veel"})
    assert responses(dispatcher) == ["utter_invalid_employees"]
    misses = values[MISSES_SLOT]
    dispatcher, values = validate({"employees": "echt heel veel"}, slots={MISSES_SLOT: misses})
    assert values["employees"] == SKIPPED and responses(dispatcher) == ["utter_form_skipped"]


def test_i_dont_know_skips_an_optional_question_at_once(settings):
    dispatcher, values = validate({"municipality": "weet ik niet"})
    assert values["municipality"] == SKIPPED and responses(dispatcher) == ["utter_form_skipped"]


def test_a_required_question_offers_a_way_on_after_two_misses_and_ends_after_three(settings):
    slots = {"contact_preference": "e-mail"}  # then the e-mail address is needed
    dispatcher, values = validate({"email": "jan at bakkerij"}, slots=slots)
    assert responses(dispatcher) == ["utter_invalid_email"]
    slots[MISSES_SLOT] = values[MISSES_SLOT]
    dispatcher, values = validate({"email": "jan bij bakkerij punt nl"}, slots=slots)
    assert responses(dispatcher) == ["utter_invalid_email", "utter_form_way_on"]
    assert HELPDESK_PHONE in texts(dispatcher)
    assert "/deny" in [button["payload"] for button in buttons_shown(dispatcher)]
    slots[MISSES_SLOT] = values[MISSES_SLOT]
    _, values = validate({"email": "weet niet"}, slots=slots)
    assert values[OUTCOME_SLOT] == GAVE_UP and values["requested_slot"] is None


def test_a_name_that_does_not_look_like_one_is_taken_the_second_time(settings):
    _, values = validate({"person_name": "Jan 2"})
    assert values["person_name"] is None
    _, values = validate({"person_name": "Jan 2"}, slots={MISSES_SLOT: values[MISSES_SLOT]})
    assert values["person_name"] == "Jan 2"


@pytest.mark.parametrize(
    "said, intent, expected",
    [
        ("/affirm", "affirm", True),
        ("/deny", "deny", False),
        ("ja graag", "affirm", True),
        ("Klopt!", "inform", True),
        ("nee, dat klopt niet", "deny", False),
    ],
)
def test_the_confirmation_reads_buttons_and_typed_yes_or_no(settings, said, intent, expected):
    _, values = validate({"booking_confirmed": said}, intent=intent)
    assert values["booking_confirmed"] is expected


def test_something_else_at_the_confirmation_is_asked_again(settings):
    dispatcher, values = validate({"booking_confirmed": "misschien"}, intent="inform")
    assert values["booking_confirmed"] is None and responses(dispatcher) == [
        "utter_invalid_booking_confirmed"
    ]


@pytest.mark.parametrize(
    "outcome, expected",
    [
        (STOPPED, ["utter_booking_stopped"]),
        (GOODBYE, ["utter_booking_stopped", "utter_goodbye", "utter_ask_rating"]),
        (GAVE_UP, ["utter_booking_gave_up"]),
    ],
)
def test_a_form_that_ended_early_books_nothing_and_says_why(settings, outcome, expected):
    dispatcher, events = submit(**{OUTCOME_SLOT: outcome, "booking_confirmed": None})
    assert responses(dispatcher) == expected
    assert stored(settings) == []
    assert slot_values(events)[OUTCOME_SLOT] is None


def test_after_a_booking_the_rating_is_asked_once(settings):
    dispatcher, events = submit(appointment_slot="2024-12-06T09:45:00+01:00")
    assert responses(dispatcher)[-1] == "utter_ask_rating"
    payloads = [button["payload"] for button in dispatcher.messages[-1]["buttons"]]
    assert payloads == [f'/inform{{"rating": {mark}}}' for mark in range(1, 11)]
    assert slot_values(events)["rating_asked"] is True
    dispatcher, _ = submit(appointment_slot="2024-12-06T10:30:00+01:00", rating_asked=True)
    assert "utter_ask_rating" not in responses(dispatcher)


def test_a_fictional_sample_advisor_is_not_named_as_a_real_person(settings):
    dispatcher, _ = submit(appointment_slot="2024-12-06T09:45:00+01:00")
    [appointment] = stored(settings)
    assert appointment.advisor.first_name not in texts(dispatcher)
    assert "een adviseur" in texts(dispatcher)
