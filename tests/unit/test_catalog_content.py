"""Content files: every kind of mistake is refused with file and line, nothing is
loaded then; a valid load is an idempotent upsert that retires removed entries."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from catalog_support import EVENTS, INSTRUMENTS, PROGRAM, SCHEMES, copy_real_content, line_of, write_content
from sqlalchemy import select, text

from bot.catalog.content import ContentInvalid, load_content, read_catalog
from bot.catalog.content import loader as content_loader
from bot.catalog.models import Event, Instrument, InstrumentTopic, Scheme
from bot.db import get_engine, session_scope

TZ = ZoneInfo("Europe/Amsterdam")  # the help desk's zone, for event times

CATALOG_TABLES = (
    "catalog_instruments",
    "catalog_instrument_topics",
    "catalog_instrument_target_groups",
    "catalog_instrument_municipalities",
    "catalog_instrument_sectors",
    "catalog_schemes",
    "catalog_scheme_aliases",
    "catalog_events",
    "catalog_program_facts",
    "catalog_topic_keywords",
)


def snapshot(url: str) -> dict:
    with get_engine(url).connect() as connection:
        return {
            table: sorted(map(tuple, connection.execute(text(f"SELECT * FROM {table}")).all()))
            for table in CATALOG_TABLES
        }


def problems_of(folder) -> list:
    with pytest.raises(ContentInvalid) as caught:
        read_catalog(folder, tz=TZ)
    return caught.value.problems


def assert_problem(problems, file_name: str, line: int, *words: str) -> None:
    for problem in problems:
        if (
            problem.path.endswith(file_name)
            and problem.line == line
            and all(w in problem.message for w in words)
        ):
            return
    raise AssertionError(f"no problem {file_name}:{line} {words} in:\n" + "\n".join(map(str, problems)))


# --------------------------------------------------------------------------- valid files


def test_the_small_valid_files_are_read(tmp_path):
    catalog = read_catalog(write_content(tmp_path / "c"), tz=TZ)
    [instrument] = catalog.instruments
    assert instrument.id == "tafel" and instrument.topics == ("growth",) and instrument.lead_for == {"growth"}
    assert instrument.municipalities is None and instrument.sectors is None
    assert [s.id for s in catalog.schemes] == ["tozo"]
    assert (
        catalog.events[0].starts_at.isoformat() == "2026-12-03T18:30:00"
    )  # 19:30 in Amsterdam, stored as UTC
    assert catalog.topic_keywords == {"export": "export"}


def test_the_real_content_files_are_valid():
    catalog = read_catalog(tz=TZ)
    assert len(catalog.instruments) >= 25
    assert {s.id for s in catalog.schemes} == {
        "now",
        "tozo",
        "tvl",
        "togs",
        "belastinguitstel",
        "bmkb_c",
        "go_c",
        "kkc",
        "col",
        "tonk",
    }
    topics = {topic for instrument in catalog.instruments for topic in instrument.topics}
    assert topics == {
        "start",
        "growth",
        "innovation",
        "export",
        "financing",
        "corona",
        "crisis",
        "digitalisation",
        "events",
        "students",
    }
    assert any(e.online for e in catalog.events) and any(not e.online for e in catalog.events)


# --------------------------------------------------------------------------- each kind of mistake


def test_unknown_topic_names_its_line(tmp_path):
    bad = INSTRUMENTS.replace("      - growth\n", "      - growth\n      - exprot\n")
    problems = problems_of(write_content(tmp_path / "c", instruments=bad))
    assert_problem(problems, "instruments.yml", line_of(bad, "- exprot"), "onderwerp", "exprot")


def test_unknown_target_group_names_its_line(tmp_path):
    bad = INSTRUMENTS.replace("target_groups: [zzp, small, larger]", "target_groups: [zzp, medium]")
    problems = problems_of(write_content(tmp_path / "c", instruments=bad))
    assert_problem(problems, "instruments.yml", line_of(bad, "target_groups:"), "doelgroep", "medium")


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "20-11-2026", "gisteren"])
def test_bad_date_names_its_line(tmp_path, value):
    bad = INSTRUMENTS.replace("reviewed_on: 2026-11-20", f"reviewed_on: {value}")
    problems = problems_of(write_content(tmp_path / "c", instruments=bad))
    assert_problem(problems, "instruments.yml", line_of(bad, "reviewed_on:"), "reviewed_on", "datum")


def test_active_until_before_active_from_is_refused(tmp_path):
    bad = INSTRUMENTS.replace(
        "    reviewed_on:", "    active_from: 2026-06-01\n    active_until: 2026-01-01\n    reviewed_on:"
    )
    problems = problems_of(write_content(tmp_path / "c", instruments=bad))
    assert_problem(problems, "instruments.yml", line_of(bad, "active_until:"), "active_until")


def test_duplicate_id_names_the_second_line(tmp_path):
    entry = INSTRUMENTS.split("instruments:\n", 1)[1]
    bad = INSTRUMENTS + entry
    problems = problems_of(write_content(tmp_path / "c", instruments=bad))
    assert_problem(problems, "instruments.yml", line_of(bad, "- id: tafel", 2), "dubbele id", "regel 2")


def test_missing_required_field_names_the_entry(tmp_path):
    bad = INSTRUMENTS.replace("    offer: Ondernemers denken mee over uw groeivraag.\n", "")
    problems = problems_of(write_content(tmp_path / "c", instruments=bad))
    assert_problem(problems, "instruments.yml", line_of(bad, "- id: tafel"), "verplicht", "offer")


def test_unknown_municipality_names_its_line(tmp_path):
    bad = INSTRUMENTS.replace(
        "    offer:", "    municipalities:\n      - Assen\n      - Groningen\n    offer:"
    )
    problems = problems_of(write_content(tmp_path / "c", instruments=bad))
    assert_problem(problems, "instruments.yml", line_of(bad, "- Groningen"), "gemeente", "Groningen")


def test_a_village_instead_of_a_municipality_gets_a_hint(tmp_path):
    bad = EVENTS.replace("    online: true\n", "    place: Beilen\n    municipality: Beilen\n")
    problems = problems_of(write_content(tmp_path / "c", events=bad))
    assert_problem(problems, "events.yml", line_of(bad, "municipality: Beilen"), "Midden-Drenthe")


def test_unknown_field_and_unknown_placeholder_are_refused(tmp_path):
    bad = INSTRUMENTS.replace(
        "next_step: Bel de vraagbaak op {phone}.", "next_step: Bel {telefoon}.\n    offers: x"
    )
    problems = problems_of(write_content(tmp_path / "c", instruments=bad))
    assert_problem(problems, "instruments.yml", line_of(bad, "next_step:"), "{telefoon}")
    assert_problem(problems, "instruments.yml", line_of(bad, "offers:"), "onbekend veld", "offers")


def test_duplicate_key_in_one_entry_is_refused(tmp_path):
    bad = INSTRUMENTS.replace("    kind: own\n", "    kind: own\n    kind: partner\n")
    problems = problems_of(write_content(tmp_path / "c", instruments=bad))
    assert_problem(problems, "instruments.yml", line_of(bad, "kind: partner"), "dubbel")


def test_yaml_syntax_error_names_its_line(tmp_path):
    bad = INSTRUMENTS.replace("    kind: own\n", "    kind: [own\n")
    problems = problems_of(write_content(tmp_path / "c", instruments=bad))
    assert problems and problems[0].path.endswith("instruments.yml")
    assert "YAML" in problems[0].message and problems[0].line >= line_of(bad, "kind: [own")


def test_unknown_scheme_id_and_missing_link_are_refused(tmp_path):
    bad = SCHEMES.replace("id: tozo", "id: tozo2").replace("    link: https://ondernemersplein.kvk.nl\n", "")
    problems = problems_of(write_content(tmp_path / "c", schemes=bad))
    assert_problem(problems, "schemes.yml", line_of(bad, "id: tozo2"), "tozo2")
    assert_problem(problems, "schemes.yml", line_of(bad, "- id:"), "verplicht", "link")


def test_event_that_ends_before_it_starts_or_has_no_place_is_refused(tmp_path):
    bad = EVENTS.replace("ends_at: 2026-12-03 20:45", "ends_at: 2026-12-03 18:00").replace(
        "    online: true\n", ""
    )
    problems = problems_of(write_content(tmp_path / "c", events=bad))
    assert_problem(problems, "events.yml", line_of(bad, "ends_at:"), "ends_at")
    assert_problem(problems, "events.yml", line_of(bad, "- id: webinar"), "online")


def test_unknown_topic_in_program_keywords_is_refused(tmp_path):
    bad = PROGRAM + "  exprot: [buitenland]\n"
    problems = problems_of(write_content(tmp_path / "c", program=bad))
    assert_problem(problems, "program.yml", line_of(bad, "exprot:"), "exprot")


def test_a_missing_file_is_reported(tmp_path):
    folder = write_content(tmp_path / "c")
    (folder / "events.yml").unlink()
    assert_problem(problems_of(folder), "events.yml", 1, "ontbreekt")


def test_all_problems_are_reported_at_once(tmp_path):
    bad_instruments = INSTRUMENTS.replace("kind: own", "kind: eigen")
    bad_events = EVENTS.replace("topic: financing", "topic: geld")
    problems = problems_of(write_content(tmp_path / "c", instruments=bad_instruments, events=bad_events))
    assert_problem(problems, "instruments.yml", line_of(bad_instruments, "kind: eigen"), "eigen")
    assert_problem(problems, "events.yml", line_of(bad_events, "topic: geld"), "geld")


# --------------------------------------------------------------------------- loading


def test_invalid_content_leaves_the_database_unchanged(database_url, tmp_path, settings):
    load_content(write_content(tmp_path / "good"), settings=settings)
    before = snapshot(database_url)
    bad = INSTRUMENTS.replace("Ondernemerstafel", "Nieuwe naam").replace("kind: own", "kind: eigen")
    with pytest.raises(ContentInvalid):
        load_content(
            write_content(tmp_path / "bad", instruments=bad, schemes=SCHEMES.replace("Tozo\n", "Tozo!\n")),
            settings=settings,
        )
    assert snapshot(database_url) == before


def test_a_failure_halfway_rolls_the_whole_load_back(database_url, tmp_path, monkeypatch, settings):
    load_content(write_content(tmp_path / "good"), settings=settings)
    before = snapshot(database_url)
    changed = write_content(
        tmp_path / "changed", instruments=INSTRUMENTS.replace("Ondernemerstafel", "Tafel 2")
    )

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(content_loader, "_apply_event", broken)
    monkeypatch.setattr(
        content_loader, "_event_state", lambda item: object()
    )  # forces an update of every event
    with pytest.raises(RuntimeError):
        load_content(changed, settings=settings)
    assert snapshot(database_url) == before


def test_loading_twice_changes_nothing(database_url, settings):
    first = load_content(settings=settings)
    assert first.instruments.added >= 25 and first.schemes.added == 10
    before = snapshot(database_url)
    second = load_content(settings=settings)
    assert second.instruments.added == second.instruments.updated == second.instruments.retired == 0
    assert second.instruments.unchanged == first.instruments.added
    assert second.events.unchanged == first.events.added and second.schemes.unchanged == 10
    assert snapshot(database_url) == before


def test_removed_entries_are_retired_and_come_back_when_restored(database_url, tmp_path, settings):
    folder = copy_real_content(tmp_path / "content")
    load_content(folder, settings=settings)
    original = (folder / "instruments.yml").read_text(encoding="utf-8")
    start = original.index("  - id: kennisprogramma")
    end = original.index("  - id: financieringstafel")
    (folder / "instruments.yml").write_text(original[:start] + original[end:], encoding="utf-8")
    events = (folder / "events.yml").read_text(encoding="utf-8")
    start = events.index("  - id: 2027-03-innovatiecafe-roden")
    end = events.index("  - id: 2027-03-webinar-afwikkeling-corona")
    (folder / "events.yml").write_text(events[:start] + events[end:], encoding="utf-8")

    report = load_content(folder, settings=settings)
    assert report.instruments.retired == 1 and report.events.retired == 1
    with session_scope(database_url) as session:
        row = session.get(Instrument, "kennisprogramma")
        assert row is not None and row.retired  # kept, not deleted
        assert session.get(Event, "2027-03-innovatiecafe-roden").retired
        assert session.scalar(
            select(InstrumentTopic).where(InstrumentTopic.instrument_id == "kennisprogramma")
        )

    (folder / "instruments.yml").write_text(original, encoding="utf-8")
    report = load_content(folder, settings=settings)
    assert report.instruments.updated == 1 and report.instruments.retired == 0
    with session_scope(database_url) as session:
        assert not session.get(Instrument, "kennisprogramma").retired


def test_an_edit_is_an_update_of_that_entry_only(database_url, tmp_path, settings):
    folder = copy_real_content(tmp_path / "content")
    load_content(folder, settings=settings)
    path = folder / "schemes.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("agency: UWV", "agency: UWV (Amsterdam)"), encoding="utf-8"
    )
    path = folder / "instruments.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "    topics: [export, students]\n", "    topics: [export, students, growth]\n"
        ),
        encoding="utf-8",
    )
    report = load_content(folder, settings=settings)
    assert (report.schemes.updated, report.schemes.unchanged) == (1, 9)
    assert report.instruments.updated == 1
    with session_scope(database_url) as session:
        assert session.get(Scheme, "now").agency == "UWV (Amsterdam)"
        topics = [t.topic for t in session.get(Instrument, "exportcarrousel").topics]
        assert topics == ["export", "students", "growth"]


def test_the_migration_matches_the_models(database_url, configure):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.db import Base
    from bot.models import load_all_models

    load_all_models()
    with get_engine(database_url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    catalog_differences = [d for d in differences if "catalog_" in repr(d)]
    assert catalog_differences == []
