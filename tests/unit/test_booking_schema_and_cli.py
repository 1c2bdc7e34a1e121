"""The 0002_booking migration builds what the models describe, and the agenda commands."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from booking_support import THURSDAY_10
from sqlalchemy import inspect

from bot.booking import agenda
from bot.booking.models import Advisor
from bot.cli import main
from bot.db import Base, get_engine, session_scope
from bot.models import load_all_models

OUR_TABLES = {
    "advisors",
    "advisor_availability",
    "advisor_leave",
    "appointments",
    "booking_slot_claims",
    "crm_outbox",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database(request):
    return request.getfixturevalue("database_url" if request.param == "sqlite" else "postgres_url")


def test_migration_matches_the_models(any_database):
    load_all_models()
    engine = get_engine(any_database)
    assert set(inspect(engine).get_table_names()) >= OUR_TABLES
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [
            difference
            for difference in compare_metadata(context, Base.metadata)
            if _table_of(difference) in OUR_TABLES
        ]
    assert differences == []
    uniques = {
        tuple(u["column_names"]) for u in inspect(engine).get_unique_constraints("booking_slot_claims")
    }
    assert ("advisor_id", "unit_start") in uniques


def _table_of(difference) -> str:
    item = difference[0] if isinstance(difference, list) else difference
    for part in item[1:]:
        table = getattr(part, "table", None)
        if table is not None:
            return table.name
        name = getattr(part, "name", None)
        if isinstance(part, str):
            return part
        if name in OUR_TABLES:
            return name
    return ""


@pytest.fixture
def settings(database_url, configure):
    return configure(LOKET_FAKE_NOW=THURSDAY_10)


def test_agenda_commands_manage_advisors_hours_and_leave(settings, capsys):
    assert (
        main(
            [
                "agenda",
                "add-advisor",
                "--first-name",
                "Wouter",
                "--name",
                "Wouter Test",
                "--email",
                "W@x.example.org",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "agenda",
                "availability",
                "--email",
                "w@x.example.org",
                "--days",
                "ma-wo",
                "--from",
                "09:00",
                "--to",
                "12:00",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "agenda",
                "availability",
                "--email",
                "w@x.example.org",
                "--days",
                "vr",
                "--from",
                "13:00",
                "--to",
                "17:00",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "agenda",
                "leave",
                "--email",
                "w@x.example.org",
                "--from",
                "2024-12-23",
                "--to",
                "2025-01-03",
                "--reason",
                "kerst",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["agenda", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Wouter (Wouter Test, w@x.example.org)" in listing
    assert "maandag    09:00-12:00" in listing and "vrijdag    13:00-17:00" in listing
    assert "verlof 2024-12-23 t/m 2025-01-03 (kerst)" in listing
    assert main(["agenda", "availability", "--email", "w@x.example.org", "--days", "ma", "--clear"]) == 0
    with session_scope(settings.database_url) as session:
        advisor = session.query(Advisor).one()
        assert sorted(period.weekday for period in advisor.availability) == [1, 2, 4]


@pytest.mark.parametrize(
    "argv",
    [
        [
            "agenda",
            "availability",
            "--email",
            "nobody@example.org",
            "--days",
            "ma",
            "--from",
            "09:00",
            "--to",
            "12:00",
        ],
        [
            "agenda",
            "availability",
            "--email",
            "femke@adviseurs.example.org",
            "--days",
            "xx",
            "--from",
            "09:00",
            "--to",
            "12:00",
        ],
        [
            "agenda",
            "availability",
            "--email",
            "femke@adviseurs.example.org",
            "--days",
            "ma",
            "--from",
            "12:00",
            "--to",
            "09:00",
        ],
        [
            "agenda",
            "availability",
            "--email",
            "femke@adviseurs.example.org",
            "--days",
            "ma",
            "--from",
            "09:10",
            "--to",
            "12:00",
        ],
        [
            "agenda",
            "leave",
            "--email",
            "femke@adviseurs.example.org",
            "--from",
            "gisteren",
            "--to",
            "2025-01-03",
        ],
        [
            "agenda",
            "add-advisor",
            "--first-name",
            "F",
            "--name",
            "F",
            "--email",
            "femke@adviseurs.example.org",
        ],
    ],
)
def test_agenda_mistakes_are_reported_in_dutch_without_a_traceback(settings, capsys, argv):
    assert main(["agenda", "seed-sample"]) == 0
    capsys.readouterr()
    assert main(argv) == 2
    assert capsys.readouterr().err.startswith("FOUT: ")


def test_seed_sample_creates_fictional_advisors_once(settings, capsys):
    assert main(["agenda", "seed-sample"]) == 0
    assert main(["agenda", "seed-sample"]) == 0
    out = capsys.readouterr().out
    assert (
        "4 voorbeeldadviseur(s) aangemaakt" in out
        and "0 voorbeeldadviseur(s) aangemaakt (bestonden al)" in out
    )
    with session_scope(settings.database_url) as session:
        advisors = session.query(Advisor).all()
        assert len(advisors) == 4
        assert all(advisor.email.endswith("example.org") and advisor.availability for advisor in advisors)


def test_appointments_list_without_bookings(settings, capsys):
    assert main(["appointments", "list"]) == 0
    assert "Geen boekingen." in capsys.readouterr().out


def test_seed_sample_if_empty_leaves_a_real_agenda_alone(settings, capsys):
    assert (
        main(
            [
                "agenda",
                "add-advisor",
                "--first-name",
                "Wouter",
                "--name",
                "Wouter Test",
                "--email",
                "w@x.example.org",
            ]
        )
        == 0
    )
    assert main(["agenda", "seed-sample", "--if-empty"]) == 0
    with session_scope(settings.database_url) as session:
        assert [advisor.first_name for advisor in agenda.list_advisors(session)] == ["Wouter"]


def test_seed_sample_if_empty_fills_an_empty_agenda(settings, capsys):
    assert main(["agenda", "seed-sample", "--if-empty"]) == 0
    with session_scope(settings.database_url) as session:
        assert len(agenda.list_advisors(session)) >= 2
