"""The summary per conversation: folded incrementally from the tracker store's events
(a cursor on the events' id), so the conversation list never reads every event.

`sync()` runs before every list and transcript request, from the CLI
(`python -m bot console sync`) and every minute in the web app. Two runs at once are
safe: the cursor only moves forward with a conditional update, the loser rolls back.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from bot.booking.models import Appointment
from bot.console import inbox
from bot.console.models import ConversationSummary, ConversationTag, InboxMessage, SyncCursor
from bot.console.tracker import Event, conversation_events, events_after
from bot.db import utc_now
from bot.settings import Settings
from bot.topics import TOPIC_INTENTS

CURSOR = "tracker_events"
BATCH = 5000
FALLBACK_INTENT = "nlu_fallback"
# The action that follows a message the assistant did not understand (data/rules/fallback.yml, config.yml).
FALLBACK_ACTION = "action_clarify"
HANDOFF_INTENT = "request_advisor"
SEARCH_TEXT_LIMIT = 4000
PAGE_SIZE = 50

_lock = threading.Lock()


def sync(session: Session, settings: Settings, batch: int = BATCH) -> int:
    """Fold the events written since the last run into the summaries; returns how many."""
    with _lock:
        cursor = session.get(SyncCursor, CURSOR)
        if cursor is None:
            cursor = SyncCursor(name=CURSOR, position=0)
            session.add(cursor)
            session.flush()
        start = position = cursor.position
        folded = 0
        while True:
            batch_events = events_after(settings.tracker_store_url, position, batch)
            if not batch_events:
                break
            _fold_batch(session, settings, batch_events)
            position = batch_events[-1].id
            folded += len(batch_events)
            if len(batch_events) < batch:
                break
        if position != start:
            moved = session.execute(
                update(SyncCursor)
                .where(SyncCursor.name == CURSOR, SyncCursor.position == start)
                .values(position=position, updated_at=utc_now())
                .execution_options(synchronize_session=False)
            ).rowcount
            if moved != 1:  # another process folded the same events first
                session.rollback()
                return 0
            session.expire(cursor)
        return folded


def _fold_batch(session: Session, settings: Settings, batch: list[Event]) -> None:
    senders = {event.sender_id for event in batch}
    summaries = {
        summary.sender_id: summary
        for summary in session.execute(
            select(ConversationSummary).where(ConversationSummary.sender_id.in_(senders))
        ).scalars()
    }
    pending_texts: dict[int, Event] = {}
    for event in batch:
        summary = summaries.get(event.sender_id)
        if summary is None:
            summary = ConversationSummary(
                sender_id=event.sender_id,
                started_at=event.at,
                last_event_at=event.at,
                last_event_id=event.id,
                user_messages=0,
                topics=[],
                topics_key=" ",
                search_text="",
                handed_off=False,
                fallbacks=0,
            )
            session.add(summary)
            summaries[event.sender_id] = summary
        _fold(session, settings, summary, event, pending_texts)
    link_bookings(session, summaries)


def _fold(
    session: Session,
    settings: Settings,
    summary: ConversationSummary,
    event: Event,
    pending_texts: dict[int, Event],
) -> None:
    summary.last_event_at = max(summary.last_event_at, event.at)
    summary.last_event_id = event.id
    data = event.data
    if event.type_name == "user":
        _fold_user(session, summary, event, pending_texts)
    elif event.type_name == "action" and data.get("name") == FALLBACK_ACTION:
        summary.fallbacks += 1
        if summary.last_user_event_id is not None:
            user_event = pending_texts.get(summary.last_user_event_id) or _user_event(
                settings, summary.sender_id, summary.last_user_event_id
            )
            if user_event is not None:
                inbox.collect(session, user_event, inbox.FALLBACK)
    elif event.type_name == "slot" and data.get("name") == "rating":
        value = data.get("value")
        summary.rating = value if isinstance(value, int) and not isinstance(value, bool) else None
    elif event.type_name == "slot" and data.get("name") == "rating_comment":
        value = data.get("value")
        summary.rating_comment = str(value)[:1000] if value and value != "skipped" else None


def _fold_user(
    session: Session, summary: ConversationSummary, event: Event, pending_texts: dict[int, Event]
) -> None:
    text = str(event.data.get("text") or "")
    parse = event.data.get("parse_data") or {}
    intent = (parse.get("intent") or {}).get("name")
    summary.user_messages += 1
    if intent in TOPIC_INTENTS and intent not in summary.topics:
        summary.topics = [*summary.topics, intent]
        summary.topics_key = " " + " ".join(summary.topics) + " "
    if intent == HANDOFF_INTENT:
        summary.handed_off = True
    if text.startswith("/"):  # a button's payload: not something the person typed
        return
    summary.last_user_event_id = event.id
    pending_texts[event.id] = event
    if summary.first_message is None and text.strip():
        summary.first_message = text[:300]
    if len(summary.search_text) < SEARCH_TEXT_LIMIT:
        summary.search_text = (summary.search_text + " " + text.lower())[:SEARCH_TEXT_LIMIT]
    confidence = (parse.get("intent") or {}).get("confidence")
    if intent == FALLBACK_INTENT:
        return  # the action_clarify that follows puts it in the inbox
    if isinstance(confidence, (int, float)) and confidence < inbox.CONFIDENCE_THRESHOLD:
        inbox.collect(session, event, inbox.LOW_CONFIDENCE)


def _user_event(settings: Settings, sender_id: str, event_id: int) -> Event | None:
    return next(
        (e for e in conversation_events(settings.tracker_store_url, sender_id) if e.id == event_id), None
    )


def link_bookings(session: Session, summaries: dict[str, ConversationSummary]) -> None:
    """A booking made in the conversation is a hand-off; the newest one is linked.
    (Also called for the transcript, in case the booking was stored after the last event.)"""
    rows = session.execute(
        select(Appointment.sender_id, Appointment.reference)
        .where(Appointment.sender_id.in_(list(summaries)))
        .order_by(Appointment.id)
    ).all()
    for sender_id, reference in rows:
        summary = summaries[sender_id]
        summary.booking_reference = reference
        summary.handed_off = True


# --- the list --------------------------------------------------------------------------------------

YES, NO = "ja", "nee"
LOW_RATING = 5  # "low" means 1 to 5


@dataclass
class Filters:
    """The list's filters, as they appear in the URL (so a view can be bookmarked)."""

    date_from: date | None = None
    date_to: date | None = None
    topic: str = ""
    handed_off: str = ""  # "ja" | "nee" | ""
    fallbacks: str = ""  # "ja" | "nee" | ""
    rating: str = ""  # "" | "geen" | "laag" | "1".."10"
    reviewed: str = ""  # "ja" | "nee" | ""
    tag: str = ""
    q: str = ""
    page: int = 1
    per_page: int = PAGE_SIZE
    errors: list[str] = field(default_factory=list)

    FIELDS = ("date_from", "date_to", "topic", "handed_off", "fallbacks", "rating", "reviewed", "tag", "q")

    @classmethod
    def from_query(cls, params, max_per_page: int = 200) -> Filters:
        filters = cls()
        for name in ("date_from", "date_to"):
            value = (params.get(name) or "").strip()
            if value:
                try:
                    setattr(filters, name, date.fromisoformat(value))
                except ValueError:
                    filters.errors.append(f"De datum '{value}' klopt niet; gebruik jjjj-mm-dd.")
        topic = (params.get("topic") or "").strip()
        filters.topic = topic if topic in TOPIC_INTENTS else ""
        for name in ("handed_off", "fallbacks", "reviewed"):
            value = (params.get(name) or "").strip().lower()
            setattr(filters, name, value if value in (YES, NO) else "")
        rating = (params.get("rating") or "").strip().lower()
        filters.rating = rating if rating in ("geen", "laag", *map(str, range(1, 11))) else ""
        filters.tag = (params.get("tag") or "").strip()[:40]
        filters.q = (params.get("q") or "").strip()[:200]
        filters.page = _positive_int(params.get("page"), 1)
        filters.per_page = min(_positive_int(params.get("per_page"), PAGE_SIZE), max_per_page)
        return filters

    def query_items(self, **changes) -> list[tuple[str, str]]:
        """The filters as URL parameters (only those set), with `changes` applied."""
        items = []
        for name in (*self.FIELDS, "per_page", "page"):
            value = changes.get(name, getattr(self, name))
            if (name, value) in (("page", 1), ("per_page", PAGE_SIZE)):
                continue
            if value not in (None, ""):
                items.append((name, value.isoformat() if isinstance(value, date) else str(value)))
        return items


def _positive_int(value, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def _conditions(filters: Filters, settings: Settings) -> list:
    conditions: list = []
    tz = settings.tz
    if filters.date_from:
        conditions.append(ConversationSummary.started_at >= datetime.combine(filters.date_from, time(), tz))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time(), tz)
        conditions.append(ConversationSummary.started_at < end)
    if filters.topic:
        conditions.append(ConversationSummary.topics_key.like(f"% {filters.topic} %"))
    if filters.handed_off:
        conditions.append(ConversationSummary.handed_off.is_(filters.handed_off == YES))
    if filters.fallbacks == YES:
        conditions.append(ConversationSummary.fallbacks > 0)
    elif filters.fallbacks == NO:
        conditions.append(ConversationSummary.fallbacks == 0)
    if filters.rating == "geen":
        conditions.append(ConversationSummary.rating.is_(None))
    elif filters.rating == "laag":
        conditions.append(ConversationSummary.rating <= LOW_RATING)
    elif filters.rating:
        conditions.append(ConversationSummary.rating == int(filters.rating))
    if filters.reviewed == YES:
        conditions.append(ConversationSummary.reviewed_at.is_not(None))
    elif filters.reviewed == NO:
        conditions.append(ConversationSummary.reviewed_at.is_(None))
    if filters.tag:
        conditions.append(
            exists().where(
                ConversationTag.sender_id == ConversationSummary.sender_id, ConversationTag.tag == filters.tag
            )
        )
    if filters.q:
        pattern = "%" + filters.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(
                ConversationSummary.search_text.like(pattern, escape="\\"),
                ConversationSummary.sender_id.like(pattern, escape="\\"),
                func.lower(ConversationSummary.booking_reference).like(pattern, escape="\\"),
            )
        )
    return conditions


@dataclass
class Page:
    items: list[ConversationSummary]
    total: int
    page: int
    per_page: int
    tags: dict[str, list[str]]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_conversations(session: Session, settings: Settings, filters: Filters) -> Page:
    conditions = _conditions(filters, settings)
    where = and_(*conditions) if conditions else None
    count = select(func.count()).select_from(ConversationSummary)
    query = select(ConversationSummary)
    if where is not None:
        count, query = count.where(where), query.where(where)
    total = session.execute(count).scalar_one()
    items = list(
        session.execute(
            query.order_by(ConversationSummary.started_at.desc(), ConversationSummary.sender_id)
            .offset((filters.page - 1) * filters.per_page)
            .limit(filters.per_page)
        ).scalars()
    )
    return Page(items, total, filters.page, filters.per_page, tags_of(session, [i.sender_id for i in items]))


def matching(session: Session, settings: Settings, filters: Filters) -> list[ConversationSummary]:
    """Every conversation that passes the filters (for charts and CSV), newest first."""
    conditions = _conditions(filters, settings)
    query = select(ConversationSummary).order_by(ConversationSummary.started_at.desc())
    if conditions:
        query = query.where(and_(*conditions))
    return list(session.execute(query).scalars())


def tags_of(session: Session, sender_ids: Iterable[str]) -> dict[str, list[str]]:
    sender_ids = list(sender_ids)
    found: dict[str, list[str]] = {sender_id: [] for sender_id in sender_ids}
    if not sender_ids:
        return found
    for sender_id, tag in session.execute(
        select(ConversationTag.sender_id, ConversationTag.tag)
        .where(ConversationTag.sender_id.in_(sender_ids))
        .order_by(ConversationTag.tag)
    ).all():
        found[sender_id].append(tag)
    return found


def all_tags(session: Session) -> list[str]:
    return list(
        session.execute(select(ConversationTag.tag).distinct().order_by(ConversationTag.tag)).scalars()
    )


def as_json(summary: ConversationSummary, tags: list[str]) -> dict:
    """One conversation as the API gives it (contract §7, plus what the console shows)."""
    return {
        "sender_id": summary.sender_id,
        "started_at": summary.started_at.isoformat(),
        "last_event_at": summary.last_event_at.isoformat(),
        "topics": list(summary.topics or []),
        "handed_off": bool(summary.handed_off),
        "fallbacks": summary.fallbacks,
        "rating": summary.rating,
        "user_messages": summary.user_messages,
        "booking_reference": summary.booking_reference,
        "reviewed": summary.reviewed_at is not None,
        "tags": tags,
    }


def waiting_inbox_count(session: Session) -> int:
    return session.execute(
        select(func.count()).select_from(InboxMessage).where(InboxMessage.status == "waiting")
    ).scalar_one()
