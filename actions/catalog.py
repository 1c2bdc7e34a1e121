"""Answers from the catalog: topic questions, corona schemes, events, the program.

Thin adapters: read slots, ask bot.catalog.queries, lay the result out as messages.
Framing sentences are `utter_catalog_*` responses in domain.yml. Every action opens
its own database session; when the database fails the user gets a polite message.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from bot.catalog import formatting, queries
from bot.catalog.vocabulary import SCHEME_IDS, TOPICS
from bot.db import session_scope
from bot.places import canonical_municipality
from bot.settings import get_settings
from bot.topics import TOPIC_INTENTS, topic_of

logger = logging.getLogger(__name__)

ADVISOR_PAYLOAD = "/request_advisor"
TOPIC_INTENT = {topic: intent for intent, (topic, _label) in TOPIC_INTENTS.items()}
# Buttons for the company-size question: (title, a number in that range).
SIZE_CHOICES = (("1", 1), ("2–50", 10), ("51–250", 100), ("250+", 251))


class Reply:
    """Messages and events gathered while the database is read, sent only when all
    went well, so a failure halfway never leaves half an answer."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    def say(self, **message: Any) -> None:
        self.messages.append(message)


def answer(dispatcher: CollectingDispatcher, build: Callable[[Session, Reply], None]) -> list[dict[str, Any]]:
    reply = Reply()
    try:
        with session_scope() as session:
            build(session, reply)
    except Exception:  # the database, the content or a bug: the user still gets an answer
        logger.exception("catalog answer failed")
        settings = get_settings()
        dispatcher.utter_message(response="utter_catalog_unavailable", helpdesk_phone=settings.helpdesk_phone)
        return []
    for message in reply.messages:
        dispatcher.utter_message(**message)
    return reply.events


def entity_or_slot(tracker: Tracker, name: str) -> Optional[Any]:
    """The value in the latest message (the newest word) or else the slot."""
    values = list(tracker.get_latest_entity_values(name))
    if values:
        return values[0]
    return tracker.get_slot(name)


def known_municipality(tracker: Tracker) -> Optional[str]:
    return canonical_municipality(entity_or_slot(tracker, "municipality"))


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value.strip() else None


def size_buttons(topic: str) -> list[dict[str, str]]:
    intent = TOPIC_INTENT[topic]
    return [
        {"title": title, "payload": f"/{intent}{json.dumps({'employees': str(number)})}"}
        for title, number in SIZE_CHOICES
    ]


def answer_topic(session: Session, reply: Reply, tracker: Tracker, topic: str, may_ask_size: bool) -> None:
    pending = tracker.get_slot("pending_topic")
    result = queries.topic_answer(
        session,
        topic,
        employees=entity_or_slot(tracker, "employees"),
        municipality=known_municipality(tracker),
        sector=_text(entity_or_slot(tracker, "sector")),
        today=get_settings().now().date(),
        may_ask_size=may_ask_size and pending != topic,  # never ask twice for the same question
    )
    if result.ask_size:
        reply.say(response="utter_catalog_ask_size", buttons=size_buttons(topic))
        reply.events.append(SlotSet("pending_topic", topic))
        return
    if pending:
        reply.events.append(SlotSet("pending_topic", None))
    if not result.instruments:
        reply.say(response="utter_catalog_nothing_found")
        if topic == "crisis":
            reply.say(response="utter_catalog_crisis_callback")
        return
    if result.beyond_sme:
        reply.say(response="utter_catalog_size_beyond")
    if result.partner_first:
        reply.say(response="utter_catalog_partner_first", partner=result.partner_first.owner)
    else:
        reply.say(response="utter_catalog_topic_intro")
    for instrument in result.instruments:
        reply.say(text=formatting.instrument_text(instrument))
    reply.say(response="utter_catalog_crisis_callback" if topic == "crisis" else "utter_catalog_offer_advisor")


class ActionAnswerTopic(Action):
    """ask_start, ask_growth, … : the one to three instruments that fit best."""

    def name(self) -> str:
        return "action_answer_topic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        topic = topic_of(intent)
        if topic not in TOPICS:
            topic = tracker.get_slot("pending_topic")
        if topic not in TOPICS:
            dispatcher.utter_message(response="utter_catalog_nothing_found")
            return []
        # Inside a form (a question in the middle of booking) answer at once: the form asks next.
        may_ask_size = tracker.active_loop_name is None
        return answer(dispatcher, lambda session, reply: answer_topic(session, reply, tracker, topic, may_ask_size))


class ActionAnswerInform(Action):
    """A detail (size, municipality, sector…) outside a form: it completes the
    question that waited for it, or is simply acknowledged."""

    def name(self) -> str:
        return "action_answer_inform"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        topic = tracker.get_slot("pending_topic")
        if topic not in TOPICS:
            dispatcher.utter_message(response="utter_catalog_noted")
            return [SlotSet("pending_topic", None)] if topic else []
        return answer(dispatcher, lambda session, reply: answer_topic(session, reply, tracker, topic, False))


def scheme_buttons(schemes: list[queries.SchemeView]) -> list[dict[str, str]]:
    return [
        {"title": scheme.name, "payload": f"/ask_corona_scheme{json.dumps({'scheme': scheme.id})}"}
        for scheme in schemes
    ]


class ActionAnswerScheme(Action):
    """ask_corona_scheme: one scheme's story and what to do now, or a choice of schemes."""

    def name(self) -> str:
        return "action_answer_scheme"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        asked = _text(entity_or_slot(tracker, "scheme"))

        def build(session: Session, reply: Reply) -> None:
            scheme_id = asked if asked in SCHEME_IDS else queries.find_scheme_id(session, asked)
            scheme = queries.scheme(session, scheme_id) if scheme_id else None
            if scheme is None:
                schemes = queries.schemes(session)
                if not schemes:
                    reply.say(response="utter_catalog_nothing_found")
                    return
                response = "utter_catalog_scheme_unknown" if asked else "utter_catalog_pick_scheme"
                reply.say(response=response, buttons=scheme_buttons(schemes))
                if asked:
                    reply.events.append(SlotSet("scheme", None))
                return
            reply.say(text=formatting.scheme_text(scheme))
            if scheme.closed_on:
                reply.say(
                    response="utter_catalog_scheme_closed_since",
                    scheme_name=scheme.name,
                    agency=scheme.agency,
                    closed_on=formatting.long_date(scheme.closed_on),
                )
            else:
                reply.say(response="utter_catalog_scheme_closed", scheme_name=scheme.name, agency=scheme.agency)
            reply.say(text=formatting.scheme_follow_up_text(scheme))
            reply.say(response="utter_catalog_offer_advisor")
            if tracker.get_slot("scheme") != scheme.id:
                reply.events.append(SlotSet("scheme", scheme.id))

        return answer(dispatcher, build)


class ActionListEvents(Action):
    """ask_events: upcoming events, nearest first, in the person's municipality
    (plus online ones) and on the topic of the question when one is named."""

    def name(self) -> str:
        return "action_list_events"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        settings = get_settings()
        municipality = known_municipality(tracker)
        text = tracker.latest_message.get("text")

        def build(session: Session, reply: Reply) -> None:
            now = settings.now()
            topic = queries.topic_in_text(session, text)
            events = queries.upcoming_events(session, now, municipality=municipality, topic=topic)
            if events:
                if municipality:
                    reply.say(response="utter_catalog_events_intro_place", place_name=municipality)
                else:
                    reply.say(response="utter_catalog_events_intro")
            elif municipality or topic:
                events = queries.upcoming_events(session, now)
                if events:
                    reply.say(response="utter_catalog_events_none_matching")
            if not events:
                reply.say(response="utter_catalog_events_none", helpdesk_website=settings.helpdesk_website)
                return
            for event in events:
                reply.say(text=formatting.event_text(event))

        return answer(dispatcher, build)


class ActionAboutProgram(Action):
    """ask_about_program: what the program is, who is behind it, what it costs."""

    def name(self) -> str:
        return "action_about_program"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        def build(session: Session, reply: Reply) -> None:
            facts = queries.program_facts(session)
            if not facts:
                reply.say(response="utter_catalog_nothing_found")
                return
            reply.say(text=formatting.facts_text(facts))
            reply.say(response="utter_catalog_offer_advisor")

        return answer(dispatcher, build)
