"""The advisors' console (`/console/`) and the JSON API (`/api/`). Built in issue 10."""

from __future__ import annotations

from starlette.routing import BaseRoute

from bot.settings import Settings


def routes(settings: Settings) -> list[BaseRoute]:
    return []
