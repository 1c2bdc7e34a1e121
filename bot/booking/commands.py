"""Commands for the agenda and the bookings:

python -m bot appointments list [--all] [--kind appointment|callback]
python -m bot agenda list
python -m bot agenda add-advisor --first-name F --name N --email E
python -m bot agenda availability --email E --days ma-vr --from 09:00 --to 17:00 [--clear]
python -m bot agenda leave --email E --from 2024-12-23 --to 2025-01-03 [--reason R]
python -m bot agenda seed-sample
"""

from __future__ import annotations

import argparse
from datetime import date, time

from bot import clock
from bot.booking import agenda
from bot.booking.appointments import list_appointments
from bot.booking.models import BOOKING_KINDS
from bot.cli import CommandError
from bot.crm import delivery_states
from bot.db import session_scope
from bot.settings import get_settings


def register(groups: argparse._SubParsersAction) -> None:
    appointments = groups.add_parser("appointments", help="afspraken en terugbelverzoeken").add_subparsers(
        dest="command", required=True
    )
    listing = appointments.add_parser(
        "list", help="boekingen met soort, start, status, urgentie en CRM-stand"
    )
    listing.add_argument("--all", action="store_true", help="ook geannuleerde boekingen tonen")
    listing.add_argument("--kind", choices=BOOKING_KINDS)
    listing.set_defaults(handler=_list_appointments)

    agenda_group = groups.add_parser("agenda", help="agenda van de adviseurs").add_subparsers(
        dest="command", required=True
    )
    agenda_group.add_parser("list", help="adviseurs met hun beschikbaarheid en verlof").set_defaults(
        handler=_list_agenda
    )
    add = agenda_group.add_parser("add-advisor", help="nieuwe adviseur")
    add.add_argument("--first-name", required=True, help="voornaam (zo noemt de assistent de adviseur)")
    add.add_argument("--name", required=True, help="volledige naam")
    add.add_argument("--email", required=True)
    add.set_defaults(handler=_add_advisor)

    availability = agenda_group.add_parser(
        "availability", help="wekelijkse beschikbaarheid toevoegen of wissen"
    )
    availability.add_argument("--email", required=True, help="e-mailadres van de adviseur")
    availability.add_argument("--days", required=True, help="bijv. ma, ma-vr of di,do")
    availability.add_argument("--from", dest="start", help="begintijd, bijv. 09:00")
    availability.add_argument("--to", dest="end", help="eindtijd, bijv. 17:00")
    availability.add_argument("--clear", action="store_true", help="wis de beschikbaarheid op deze dagen")
    availability.set_defaults(handler=_availability)

    leave = agenda_group.add_parser("leave", help="verlof (eerste en laatste dag inbegrepen)")
    leave.add_argument("--email", required=True)
    leave.add_argument("--from", dest="first_day", required=True, help="eerste dag, JJJJ-MM-DD")
    leave.add_argument("--to", dest="last_day", required=True, help="laatste dag, JJJJ-MM-DD")
    leave.add_argument("--reason")
    leave.set_defaults(handler=_leave)

    seed = agenda_group.add_parser(
        "seed-sample", help="voorbeeldadviseurs voor ontwikkeling (verzonnen voornamen)"
    )
    seed.add_argument(
        "--if-empty", action="store_true", help="alleen als er nog geen enkele adviseur is (make run)"
    )
    seed.set_defaults(handler=_seed_sample)


def _list_appointments(args: argparse.Namespace) -> int:
    settings = get_settings()
    with session_scope(settings.database_url) as session:
        items = list_appointments(session, kind=args.kind, include_inactive=args.all)
        states = delivery_states(session, [item.reference for item in items])
        if not items:
            print("Geen boekingen.")
            return 0
        print(
            f"{'referentie':<11} {'soort':<12} {'start':<17} {'status':<10} {'urgent':<6} {'adviseur':<10} "
            f"{'naam':<24} {'gemeente':<15} CRM"
        )
        for item in items:
            state = states[item.reference]
            print(
                f"{item.reference:<11} {item.kind:<12} {clock.local(item.start, settings):%Y-%m-%d %H:%M} "
                f"{item.status:<10} {'ja' if item.urgent else 'nee':<6} {item.advisor.first_name:<10} "
                f"{item.person_name[:24]:<24} "
                f"{(item.municipality or '-')[:15]:<15} {state.label}"
            )
    return 0


def _list_agenda(_args: argparse.Namespace) -> int:
    with session_scope(get_settings().database_url) as session:
        advisors = agenda.list_advisors(session)
        if not advisors:
            print("Nog geen adviseurs. Voeg ze toe met 'agenda add-advisor' of 'agenda seed-sample'.")
        for advisor in advisors:
            print(
                f"{advisor.first_name} ({advisor.name}, {advisor.email})"
                f"{'' if advisor.active else ' [inactief]'}"
            )
            for period in advisor.availability:
                print(
                    f"  {clock.WEEKDAY_NAMES[period.weekday]:<10} "
                    f"{period.start_time:%H:%M}-{period.end_time:%H:%M}"
                )
            for leave in advisor.leave:
                print(
                    f"  verlof {leave.first_day} t/m {leave.last_day}"
                    f"{' (' + leave.reason + ')' if leave.reason else ''}"
                )
    return 0


def _add_advisor(args: argparse.Namespace) -> int:
    with session_scope(get_settings().database_url) as session:
        try:
            advisor = agenda.add_advisor(session, args.first_name, args.name, args.email)
        except agenda.AgendaError as error:
            raise CommandError(str(error)) from None
        print(f"==> adviseur {advisor.first_name} toegevoegd ({advisor.email})")
    return 0


def _availability(args: argparse.Namespace) -> int:
    days = parse_days(args.days)
    with session_scope(get_settings().database_url) as session:
        try:
            advisor = agenda.find_advisor(session, args.email)
            if args.clear:
                removed = sum(agenda.clear_availability(session, advisor, day) for day in days)
                print(f"==> {removed} periode(s) gewist")
                return 0
            if not args.start or not args.end:
                raise CommandError("Geef --from en --to (bijv. --from 09:00 --to 17:00), of --clear.")
            start, end = _parse_time(args.start), _parse_time(args.end)
            for day in days:
                agenda.add_availability(session, advisor, day, start, end)
        except agenda.AgendaError as error:
            raise CommandError(str(error)) from None
        print(
            f"==> {advisor.first_name}: {', '.join(clock.WEEKDAY_NAMES[day] for day in days)} "
            f"{start:%H:%M}-{end:%H:%M}"
        )
    return 0


def _leave(args: argparse.Namespace) -> int:
    first_day, last_day = _parse_date(args.first_day), _parse_date(args.last_day)
    with session_scope(get_settings().database_url) as session:
        try:
            advisor = agenda.find_advisor(session, args.email)
            agenda.add_leave(session, advisor, first_day, last_day, args.reason)
        except agenda.AgendaError as error:
            raise CommandError(str(error)) from None
        print(f"==> verlof voor {advisor.first_name}: {first_day} t/m {last_day}")
    return 0


def _seed_sample(args: argparse.Namespace) -> int:
    with session_scope(get_settings().database_url) as session:
        if args.if_empty and agenda.list_advisors(session):
            return 0
        created = agenda.seed_sample(session)
        names = ", ".join(advisor.first_name for advisor in created)
    print(f"==> {len(created)} voorbeeldadviseur(s) aangemaakt{': ' + names if names else ' (bestonden al)'}")
    return 0


def parse_days(text: str) -> list[int]:
    """ "ma-vr" -> [0..4], "di,do" -> [1, 3], "maandag" -> [0]."""
    days: list[int] = []
    for token in text.lower().replace(" ", "").split(","):
        span = clock.day_range(token)
        if span is None:
            raise CommandError(f"Onbekende dag {token!r}: gebruik ma, di, wo, do, vr, za, zo (of ma-vr).")
        start, end = span
        if end < start:
            raise CommandError(f"Dagbereik {token!r} loopt achteruit; gebruik bijv. ma-vr.")
        days.extend(day for day in range(start, end + 1) if day not in days)
    return days


def _parse_time(text: str) -> time:
    try:
        return time.fromisoformat(text.strip().replace(".", ":").zfill(5))
    except ValueError:
        raise CommandError(f"Onbekende tijd {text!r}: gebruik UU:MM, bijv. 09:00.") from None


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"Onbekende datum {text!r}: gebruik JJJJ-MM-DD, bijv. 2024-12-23.") from None
