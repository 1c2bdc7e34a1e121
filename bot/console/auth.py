"""Who is asking: the session cookie of the console (HttpOnly, SameSite=Strict, Secure
behind https), the CSRF token of every form, and bearer tokens for the API."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from bot.console import accounts
from bot.console.accounts import Login
from bot.db import session_scope
from bot.settings import Settings

SESSION_COOKIE = "console_session"
LOGIN_CSRF_COOKIE = "console_login_csrf"
LOGIN_PATH = "/console/login"
CSRF_MESSAGE = (
    "Dit formulier is verlopen of komt niet van de console. "
    "Ga terug, laad de pagina opnieuw en probeer het nog eens."
)


@dataclass
class Context:
    """What a console or API handler gets: one database session (one unit of work)."""

    request: Request
    settings: Settings
    session: Session
    login: Login
    form: FormData | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def field(self, name: str) -> str:
        value = self.form.get(name) if self.form is not None else None
        return value.strip() if isinstance(value, str) else ""


Handler = Callable[[Context], Response]


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def client_address(request: Request) -> str:
    return request.client.host if request.client else "onbekend"


def is_https(request: Request) -> bool:
    """Reached over https, directly or through the https proxy in front of the web app.
    Trusting the proxy's header is safe here: it can only make the cookie stricter."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=is_https(request),
        path="/",
        max_age=int(accounts.SESSION_IDLE.total_seconds()),
    )


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"{LOGIN_PATH}?next={quote(target, safe='')}", status_code=303)


def forbidden_page(message: str) -> Response:
    return Response(message, status_code=403, media_type="text/plain; charset=utf-8")


def page(handler: Handler, *, admin: bool = False) -> Callable[[Request], Awaitable[Response]]:
    """A console page: anonymous visitors go to the login page; a POST needs the CSRF token."""

    async def endpoint(request: Request) -> Response:
        settings = settings_of(request)
        form = await request.form() if request.method == "POST" else None

        def work() -> Response:
            with session_scope(settings.database_url) as session:
                login = accounts.session_login(session, request.cookies.get(SESSION_COOKIE))
                if login is None:
                    return login_redirect(request)
                if form is not None:
                    sent = form.get("csrf_token")
                    if not isinstance(sent, str) or not secrets.compare_digest(sent, login.csrf_token):
                        return forbidden_page(CSRF_MESSAGE)
                if admin and not login.is_admin:
                    return forbidden_page("Alleen een beheerder mag dit.")
                return handler(Context(request, settings, session, login, form))

        return await run_in_threadpool(work)

    return endpoint


def api_error(status: int, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="api"'} if status == 401 else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def api(handler: Handler, *, admin: bool = False) -> Callable[[Request], Awaitable[Response]]:
    """An API route: a valid, unrevoked bearer token or 401."""

    async def endpoint(request: Request) -> Response:
        settings = settings_of(request)
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")

        def work() -> Response:
            with session_scope(settings.database_url) as session:
                login = accounts.token_login(session, token.strip()) if scheme.lower() == "bearer" else None
                if login is None:
                    return api_error(401, "Geen geldig token. Stuur 'Authorization: Bearer <token>'.")
                if admin and not login.is_admin:
                    return api_error(403, "Alleen een beheerder (rol admin) mag dit.")
                return handler(Context(request, settings, session, login))

        return await run_in_threadpool(work)

    return endpoint
