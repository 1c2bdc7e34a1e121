"""`python -m bot catalog check` (validate content/*.yml) and `catalog load`
(validate, then upsert into the database in one transaction)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

from bot.catalog.content import CONTENT_DIR, Catalog, ContentInvalid, LoadCount, load_content, read_catalog
from bot.cli import CommandError
from bot.settings import get_settings


def register(groups: argparse._SubParsersAction) -> None:
    catalog = groups.add_parser(
        "catalog", help="inhoud: instrumenten, regelingen, bijeenkomsten"
    ).add_subparsers(dest="command", required=True)
    check = catalog.add_parser("check", help="controleer de inhoudsbestanden zonder iets te laden")
    check.add_argument(
        "--dir", type=Path, default=CONTENT_DIR, help="map met de bestanden (standaard content/)"
    )
    check.set_defaults(handler=_check)
    load = catalog.add_parser("load", help="controleer de inhoudsbestanden en laad ze in de database")
    load.add_argument(
        "--dir", type=Path, default=CONTENT_DIR, help="map met de bestanden (standaard content/)"
    )
    load.set_defaults(handler=_load)


def _refuse(error: ContentInvalid) -> CommandError:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    count = len(error.problems)
    return CommandError(
        f"{count} {'fout' if count == 1 else 'fouten'} in de inhoud; er is niets geladen. "
        "Verbeter de genoemde regels en probeer het opnieuw."
    )


def _check(args: argparse.Namespace) -> None:
    try:
        catalog = read_catalog(args.dir, tz=get_settings().tz)
    except ContentInvalid as error:
        raise _refuse(error) from None
    print(f"==> inhoud in orde: {_summary(catalog)}")


def _load(args: argparse.Namespace) -> None:
    try:
        report = load_content(args.dir, settings=get_settings())
    except ContentInvalid as error:
        raise _refuse(error) from None
    except (OperationalError, ProgrammingError) as error:
        if "no such table" in str(error) or "does not exist" in str(error):
            raise CommandError(
                "de database heeft nog niet het juiste schema; voer eerst `python -m bot db upgrade` uit"
            ) from None
        raise CommandError(f"de database is niet bereikbaar ({error.orig}); er is niets geladen") from None
    except SQLAlchemyError as error:
        raise CommandError(f"laden mislukt ({error.__class__.__name__}); er is niets geladen") from None
    print("==> catalogus geladen (een nieuwe training is niet nodig)")
    for label, count in (
        ("instrumenten", report.instruments),
        ("regelingen", report.schemes),
        ("bijeenkomsten", report.events),
        ("programmafeiten", report.facts),
    ):
        print(f"    {label + ':':17}{_counts(count)}")
    print(f"    {'trefwoorden:':17}{report.topic_keywords}")


def _counts(count: LoadCount) -> str:
    return (
        f"{count.added} nieuw, {count.updated} bijgewerkt, {count.unchanged} ongewijzigd, "
        f"{count.retired} ingetrokken"
    )


def _summary(catalog: Catalog) -> str:
    return (
        f"{len(catalog.instruments)} instrumenten, {len(catalog.schemes)} regelingen, "
        f"{len(catalog.events)} bijeenkomsten, {len(catalog.facts)} programmafeiten"
    )
