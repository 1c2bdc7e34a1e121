"""Command line of the CRM outbox: `python -m bot crm deliver|worker|status`."""

from __future__ import annotations

import argparse
import logging

from sqlalchemy import and_, func, select

from bot.crm.delivery import deliver_pending, make_session_factory, run_worker
from bot.crm.models import OutboxMessage
from bot.crm.outbox import count_undelivered
from bot.settings import get_settings


def register(groups: argparse._SubParsersAction) -> None:
    crm = groups.add_parser("crm", help="CRM-outbox").add_subparsers(dest="command", required=True)
    crm.add_parser("deliver", help="verstuur wachtende CRM-berichten één keer").set_defaults(handler=_deliver)
    worker = crm.add_parser("worker", help="verstuur CRM-berichten doorlopend (tot Ctrl-C)")
    worker.add_argument(
        "--interval", type=float, default=5.0, help="seconden tussen twee rondes (standaard 5)"
    )
    worker.set_defaults(handler=_worker)
    crm.add_parser("status", help="aantal afgeleverde en wachtende CRM-berichten").set_defaults(
        handler=_status
    )


def _deliver(_args: argparse.Namespace) -> int:
    settings = get_settings()
    url = settings.crm_webhook_url
    report = deliver_pending(
        make_session_factory(settings.database_url), url, timeout=settings.crm_timeout_seconds
    )
    if not url:
        print(f"CRM_WEBHOOK_URL is niet ingesteld: {report.waiting} bericht(en) blijven in de outbox.")
        return 0
    print(f"==> CRM: {report}")
    return 1 if report.failed else 0


def _worker(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    run_worker(get_settings(), interval=args.interval)
    return 0


def _status(_args: argparse.Namespace) -> int:
    factory = make_session_factory(get_settings().database_url)
    with factory() as session:
        total = session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()
        failing = session.execute(
            select(func.count())
            .select_from(OutboxMessage)
            .where(and_(OutboxMessage.delivered_at.is_(None), OutboxMessage.attempts > 0))
        ).scalar_one()
    waiting = count_undelivered(factory)
    print(
        f"{total} bericht(en): {total - waiting} afgeleverd, {waiting} wachtend "
        f"({failing} na mislukte poging)"
    )
    return 0
