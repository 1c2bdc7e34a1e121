"""The demo page of the program's website (`/`) and the chat widget's files
(`/widget.js`, `/widget.css`). Built in issue 9."""

from __future__ import annotations

from starlette.routing import BaseRoute

from bot.settings import Settings


def routes(settings: Settings) -> list[BaseRoute]:
    return []
