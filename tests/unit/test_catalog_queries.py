"""Catalog lookups: filters on topic, target group, municipality, sector and dates;
the topic's lead instruments; events after a fixed now; schemes; program facts."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from catalog_support import EVENTS, write_content

from bot.catalog import queries
from bot.catalog.content import load_content
from bot.company import known_size
from bot.db import session_scope

TODAY = date(2026, 11, 27)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def instrument(id_, kind="partner", topics="[growth]", groups="all", extra=""):
    return f"""\
  - id: {id_}
    name: Name {id_}
    owner: Owner {id_}
    kind: {kind}
    topics: {topics}
    target_groups: {groups}
    offer: Offer {id_}.
    for_whom: Voor iedereen.
    next_step: Bel {{phone}} of kijk op {{website}}.
    reviewed_on: 2026-11-20
{extra}"""


INSTRUMENTS = "instruments:\n" + "".join(
    [
        instrument("lead", kind="own", groups="[zzp, small, larger]", extra="    lead_for: [growth]\n"),
        instrument("generic"),
        instrument("assen-only", extra="    municipalities: [Assen]\n"),
        instrument("for-larger", kind="national", groups="[larger]"),
        instrument("horeca-only", extra="    sectors: [horeca]\n"),
        instrument("expired", extra="    active_until: 2026-01-01\n"),
        instrument("future", extra="    active_from: 2027-01-01\n"),
        instrument("export-small", topics="[export]", groups="[small]"),
        instrument("second-topic", kind="own", topics="[export, growth]"),
        instrument("innovation-larger", topics="[innovation]", groups="[larger]"),
    ]
)

MORE_EVENTS = (
    EVENTS
    + """\
  - id: past
    title: Voorbij
    starts_at: 2026-11-12 15:00
    ends_at: 2026-11-12 17:00
    place: Hoogeveen
    municipality: Hoogeveen
    topic: growth
    organiser: Partners
    signup_link: "{website}"
  - id: running
    title: Loopt nu
    starts_at: 2026-11-27 10:00
    ends_at: 2026-11-27 14:00
    place: Assen
    municipality: Assen
    topic: growth
    organiser: Partners
    signup_link: https://www.kvk.nl
  - id: emmen-january
    title: Emmen januari
    starts_at: 2027-01-21 15:30
    ends_at: 2027-01-21 17:30
    place: Emmen
    municipality: Emmen
    topic: export
    organiser: Partners
    signup_link: "{website}"
  - id: beilen-february
    title: Beilen februari
    starts_at: 2027-02-18 16:00
    ends_at: 2027-02-18 18:00
    place: Beilen
    municipality: Midden-Drenthe
    topic: students
    organiser: Partners
    signup_link: "{website}"
"""
)

PROGRAM = """\
facts:
  - key: what
    text: Het programma helpt ondernemers.
  - key: contact
    text: Bel {phone} of mail {email}.
topic_keywords:
  export: [export, buitenland]
  digitalisation: [digita, webshop]
  events: [netwerk]
"""


@pytest.fixture
def settings(database_url, configure):
    return configure(HELPDESK_PHONE="0592 12 34 56 (test)", HELPDESK_WEBSITE="https://www.example.org/agenda")


@pytest.fixture
def session(settings, tmp_path):
    load_content(
        write_content(tmp_path / "c", instruments=INSTRUMENTS, events=MORE_EVENTS, program=PROGRAM),
        settings=settings,
    )
    with session_scope(settings.database_url) as session:
        yield session


def ids(views):
    return [view.id for view in views]


def best(
    settings, session, topic="growth", group=None, municipality=None, sector=None, today=TODAY, limit=10
):
    return ids(
        queries.best_instruments(
            session, topic, group, municipality, sector, today=today, limit=limit, settings=settings
        )
    )


# --------------------------------------------------------------------------- instruments


def test_only_instruments_of_the_topic(session, settings):
    assert set(best(settings, session, "export")) == {"export-small", "second-topic"}
    assert "export-small" not in best(settings, session, "growth")


def test_active_dates_filter(session, settings):
    assert "expired" not in best(settings, session) and "future" not in best(settings, session)
    assert "future" in best(settings, session, today=date(2027, 2, 1))
    assert "expired" in best(settings, session, today=date(2025, 12, 31))


def test_retired_instruments_are_not_offered(session, tmp_path, settings):
    without = INSTRUMENTS.replace(instrument("generic"), "")
    assert "generic" in best(settings, session)
    load_content(
        write_content(tmp_path / "without", instruments=without, events=MORE_EVENTS, program=PROGRAM),
        settings=settings,
    )
    session.expire_all()
    assert "generic" not in best(settings, session)


def test_target_group_filters_and_prefers_specific_instruments(session, settings):
    assert "for-larger" not in best(settings, session, group="zzp")
    larger = best(settings, session, group="larger")
    assert "for-larger" in larger
    assert larger.index("for-larger") < larger.index("generic")
    assert best(settings, session, "export", group="zzp") == ["second-topic"]


def test_municipality_specific_instruments_only_where_they_apply(session, settings):
    assert "assen-only" not in best(settings, session)
    assert "assen-only" not in best(settings, session, municipality="Emmen")
    assen = best(settings, session, municipality="Assen")
    assert assen[0] in {"lead", "assen-only"} and "assen-only" in assen[:2]
    assert assen.index("assen-only") < assen.index("generic")


def test_sector_specific_instruments_only_for_that_sector(session, settings):
    assert "horeca-only" not in best(settings, session)
    assert "horeca-only" not in best(settings, session, sector="bouw")
    horeca = best(settings, session, sector="Horecabedrijf")
    assert horeca.index("horeca-only") < horeca.index("generic")


def test_lead_instrument_is_named_whatever_is_known(session, settings):
    for group in (None, "aspiring_starter", "zzp", "small", "larger"):
        for municipality in (None, "Assen", "Emmen"):
            for sector in (None, "horeca"):
                assert "lead" in best(
                    settings, session, group=group, municipality=municipality, sector=sector, limit=1
                )


def test_limit_and_order(session, settings):
    top = queries.best_instruments(session, "growth", today=TODAY, limit=3, settings=settings)
    assert len(top) == 3 and top[0].id == "lead"
    assert [view.score for view in top] == sorted((view.score for view in top), reverse=True)


def test_placeholders_are_filled_from_settings(session, settings):
    [view] = queries.best_instruments(session, "growth", today=TODAY, limit=1, settings=settings)
    assert view.next_step == "Bel 0592 12 34 56 (test) of kijk op https://www.example.org/agenda."


def test_partner_fits_better_only_when_it_outranks_the_program(session, settings):
    assert (
        queries.partner_fits_better(
            queries.best_instruments(session, "growth", today=TODAY, settings=settings)
        )
        is None
    )
    exported = queries.best_instruments(session, "export", "small", today=TODAY, settings=settings)
    assert exported[0].id == "export-small"
    partner = queries.partner_fits_better(exported)
    assert partner is not None and partner.id == "export-small"


@pytest.mark.parametrize(
    "employees, group, beyond",
    [
        (0, "zzp", False),
        (1, "zzp", False),
        (2, "small", False),
        (50, "small", False),
        (51, "larger", False),
        (250, "larger", False),
        (251, "larger", True),
        (4000, "larger", True),
    ],
)
def test_company_size_to_target_group(employees, group, beyond):
    size = known_size(employees)
    assert size is not None
    assert (size.target_group, size.beyond_sme) == (group, beyond)


def test_topic_answer_asks_the_size_only_when_it_changes_the_answer(session, settings):
    assert queries.topic_answer(
        session, "growth", today=TODAY, limit=10, settings=settings
    ).ask_size  # for-larger depends on size
    assert not queries.topic_answer(
        session, "growth", size=known_size("3"), today=TODAY, limit=10, settings=settings
    ).ask_size
    assert not queries.topic_answer(
        session, "growth", today=TODAY, may_ask_size=False, limit=10, settings=settings
    ).ask_size
    answer = queries.topic_answer(session, "growth", size=known_size(400), today=TODAY, settings=settings)
    assert answer.beyond_sme and "lead" in ids(answer.instruments)


def test_topic_answer_drops_details_rather_than_answering_nothing(session, settings):
    assert best(settings, session, "innovation", group="zzp") == []
    answer = queries.topic_answer(session, "innovation", size=known_size(1), today=TODAY, settings=settings)
    assert ids(answer.instruments) == ["innovation-larger"]


# --------------------------------------------------------------------------- events


def test_upcoming_events_nearest_first_and_not_ended(session, settings):
    now = datetime(2026, 11, 27, 12, 0, tzinfo=AMSTERDAM)
    titles = [e.title for e in queries.upcoming_events(session, now, settings=settings)]
    assert titles == ["Loopt nu", "Webinar financiering", "Emmen januari", "Beilen februari"]
    later = datetime(2026, 11, 27, 14, 30, tzinfo=AMSTERDAM)
    assert "Loopt nu" not in [e.title for e in queries.upcoming_events(session, later, settings=settings)]


def test_event_times_come_back_in_local_time(session, settings):
    now = datetime(2026, 11, 28, tzinfo=AMSTERDAM)
    webinar = queries.upcoming_events(session, now, settings=settings)[0]
    assert webinar.starts_at.isoformat() == "2026-12-03T19:30:00+01:00"
    assert webinar.signup_link == "https://www.example.org/agenda"


def test_events_by_municipality_include_online_ones(session, settings):
    now = datetime(2026, 11, 28, tzinfo=AMSTERDAM)
    titles = [e.title for e in queries.upcoming_events(session, now, municipality="Emmen", settings=settings)]
    assert titles == ["Webinar financiering", "Emmen januari"]


def test_events_by_topic_and_limit(session, settings):
    now = datetime(2026, 11, 28, tzinfo=AMSTERDAM)
    assert [e.title for e in queries.upcoming_events(session, now, topic="students", settings=settings)] == [
        "Beilen februari"
    ]
    assert len(queries.upcoming_events(session, now, limit=2, settings=settings)) == 2
    assert queries.upcoming_events(session, datetime(2027, 6, 1, tzinfo=AMSTERDAM), settings=settings) == []


def test_topic_in_text(session):
    assert queries.topic_in_text(session, "Zijn er webinars over exporteren naar het buitenland?") == "export"
    assert queries.topic_in_text(session, "netwerkbijeenkomst over de webshop") == "digitalisation"
    assert queries.topic_in_text(session, "netwerkbijeenkomsten") == "events"
    assert queries.topic_in_text(session, "wanneer is de volgende?") is None


# --------------------------------------------------------------------------- schemes and facts


@pytest.mark.parametrize(
    "typed, scheme_id",
    [
        ("tozo", "tozo"),
        ("TOZO", "tozo"),
        ("Tozo-lening", "tozo"),
        ("mijn tozo lening van de gemeente", "tozo"),
        ("tonk", None),
        ("", None),
        (None, None),
    ],
)
def test_find_scheme_id(session, typed, scheme_id):
    assert queries.find_scheme_id(session, typed) == scheme_id


def test_scheme_and_schemes(session, settings):
    tozo = queries.scheme(session, "tozo", settings=settings)
    assert tozo is not None
    assert tozo.agency == "uw gemeente" and tozo.closed_on == date(2021, 10, 1)
    assert [s.id for s in queries.schemes(session, settings=settings)] == ["tozo"]
    assert queries.scheme(session, "now", settings=settings) is None


def test_program_facts_in_order_with_contact_details(session, settings):
    facts = queries.program_facts(session, settings=settings)
    assert [f.key for f in facts] == ["what", "contact"]
    assert "0592 12 34 56 (test)" in facts[1].text and "{" not in facts[1].text
