"""The demo page of the program's website (`/`, `/toegankelijkheid`, `/privacy`) and the
chat widget's files (`/widget.js`, `/widget.css`; docs/widget.md).

The pages are server-rendered Jinja templates; the widget is configured by a JSON block
in the page (no inline script: the CSP forbids it) with the chat server and the help
desk's phone number from the settings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from bot import clock
from bot.settings import Settings

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
SITE_NAME = "Ik Ben Drents Ondernemer"
# Browsers revalidate (ETag) on every load, so a new widget reaches visitors at once.
STATIC_CACHE = "no-cache"
STATIC_FILES = {
    "/widget.js": ("widget.js", "text/javascript; charset=utf-8"),
    "/widget.css": ("widget.css", "text/css; charset=utf-8"),
    "/site.css": ("site.css", "text/css; charset=utf-8"),
}
WIDGET_COLORS = {"primary": "#1f5f3b", "onPrimary": "#ffffff"}


def phone_digits(phone: str) -> str:
    """The dialable part of a phone number for a tel: link: "0592 00 00 00 (voorbeeld)" -> "0592000000"."""
    return re.sub(r"[^0-9+]", "", re.sub(r"\(.*?\)", "", phone))


def widget_config(settings: Settings, source: str | None) -> dict[str, Any]:
    """The widget's configuration object (docs/widget.md lists every option)."""
    config: dict[str, Any] = {
        "serverUrl": settings.rasa_public_url,
        "phone": settings.helpdesk_phone,
        "privacyUrl": "/privacy",
        "colors": WIDGET_COLORS,
    }
    if source == "hotline":
        config["source"] = "hotline"
        config["open"] = True
    return config


def routes(settings: Settings) -> list[BaseRoute]:
    templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))

    def page_context(request: Request) -> dict[str, Any]:
        summary = clock.opening_hours_summary(settings)
        source = request.query_params.get("source", "").strip().lower() or None
        return {
            "site_name": SITE_NAME,
            "phone": settings.helpdesk_phone,
            "phone_digits": phone_digits(settings.helpdesk_phone),
            "email": settings.helpdesk_email,
            "retention_days": settings.retention_days,
            "helpdesk_hours": clock.format_rules(summary[clock.HELPDESK]),
            "hotline_hours": clock.format_rules(summary[clock.HOTLINE]),
            "widget_config": widget_config(settings, source),
        }

    def page(template: str):
        async def endpoint(request: Request) -> Response:
            return templates.TemplateResponse(request, template, page_context(request))

        return endpoint

    def static(filename: str, media_type: str):
        async def endpoint(_request: Request) -> Response:
            return FileResponse(
                STATIC_DIR / filename, media_type=media_type, headers={"Cache-Control": STATIC_CACHE}
            )

        return endpoint

    return [
        Route("/", page("home.html")),
        Route("/toegankelijkheid", page("toegankelijkheid.html")),
        Route("/privacy", page("privacy.html")),
        *(Route(path, static(name, media)) for path, (name, media) in STATIC_FILES.items()),
    ]
