"""The advisors' console (`/console/`) and the JSON API (`/api/`).

Pages are server-rendered from `templates/`, styles come from `/console-static/`
(no inline script or style, so the CSP holds). Every route but the login page needs a
session (console) or a bearer token (API): see `bot.console.auth`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.settings import Settings

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"
SYNC_INTERVAL_SECONDS = 60


def routes(settings: Settings) -> list[BaseRoute]:
    from bot.console import api, web
    from bot.console.auth import api as token
    from bot.console.auth import page

    return [
        Route("/console", page(web.home)),
        Mount(
            "/console",
            routes=[
                Route("/", page(web.home)),
                Route("/login", web.login_page, methods=["GET", "POST"]),
                Route("/logout", page(web.logout), methods=["POST"]),
                Route("/gesprekken", page(web.conversations)),
                Route("/export.csv", page(web.export_csv)),
                Route("/gesprek/{sender_id}", page(web.conversation)),
                Route("/gesprek/{sender_id}/beoordeeld", page(web.mark_reviewed), methods=["POST"]),
                Route("/gesprek/{sender_id}/labels", page(web.add_tag), methods=["POST"]),
                Route("/gesprek/{sender_id}/labels/verwijderen", page(web.remove_tag), methods=["POST"]),
                Route("/gesprek/{sender_id}/notities", page(web.add_note), methods=["POST"]),
                Route(
                    "/gesprek/{sender_id}/wissen", page(web.erase_page, admin=True), methods=["GET", "POST"]
                ),
                Route("/afspraken", page(web.appointments)),
                Route("/afspraken/{reference}/status", page(web.appointment_status), methods=["POST"]),
                Route("/afspraken/{reference}/opnieuw", page(web.appointment_send_again), methods=["POST"]),
                Route("/inbox", page(web.inbox_page)),
                Route("/inbox/export", page(web.inbox_export), methods=["POST"]),
                Route("/inbox/{item:int}", page(web.inbox_decide), methods=["POST"]),
                Route("/beoordelingen", page(web.ratings_page)),
                Route("/grafieken", page(web.charts_page)),
                Route("/audit", page(web.audit_page, admin=True)),
            ],
        ),
        Mount(
            "/api",
            routes=[
                Route("/conversations", token(api.list_conversations)),
                Route("/conversations/{sender_id}", token(api.get_conversation)),
                Route(
                    "/conversations/{sender_id}",
                    token(api.delete_conversation, admin=True),
                    methods=["DELETE"],
                ),
                Route("/appointments", token(api.list_appointments)),
            ],
        ),
        Mount("/console-static", StaticFiles(directory=STATIC), name="console-static"),
    ]


def housekeeping(settings: Settings) -> None:
    """Fold new events into the summaries; the daily privacy purge when it is due."""
    from bot.console import privacy, summaries
    from bot.db import session_scope

    with session_scope(settings.database_url) as session:
        summaries.sync(session, settings)
    with session_scope(settings.database_url) as session:
        purged = privacy.purge_if_due(session, settings)
    if purged is not None:
        log.info("privacy purge: %s conversations removed", purged.conversations)


@contextlib.asynccontextmanager
async def background(settings: Settings) -> AsyncIterator[None]:
    """Runs `housekeeping` every minute while the web app runs."""

    async def loop() -> None:
        while True:
            try:
                await asyncio.to_thread(housekeeping, settings)
            except Exception:  # a database hiccup must not stop the web app
                log.exception("console housekeeping failed; trying again")
            await asyncio.sleep(SYNC_INTERVAL_SECONDS)

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
