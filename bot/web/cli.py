"""`python -m bot web serve`: the web app on BIND_HOST:WEB_PORT (started by `make run`)."""

from __future__ import annotations

import argparse

from bot.settings import get_settings


def register(groups: argparse._SubParsersAction) -> None:
    web = groups.add_parser("web", help="de webapp (demopagina, widget, console, API)")
    commands = web.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="start de webapp op de voorgrond").set_defaults(handler=_serve)


def _serve(_args: argparse.Namespace) -> None:
    import uvicorn

    from bot.web.app import create_app

    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=settings.bind_host,
        port=settings.web_port,
        log_level="warning",
        # No websockets: the web app doesn't use them, and Rasa pins a websockets too old for uvicorn's.
        ws="none",
        proxy_headers=False,
        server_header=False,
    )
