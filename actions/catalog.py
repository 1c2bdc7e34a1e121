"""Answers from the catalog: topic questions, corona schemes, events, the program, and
the follow-up questions about them.

Thin adapters over bot/catalog/desk.py: read what is known, ask the desk, lay the result
out as messages. Framing sentences are `utter_catalog_*` responses in domain.yml.

- Answer first: a topic question gets its instruments at once; when the company size
  would change them, the size buttons come after the answer (they set `company_size`).
- Context: the last topic, scheme and instruments are remembered, so "moet ik die
  terugbetalen?" or "wat kost dat?" is answered for what was just discussed, and the
  same instruments are not shown in full twice in a row.
- A statement with details ("ik heb een camping in Dwingeloo en wil meer gasten") is
  answered for what was said.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.follow_up import aspect_of, refers_back
from actions.rating import take_rating
from actions.turns import Turn, as_text, entity_or_slot, latest_turn, slot_before_this_turn
from bot.catalog import desk, formatting
from bot.catalog.queries import InstrumentView, SchemeView
from bot.catalog.vocabulary import TOPICS
from bot.company import known_size
from bot.places import canonical_municipality
from bot.settings import Settings, get_settings
from bot.topics import topic_of

logger = logging.getLogger(__name__)

# Topics answered with instruments (the others have their own actions).
INSTRUMENT_TOPICS = frozenset(TOPICS) - {"corona", "events"}
BOOKING_FORM = "booking_form"
# How sure a runner-up intent must be to say what a statement is about.
STATEMENT_TOPIC_CONFIDENCE = 0.1
_PROGRAM_ASPECTS = (
    ("cost", re.compile(r"\b(kost|kosten|prijs|gratis|betalen|tarief|geld voor)")),
    (
        "who",
        re.compile(
            r"\b(wie (betaalt|zit|zitten|financiert|organiseert|doet)|achter|van wie|betaald door|partners)"
        ),
    ),
    ("for_whom", re.compile(r"\b(voor wie|doelgroep|ook voor|in aanmerking|mag ik|kan ik ook)")),
)


class Reply:
    """Messages and events gathered while the catalog is read, sent only when all went
    well, so a failure halfway never leaves half an answer. It carries the settings the
    action read at its start, for the catalog look-ups on the way."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.messages: list[dict[str, Any]] = []
        self.events: list[EventType] = []

    def say(self, **message: Any) -> None:
        self.messages.append(message)

    def set(self, slot: str, value: Any) -> None:
        self.events.append(SlotSet(slot, value))


def answer(
    dispatcher: CollectingDispatcher, settings: Settings, build: Callable[[Reply], object]
) -> list[EventType]:
    reply = Reply(settings)
    try:
        build(reply)
    except Exception:  # the database, the content or a bug: the user still gets an answer
        logger.exception("catalog answer failed")
        dispatcher.utter_message(response="utter_catalog_unavailable", helpdesk_phone=settings.helpdesk_phone)
        return []
    for message in reply.messages:
        dispatcher.utter_message(**message)
    return reply.events


def known_municipality(tracker: Tracker) -> str | None:
    return canonical_municipality(entity_or_slot(tracker, "municipality"))


def known_sector(tracker: Tracker) -> str | None:
    sector = as_text(entity_or_slot(tracker, "sector"))
    return sector.strip() if sector and sector.strip() else None


def _names(instruments: list[InstrumentView]) -> str:
    names = [instrument.name for instrument in instruments]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"


# --- topic answers ----------------------------------------------------------------------------


def topic_intro(reply: Reply, turn: Turn, tracker: Tracker, result: Any) -> None:
    """The first line: the partner that fits better, or what was said, or a plain lead-in."""
    if result.beyond_sme:
        reply.say(response="utter_catalog_size_beyond")
    if result.partner_first:
        reply.say(
            response="utter_catalog_partner_first",
            partner=formatting.owner_in_sentence(result.partner_first.owner),
        )
        return
    sector, place = turn.typed("sector"), turn.typed("municipality")
    if sector and place:
        reply.say(response="utter_catalog_intro_sector_place", sector=sector.lower(), place=place)
    elif sector:
        reply.say(response="utter_catalog_intro_sector", sector=sector.lower())
    elif place:
        reply.say(response="utter_catalog_intro_place", place=place)
    else:
        reply.say(response="utter_catalog_topic_intro")


def answer_topic(reply: Reply, tracker: Tracker, topic: str, may_ask_size: bool = True) -> None:
    """The instruments that fit best, answer first; the size question after, if it matters."""
    turn = latest_turn(tracker)
    pending = tracker.get_slot("pending_topic")
    in_booking = tracker.active_loop_name == BOOKING_FORM
    size = known_size(entity_or_slot(tracker, "employees"), entity_or_slot(tracker, "company_size"))
    result = desk.topic_answer(
        topic,
        size=size,
        municipality=known_municipality(tracker),
        sector=known_sector(tracker),
        today=reply.settings.now().date(),
        may_ask_size=may_ask_size and not in_booking and tracker.active_loop_name is None,
        settings=reply.settings,
    )
    if not result.instruments:
        reply.say(response="utter_catalog_nothing_found")
        if topic == "crisis":
            reply.say(response="utter_catalog_crisis_callback")
        return
    ids = [instrument.id for instrument in result.instruments]
    if tracker.get_slot("last_topic") == topic and tracker.get_slot("last_instruments") == ids:
        reply.say(response="utter_catalog_same_instruments", names=_names(result.instruments))
    else:
        topic_intro(reply, turn, tracker, result)
        for instrument in result.instruments:
            reply.say(text=formatting.instrument_text(instrument))
    if topic == "crisis":
        reply.say(response="utter_catalog_crisis_callback")
    elif not in_booking:
        reply.say(response="utter_catalog_offer_advisor")
    reply.set("last_topic", topic)
    reply.set("last_instruments", ids)
    if result.ask_size and pending != topic:
        reply.say(response="utter_catalog_ask_size")
        reply.set("pending_topic", topic)
    elif pending:
        reply.set("pending_topic", None)


def statement_topic(tracker: Tracker, settings: Settings) -> str | None:
    """What a statement without a question is about: a topic word in it, or the classifier's
    best topic after `inform`."""
    turn = latest_turn(tracker)
    found = desk.topic_in_text(turn.text, settings)
    if found in INSTRUMENT_TOPICS:
        return found
    for item in (tracker.latest_message or {}).get("intent_ranking") or []:
        topic = topic_of(item.get("name"))
        if topic in INSTRUMENT_TOPICS and (item.get("confidence") or 0) >= STATEMENT_TOPIC_CONFIDENCE:
            return topic
    return None


class ActionAnswerTopic(Action):
    """ask_start, ask_growth, … : the one to three instruments that fit best."""

    def name(self) -> str:
        return "action_answer_topic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        topic = topic_of(latest_turn(tracker).intent)
        if topic not in INSTRUMENT_TOPICS:
            topic = tracker.get_slot("pending_topic") or tracker.get_slot("last_topic")
        if topic not in INSTRUMENT_TOPICS:
            dispatcher.utter_message(response="utter_catalog_nothing_found")
            return []
        return answer(dispatcher, get_settings(), lambda reply: answer_topic(reply, tracker, topic))


class ActionAnswerInform(Action):
    """A detail outside a form: a mark for the rating, the size a topic answer waited for,
    a statement with details, a detail for the last topic, or else: noted, and what now."""

    def name(self) -> str:
        return "action_answer_inform"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        settings = get_settings()
        rated = take_rating(dispatcher, tracker)
        if rated is not None:
            return rated
        turn = latest_turn(tracker)
        pending = tracker.get_slot("pending_topic")
        size_given = turn.entity("company_size") is not None or turn.entity("employees") is not None
        if pending in INSTRUMENT_TOPICS and size_given:
            return answer(
                dispatcher, settings, lambda reply: answer_topic(reply, tracker, pending, may_ask_size=False)
            )

        def build(reply: Reply) -> None:
            topic = statement_topic(tracker, reply.settings)
            last = tracker.get_slot("last_topic")
            detail = any(turn.entity(name) is not None for name in ("municipality", "sector", "employees"))
            if topic is None and last in INSTRUMENT_TOPICS and (detail or size_given or refers_back(turn)):
                topic = last
            if topic is not None:
                answer_topic(reply, tracker, topic)
            else:
                reply.say(response="utter_catalog_noted")
                if pending:
                    reply.set("pending_topic", None)

        return answer(dispatcher, settings, build)


# --- follow-ups on the instruments just named -----------------------------------------------


def answer_about_instruments(reply: Reply, tracker: Tracker, aspect: str | None) -> bool:
    """A follow-up about the instruments of the last answer ("wat kost dat?", "hoe meld ik
    me aan?"); False when there were none to talk about."""
    ids = tracker.get_slot("last_instruments") or []
    instruments = desk.instruments(ids, reply.settings) if isinstance(ids, list) else []
    if not instruments:
        return False
    if aspect == "cost":
        own = [instrument for instrument in instruments if instrument.is_own]
        if own:
            reply.say(response="utter_catalog_cost_own", names=_names(own))
        for instrument in instruments:
            if not instrument.is_own:
                reply.say(
                    response="utter_catalog_cost_partner",
                    name=instrument.name,
                    owner=formatting.owner_in_sentence(instrument.owner),
                )
    elif aspect == "for_whom":
        for instrument in instruments:
            reply.say(text=f"{instrument.name}: {instrument.for_whom}")
    else:
        reply.say(response="utter_catalog_next_steps")
        for instrument in instruments:
            reply.say(text=formatting.next_step_text(instrument))
    reply.say(response="utter_catalog_offer_advisor")
    return True


# --- corona schemes -------------------------------------------------------------------------------


def scheme_buttons(schemes: list[SchemeView]) -> list[dict[str, str]]:
    return [
        {"title": scheme.name, "payload": f'/ask_corona_scheme{{"scheme": "{scheme.id}"}}'}
        for scheme in schemes
    ]


def say_scheme_status(reply: Reply, scheme: SchemeView) -> None:
    if scheme.closed_on:
        reply.say(
            response="utter_catalog_scheme_closed_since",
            agency=scheme.agency,
            closed_on=formatting.long_date(scheme.closed_on),
        )
    else:
        reply.say(response="utter_catalog_scheme_closed", agency=scheme.agency)


def answer_scheme(reply: Reply, scheme: SchemeView, aspect: str | None, focused: bool) -> None:
    """The whole story of a scheme, or, for a follow-up, the part that was asked."""
    if not focused:
        reply.say(text=formatting.scheme_text(scheme))
        say_scheme_status(reply, scheme)
        reply.say(text=formatting.scheme_follow_up_text(scheme))
    elif aspect == "what":
        reply.say(response="utter_catalog_scheme_focus", scheme_name=scheme.name)
        reply.say(text=formatting.scheme_text(scheme))
    elif aspect in ("status", "who"):
        reply.say(response="utter_catalog_scheme_focus", scheme_name=scheme.name)
        say_scheme_status(reply, scheme)
        reply.say(text=f"→ {scheme.link}")
    else:  # settlement, objection, or just "en die?": what to do now
        reply.say(response="utter_catalog_scheme_focus", scheme_name=scheme.name)
        reply.say(text=formatting.scheme_follow_up_text(scheme))
    reply.say(response="utter_catalog_offer_advisor")
    reply.set("scheme", scheme.id)
    reply.set("last_topic", "corona")


class ActionAnswerScheme(Action):
    """ask_corona_scheme: one scheme's story and what to do now, the part a follow-up asks
    about, or a choice of schemes."""

    def name(self) -> str:
        return "action_answer_scheme"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        turn = latest_turn(tracker)
        named = as_text(turn.entity("scheme"))
        # The scheme of the last answer: the slot as it was before this message's entity filled it.
        remembered = as_text(slot_before_this_turn(tracker, "scheme"))
        aspect = aspect_of(turn.text)
        settings = get_settings()

        def build(reply: Reply) -> None:
            scheme = desk.scheme(named, settings) if named else None
            if scheme is None and not turn.is_payload:
                scheme = desk.scheme(turn.text, settings)  # a name the entity extractor missed
            if scheme is not None:
                answer_scheme(reply, scheme, aspect, focused=scheme.id == remembered and aspect is not None)
                return
            if named is None and remembered and (aspect or refers_back(turn)):
                last = desk.scheme(remembered, settings)
                if last is not None:
                    answer_scheme(reply, last, aspect, focused=True)
                    return
            schemes = desk.schemes(settings)
            if not schemes:
                reply.say(response="utter_catalog_nothing_found")
                return
            reply.say(
                response="utter_catalog_scheme_unknown" if named else "utter_catalog_pick_scheme",
                buttons=scheme_buttons(schemes),
            )
            reply.set("last_topic", "corona")

        return answer(dispatcher, settings, build)


def answer_follow_up(reply: Reply, tracker: Tracker) -> bool:
    """A message the classifier did not understand that leans on the last answer ("en de
    vaststelling?", "wat moet ik dan nog doen voor de eindafrekening?"), answered for it;
    False if it isn't one."""
    turn = latest_turn(tracker)
    aspect = aspect_of(turn.text)
    if turn.is_payload or not (refers_back(turn) or aspect is not None):
        return False
    last = tracker.get_slot("last_topic")
    if last == "corona" and tracker.get_slot("scheme"):
        scheme = desk.scheme(as_text(tracker.get_slot("scheme")), reply.settings)
        if scheme is not None:
            answer_scheme(reply, scheme, aspect, focused=True)
            return True
    if last in INSTRUMENT_TOPICS and aspect in ("cost", "apply", "for_whom", "who"):
        return answer_about_instruments(reply, tracker, aspect)
    return False


# --- events and the program --------------------------------------------------------------------


class ActionListEvents(Action):
    """ask_events: upcoming events, nearest first, in the person's municipality
    (plus online ones) and on the topic of the question when one is named."""

    def name(self) -> str:
        return "action_list_events"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        settings = get_settings()
        municipality = known_municipality(tracker)
        text = latest_turn(tracker).text

        def build(reply: Reply) -> None:
            events, matching = desk.events(settings.now(), municipality, text, settings)
            if not events:
                reply.say(response="utter_catalog_events_none", helpdesk_website=settings.helpdesk_website)
                return
            if not matching:
                reply.say(response="utter_catalog_events_none_matching")
            elif municipality:
                reply.say(response="utter_catalog_events_intro_place", place_name=municipality)
            else:
                reply.say(response="utter_catalog_events_intro")
            for event in events:
                reply.say(text=formatting.event_text(event))
            reply.set("last_topic", "events")

        return answer(dispatcher, settings, build)


class ActionAboutProgram(Action):
    """ask_about_program: what the program is, who is behind it, what it costs; a cost
    question right after an answer is about the instruments just named."""

    def name(self) -> str:
        return "action_about_program"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        turn = latest_turn(tracker)
        lowered = turn.text.lower()
        aspect = next((name for name, pattern in _PROGRAM_ASPECTS if pattern.search(lowered)), None)
        settings = get_settings()

        def build(reply: Reply) -> None:
            if aspect == "cost" and refers_back(turn) and answer_about_instruments(reply, tracker, "cost"):
                return
            facts = desk.program_facts(settings)
            if not facts:
                reply.say(response="utter_catalog_nothing_found")
                return
            chosen = [fact for fact in facts if fact.key == aspect] if aspect else []
            reply.say(text=formatting.facts_text(chosen or [fact for fact in facts if fact.key != "contact"]))
            if tracker.active_loop_name != BOOKING_FORM:
                reply.say(response="utter_catalog_offer_advisor")

        return answer(dispatcher, settings, build)
