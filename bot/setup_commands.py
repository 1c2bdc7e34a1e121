"""Setup commands: `env init` and `db upgrade` (run by `make`), `db revision`."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot import migrate
from bot.serve import print_health
from bot.serve import run as run_services
from bot.settings import ENV_FILE, ensure_env_file, get_settings


def register(groups: argparse._SubParsersAction) -> None:
    env = groups.add_parser("env", help=".env met geheimen").add_subparsers(dest="command", required=True)
    env.add_parser("init", help="maak .env met willekeurige geheimen als die er nog niet is").set_defaults(
        handler=_env_init
    )

    db = groups.add_parser("db", help="database-schema").add_subparsers(dest="command", required=True)
    db.add_parser("upgrade", help="migreer de database naar het nieuwste schema").set_defaults(
        handler=_db_upgrade
    )
    revision = db.add_parser("revision", help="nieuwe migratie (autogenerate) voor ontwikkelaars")
    revision.add_argument("-m", "--message", required=True)
    revision.set_defaults(
        handler=lambda args: migrate.new_revision(args.message, get_settings().database_url)
    )

    serve = groups.add_parser("serve", help="start alle diensten op de voorgrond (make run)")
    serve.add_argument("--model", type=Path, help="dit model serveren in plaats van het nieuwste")
    serve.add_argument(
        "--scaled",
        action="store_true",
        help="schaalprofiel: twee Rasa-instanties achter nginx, Redis-lock store (make run-scaled)",
    )
    serve.set_defaults(handler=lambda args: run_services(args.model, args.scaled))

    status = groups.add_parser("status", help="toon of elke dienst van een draaiende make run werkt")
    status.add_argument("--json", action="store_true", help="als JSON (voor monitoring)")
    status.set_defaults(handler=lambda args: print_health(args.json))


def _env_init(_args: argparse.Namespace) -> None:
    if ensure_env_file():
        print(f"==> {ENV_FILE.name} aangemaakt met nieuwe geheimen (alleen leesbaar voor u)")


def _db_upgrade(_args: argparse.Namespace) -> None:
    migrate.upgrade(get_settings().database_url)
    print("==> database bijgewerkt naar het nieuwste schema")
