"""One Starlette application for everything on port 8000 (contract §2).

`/` and the widget's files come from `bot.web.site`; `/console/` and `/api/` come from
`bot.console`, which mounts them with their own authentication. Every response gets
the security headers of `bot.web.security`. Served by uvicorn (`python -m bot web serve`).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from bot import console
from bot.settings import Settings
from bot.web import site
from bot.web.security import SecurityHeaders


async def health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings) -> Starlette:
    routes: list[BaseRoute] = [
        Route("/healthz", health),
        *site.routes(settings),
        *console.routes(settings),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders, settings=settings)],
        # The console's housekeeping: conversation summaries and the daily privacy purge.
        lifespan=lambda _app: console.background(settings),
    )
    app.state.settings = settings
    return app
