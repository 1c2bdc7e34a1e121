"""Answers from the catalog: the best-fitting instruments for a question, the corona
schemes, upcoming events and the program's facts. Returns plain data, no Rasa types.

Texts may hold {phone}, {email} and {website}; they are filled in here from settings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import overload

from sqlalchemy import and_, exists, false, func, literal, or_, select, true
from sqlalchemy.orm import Session

from bot.catalog.models import (
    Event,
    Instrument,
    InstrumentMunicipality,
    InstrumentSector,
    InstrumentTargetGroup,
    InstrumentTopic,
    ProgramFact,
    Scheme,
    SchemeAlias,
    TopicKeyword,
)
from bot.catalog.vocabulary import LARGER, OWN, SMALL, TARGET_GROUPS, ZZP, scheme_key, sector_key
from bot.company import CompanySize
from bot.settings import Settings

# Points for a fit; a specific match beats a generic one. Signature instruments
# (lead) get a head start but a partner that fits the person exactly can still
# come first: then the answer says that the partner fits better.
_LEAD = 2
_MAIN_TOPIC = 1
_TARGET_GROUP = 1
_MUNICIPALITY = 2
_SECTOR = 3

# --------------------------------------------------------------------------- instruments


@dataclass(frozen=True)
class InstrumentView:
    id: str
    name: str
    owner: str
    kind: str
    offer: str
    for_whom: str
    next_step: str
    link: str | None
    score: int
    lead: bool

    @property
    def is_own(self) -> bool:
        return self.kind == OWN


@overload
def fill_placeholders(text: str, settings: Settings) -> str: ...
@overload
def fill_placeholders(text: None, settings: Settings) -> None: ...
@overload
def fill_placeholders(text: str | None, settings: Settings) -> str | None: ...
def fill_placeholders(text: str | None, settings: Settings) -> str | None:
    if text is None:
        return None
    values = {
        "phone": settings.helpdesk_phone,
        "email": settings.helpdesk_email,
        "website": settings.helpdesk_website,
    }
    return re.sub(r"{(phone|email|website)}", lambda match: values[match.group(1)], text)


def best_instruments(
    session: Session,
    topic: str,
    target_group: str | None = None,
    municipality: str | None = None,
    sector: str | None = None,
    today: date | None = None,
    limit: int = 3,
    *,
    settings: Settings,
) -> list[InstrumentView]:
    """The instruments that fit best, best first.

    Only active, not retired instruments of the topic; a known target group,
    municipality (official name) or sector must fit. The topic's lead instruments
    are always included, whatever else is known. Instruments limited to some
    municipalities or sectors only show up when that municipality or sector is known.
    """
    today = today or settings.now().date()
    sector = sector_key(sector) if sector else None
    if target_group is not None and target_group not in TARGET_GROUPS:
        target_group = None

    group_fits = (
        exists().where(
            InstrumentTargetGroup.instrument_id == Instrument.id,
            InstrumentTargetGroup.target_group == target_group,
        )
        if target_group
        else true()
    )
    if municipality:
        municipality_specific = exists().where(
            InstrumentMunicipality.instrument_id == Instrument.id,
            InstrumentMunicipality.municipality == municipality,
        )
        municipality_fits = or_(Instrument.all_municipalities, municipality_specific)
    else:
        municipality_fits = Instrument.all_municipalities
    if sector:
        # "horecabedrijf" fits an instrument for "horeca": the sector word occurs in the text.
        sector_specific = exists().where(
            InstrumentSector.instrument_id == Instrument.id,
            literal(sector).contains(InstrumentSector.sector, autoescape=False),
        )
        sector_fits = or_(Instrument.all_sectors, sector_specific)
    else:
        sector_fits = Instrument.all_sectors
    group_count = (
        select(func.count())
        .where(InstrumentTargetGroup.instrument_id == Instrument.id)
        .correlate(Instrument)
        .scalar_subquery()
    )
    fits = and_(group_fits, municipality_fits, sector_fits)

    query = (
        select(
            Instrument.id,
            Instrument.name,
            Instrument.owner,
            Instrument.kind,
            Instrument.offer,
            Instrument.for_whom,
            Instrument.next_step,
            Instrument.link,
            Instrument.all_municipalities,
            Instrument.all_sectors,
            Instrument.position.label("file_position"),
            InstrumentTopic.position,
            InstrumentTopic.lead,
            group_count.label("group_count"),
            fits.label("fits"),
        )
        .join(InstrumentTopic, InstrumentTopic.instrument_id == Instrument.id)
        .where(
            InstrumentTopic.topic == topic,
            Instrument.retired == false(),
            or_(Instrument.active_from.is_(None), Instrument.active_from <= today),
            or_(Instrument.active_until.is_(None), Instrument.active_until >= today),
            or_(InstrumentTopic.lead == true(), fits),
        )
    )
    rows = session.execute(query).all()

    scored = []
    for row in rows:
        score = 0
        if row.lead:
            score += _LEAD
        if row.position == 0:
            score += _MAIN_TOPIC
        if row.fits:
            if target_group and int(row.group_count or 0) < len(TARGET_GROUPS):
                # An instrument meant for some groups, this one among them, beats one for everyone.
                score += _TARGET_GROUP
            if municipality and not row.all_municipalities:
                score += _MUNICIPALITY
            if sector and not row.all_sectors:
                score += _SECTOR
        scored.append((row, score))

    def rank(item):
        row, score = item
        # On a tie the program's own instrument first, then the order of the content file.
        return (-score, row.kind != OWN, row.file_position, row.id)

    leads = sorted((item for item in scored if item[0].lead), key=rank)[:limit]
    chosen_ids = {row.id for row, _ in leads}
    others = sorted((item for item in scored if item[0].id not in chosen_ids and item[0].fits), key=rank)
    chosen = sorted(leads + others[: max(0, limit - len(leads))], key=rank)
    return [instrument_view(row, settings, score=score, lead=bool(row.lead)) for row, score in chosen]


def instrument_view(
    row: Instrument, settings: Settings, score: int = 0, lead: bool = False
) -> InstrumentView:
    """What an answer shows of one instrument, with the contact details filled in."""
    return InstrumentView(
        id=row.id,
        name=row.name,
        owner=row.owner,
        kind=row.kind,
        offer=fill_placeholders(row.offer, settings) or "",
        for_whom=fill_placeholders(row.for_whom, settings) or "",
        next_step=fill_placeholders(row.next_step, settings) or "",
        link=row.link,
        score=score,
        lead=lead,
    )


def instruments_by_ids(session: Session, ids: Sequence[str], *, settings: Settings) -> list[InstrumentView]:
    """The named instruments (those still offered), in the order given: for follow-up questions."""
    if not ids:
        return []
    rows = {row.id: row for row in session.scalars(select(Instrument).where(Instrument.id.in_(list(ids))))}
    return [
        instrument_view(row, settings)
        for row in (rows.get(instrument_id) for instrument_id in ids)
        if row is not None and not row.retired
    ]


def partner_fits_better(instruments: Sequence[InstrumentView]) -> InstrumentView | None:
    """The partner's instrument when it ranks above everything the program offers itself."""
    if instruments and not instruments[0].is_own:
        best_own = max((i.score for i in instruments if i.is_own), default=None)
        if best_own is None or instruments[0].score > best_own:
            return instruments[0]
    return None


def size_changes_answer(
    session: Session,
    topic: str,
    municipality: str | None = None,
    sector: str | None = None,
    today: date | None = None,
    limit: int = 3,
    *,
    settings: Settings,
) -> bool:
    """Whether knowing the company size would change which instruments are named."""
    answers = {
        frozenset(
            i.id
            for i in best_instruments(
                session, topic, group, municipality, sector, today, limit, settings=settings
            )
        )
        for group in (ZZP, SMALL, LARGER)
    }
    return len(answers) > 1


# Topics answered without first asking the company size: a starter has no company
# yet, and someone in acute trouble needs the answer now.
NO_SIZE_QUESTION = frozenset({"start", "crisis"})


@dataclass(frozen=True)
class TopicAnswer:
    topic: str
    instruments: list[InstrumentView]
    partner_first: InstrumentView | None  # a partner fits better than the program
    ask_size: bool  # knowing the company size would change the answer
    beyond_sme: bool  # more than 250 people


def topic_answer(
    session: Session,
    topic: str,
    size: CompanySize | None = None,
    municipality: str | None = None,
    sector: str | None = None,
    today: date | None = None,
    may_ask_size: bool = True,
    limit: int = 3,
    *,
    settings: Settings,
) -> TopicAnswer:
    """What to answer to a topic question, given what is known about the person.

    The instruments are always there (the answer comes first); `ask_size` says whether
    knowing the company size would change them, so a size question may follow the answer.
    When nothing fits all known details, details are dropped one at a time (sector,
    size, municipality) rather than answering with nothing.
    """
    group = size.target_group if size else None
    instruments = best_instruments(
        session, topic, group, municipality, sector, today, limit, settings=settings
    )
    relaxed = [(None, group, municipality), (None, None, municipality), (None, None, None)]
    for sector_, group_, municipality_ in relaxed:
        if instruments:
            break
        instruments = best_instruments(
            session, topic, group_, municipality_, sector_, today, limit, settings=settings
        )
    ask_size = (
        may_ask_size
        and size is None
        and topic not in NO_SIZE_QUESTION
        and bool(instruments)
        and size_changes_answer(session, topic, municipality, sector, today, limit, settings=settings)
    )
    return TopicAnswer(
        topic=topic,
        instruments=instruments,
        partner_first=partner_fits_better(instruments),
        ask_size=ask_size,
        beyond_sme=bool(size and size.beyond_sme),
    )


# --------------------------------------------------------------------------- corona schemes


@dataclass(frozen=True)
class SchemeView:
    id: str
    name: str
    full_name: str
    agency: str
    what_it_was: str
    opened_on: date | None
    closed_on: date | None
    follow_up_now: str
    link: str


def _scheme_view(row: Scheme, settings: Settings) -> SchemeView:
    return SchemeView(
        id=row.id,
        name=row.name,
        full_name=row.full_name,
        agency=row.agency,
        what_it_was=fill_placeholders(row.what_it_was, settings),
        opened_on=row.opened_on,
        closed_on=row.closed_on,
        follow_up_now=fill_placeholders(row.follow_up_now, settings),
        link=row.link,
    )


def schemes(session: Session, *, settings: Settings) -> list[SchemeView]:
    rows = session.scalars(
        select(Scheme).where(Scheme.retired == false()).order_by(Scheme.position, Scheme.id)
    )
    return [_scheme_view(row, settings) for row in rows]


def scheme(session: Session, scheme_id: str, *, settings: Settings) -> SchemeView | None:
    row = session.get(Scheme, scheme_id)
    if row is None or row.retired:
        return None
    return _scheme_view(row, settings)


def find_scheme_id(session: Session, text: str | None) -> str | None:
    """The canonical scheme id for what someone typed: "tozo", "Tozo-lening", "BMKB-C", "now 3"."""
    if not text or not isinstance(text, str):
        return None
    key = scheme_key(text)
    if not key:
        return None
    candidates = [key, key.replace(" ", "_")]
    found = session.scalar(
        select(Scheme.id).where(Scheme.id.in_(candidates), Scheme.retired == false())
    ) or session.scalar(
        select(SchemeAlias.scheme_id)
        .join(Scheme, Scheme.id == SchemeAlias.scheme_id)
        .where(SchemeAlias.alias == key, Scheme.retired == false())
    )
    if found:
        return found
    # "mijn tozo van de gemeente": a single known name inside a longer text.
    words = key.split()
    phrases = {
        " ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, min(len(words), i + 6) + 1)
    }
    phrases |= {phrase.replace(" ", "_") for phrase in phrases}
    ids = set(session.scalars(select(Scheme.id).where(Scheme.id.in_(phrases), Scheme.retired == false())))
    ids |= set(
        session.scalars(
            select(SchemeAlias.scheme_id)
            .join(Scheme, Scheme.id == SchemeAlias.scheme_id)
            .where(SchemeAlias.alias.in_(phrases), Scheme.retired == false())
        )
    )
    return ids.pop() if len(ids) == 1 else None


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class EventView:
    id: str
    title: str
    summary: str | None
    starts_at: datetime  # aware, in the help desk's time zone
    ends_at: datetime
    online: bool
    place: str | None
    municipality: str | None
    topic: str
    organiser: str
    signup_link: str


def upcoming_events(
    session: Session,
    now: datetime,
    municipality: str | None = None,
    topic: str | None = None,
    limit: int = 5,
    *,
    settings: Settings,
) -> list[EventView]:
    """Events that have not ended at `now`, nearest first. With a municipality:
    the events there plus the online ones (which everyone can join)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=settings.tz)
    now_utc = now.astimezone(timezone.utc).replace(tzinfo=None)
    query = select(Event).where(Event.retired == false(), Event.ends_at > now_utc)
    if municipality:
        query = query.where(or_(Event.online == true(), Event.municipality == municipality))
    if topic:
        query = query.where(Event.topic == topic)
    rows = session.scalars(query.order_by(Event.starts_at, Event.id).limit(limit))
    return [
        EventView(
            id=row.id,
            title=row.title,
            summary=fill_placeholders(row.summary, settings),
            starts_at=row.starts_at.replace(tzinfo=timezone.utc).astimezone(settings.tz),
            ends_at=row.ends_at.replace(tzinfo=timezone.utc).astimezone(settings.tz),
            online=row.online,
            place=row.place,
            municipality=row.municipality,
            topic=row.topic,
            organiser=row.organiser,
            signup_link=fill_placeholders(row.signup_link, settings),
        )
        for row in rows
    ]


def topic_in_text(session: Session, text: str | None) -> str | None:
    """The topic whose keyword starts a word in the text ("webinar over exporteren" -> export)."""
    if not text:
        return None
    lowered = " ".join(text.lower().split())
    found = []
    for keyword, topic in session.execute(select(TopicKeyword.keyword, TopicKeyword.topic)):
        if re.search(r"(?<![\w])" + re.escape(keyword), lowered):
            found.append((len(keyword), topic))
    if not found:
        return None
    topics = {topic for _, topic in found}
    # The events topic itself ("netwerkbijeenkomst") is no filter when a subject is named too.
    if len(topics) > 1:
        topics.discard("events")
    return max(item for item in found if item[1] in topics)[1]


# --------------------------------------------------------------------------- program facts


@dataclass(frozen=True)
class Fact:
    key: str
    text: str


def program_facts(session: Session, *, settings: Settings) -> list[Fact]:
    rows = session.scalars(
        select(ProgramFact).where(ProgramFact.retired == false()).order_by(ProgramFact.position)
    )
    return [Fact(key=row.key, text=fill_placeholders(row.text, settings)) for row in rows]
