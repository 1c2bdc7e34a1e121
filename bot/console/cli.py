"""Commands of the console (contract §7):

python -m bot advisor add --email E --name N --role advisor|admin --password-stdin
python -m bot advisor token --email E          a new API bearer token
python -m bot advisor tokens [--email E]       list tokens (never the tokens themselves)
python -m bot advisor revoke-token ID
python -m bot advisor list
python -m bot console sync                     fold new tracker events into the summaries
python -m bot privacy purge --older-than DAYS  remove what is past the retention period
"""

from __future__ import annotations

import argparse
import sys

from bot.cli import CommandError
from bot.settings import get_settings


def register(groups: argparse._SubParsersAction) -> None:
    advisor = groups.add_parser("advisor", help="accounts van adviseurs voor de console en de API")
    commands = advisor.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="maak een account")
    add.add_argument("--email", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", choices=["advisor", "admin"], default="advisor")
    add.add_argument("--password-stdin", action="store_true", help="lees het wachtwoord van standaardinvoer")
    add.set_defaults(handler=_add)
    token = commands.add_parser("token", help="maak een nieuw API-token (wordt één keer getoond)")
    token.add_argument("--email", required=True)
    token.set_defaults(handler=_token)
    tokens = commands.add_parser("tokens", help="toon de API-tokens (niet de tokens zelf)")
    tokens.add_argument("--email")
    tokens.set_defaults(handler=_tokens)
    revoke = commands.add_parser("revoke-token", help="trek een API-token in")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(handler=_revoke)
    commands.add_parser("list", help="toon de accounts").set_defaults(handler=_list)

    console = groups.add_parser("console", help="de adviseursconsole")
    console.add_subparsers(dest="command", required=True).add_parser(
        "sync", help="verwerk nieuwe gesprekken uit de trackerstore"
    ).set_defaults(handler=_sync)

    privacy = groups.add_parser("privacy", help="privacy: opschonen na de bewaartermijn")
    purge = privacy.add_subparsers(dest="command", required=True).add_parser(
        "purge", help="verwijder gesprekken en persoonsgegevens ouder dan de bewaartermijn"
    )
    purge.add_argument("--older-than", type=int, metavar="DAGEN", help="standaard PRIVACY_RETENTION_DAYS")
    purge.set_defaults(handler=_purge)


def _add(args: argparse.Namespace) -> int:
    from bot.console import accounts
    from bot.db import session_scope

    if not args.password_stdin:
        raise CommandError("geef het wachtwoord via standaardinvoer met --password-stdin")
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        with session_scope(get_settings().database_url) as session:
            account = accounts.add_account(session, args.email, args.name, args.role, password)
            email, role = account.email, account.role
    except accounts.AccountError as error:
        raise CommandError(str(error)) from None
    print(f"Account gemaakt: {email} ({role}).")
    return 0


def _token(args: argparse.Namespace) -> int:
    from bot.console import accounts
    from bot.db import session_scope

    with session_scope(get_settings().database_url) as session:
        account = accounts.find_account(session, args.email)
        if account is None:
            raise CommandError(f"geen account voor {args.email}")
        token = accounts.issue_token(session, account)
    print(token)
    return 0


def _tokens(args: argparse.Namespace) -> int:
    from bot.console import accounts
    from bot.db import session_scope

    with session_scope(get_settings().database_url) as session:
        for token, account in accounts.list_tokens(session, args.email):
            state = f"ingetrokken {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "geldig"
            used = (
                f"laatst gebruikt {token.last_used_at:%Y-%m-%d %H:%M}"
                if token.last_used_at
                else "nooit gebruikt"
            )
            print(
                f"{token.id}\t{account.email}\t{token.prefix}…\t{token.created_at:%Y-%m-%d}\t{state}\t{used}"
            )
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from bot.console import accounts
    from bot.db import session_scope

    try:
        with session_scope(get_settings().database_url) as session:
            accounts.revoke_token(session, args.id)
    except accounts.AccountError as error:
        raise CommandError(str(error)) from None
    print(f"Token {args.id} ingetrokken.")
    return 0


def _list(_args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from bot.console.models import Account
    from bot.db import session_scope

    with session_scope(get_settings().database_url) as session:
        for account in session.execute(select(Account).order_by(Account.email)).scalars():
            print(f"{account.email}\t{account.name}\t{account.role}\t{'actief' if account.active else 'uit'}")
    return 0


def _sync(_args: argparse.Namespace) -> int:
    from bot.console import summaries
    from bot.db import session_scope

    settings = get_settings()
    with session_scope(settings.database_url) as session:
        folded = summaries.sync(session, settings)
    print(f"{folded} nieuwe gebeurtenis(sen) verwerkt.")
    return 0


def _purge(args: argparse.Namespace) -> int:
    from bot.console import privacy
    from bot.db import session_scope

    settings = get_settings()
    days = args.older_than if args.older_than is not None else settings.retention_days
    if days < 1:
        raise CommandError("--older-than moet minstens 1 dag zijn")
    with session_scope(settings.database_url) as session:
        result = privacy.purge(session, settings, days, actor="cli")
    print(
        f"Opgeschoond (ouder dan {days} dagen): {result.conversations} gesprek(ken) gewist, "
        f"{result.appointments} afspraak/afspraken geanonimiseerd."
    )
    return 0
