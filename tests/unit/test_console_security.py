"""Accounts and security of the console and the API: every route refuses anonymous
visitors (listed from the app's router, so a new route can't be forgotten), login,
logout, CSRF, the limit on failed logins, token revocation, the admin role."""

from __future__ import annotations

import subprocess
import sys

import pytest
from console_support import (
    PASSWORD,
    add_account,
    client,
    console_settings,
    csrf_in,
    log_in,
    token_for,
)
from starlette.routing import Mount, Route

from bot.console import accounts
from bot.console.models import Account, ApiToken
from bot.db import session_scope
from bot.settings import PROJECT_ROOT
from bot.web.app import create_app


@pytest.fixture
def settings(database_url, tmp_path):
    return console_settings(database_url, tmp_path / "tracker.db")


def console_and_api_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every console and API route, read from the router."""
    found = []
    for route in app.routes:
        children = route.routes if isinstance(route, Mount) else [route]
        prefix = route.path if isinstance(route, Mount) else ""
        for child in children:
            if not isinstance(child, Route):
                continue
            path = prefix + child.path
            if not path.startswith(("/console", "/api")):
                continue
            for method in sorted(child.methods or {"GET"}):
                if method != "HEAD":
                    found.append((method, path))
    return found


def concrete(path: str) -> str:
    return path.replace("{sender_id}", "abc").replace("{reference}", "AFS-ABCDEF").replace("{item:int}", "1")


def test_every_route_refuses_anonymous_visitors(settings):
    http = client(settings)
    routes = console_and_api_routes(http.app)
    assert ("GET", "/api/conversations") in routes and ("DELETE", "/api/conversations/{sender_id}") in routes
    assert len(routes) >= 20
    for method, path in routes:
        response = http.request(method, concrete(path))
        if path == "/console/login":
            # The page itself is open; posting it needs the form's CSRF token.
            assert response.status_code == (200 if method == "GET" else 403)
        elif path.startswith("/api"):
            assert response.status_code == 401, path
            assert "error" in response.json()
            assert response.headers["www-authenticate"].startswith("Bearer")
        else:
            assert response.status_code == 303, (method, path)
            assert response.headers["location"].startswith("/console/login?next=")


def test_login_session_cookie_and_logout(settings, database_url):
    add_account(database_url, "anna@vraagbaak.example.org")
    http = client(settings)
    response = log_in(http, "Anna@Vraagbaak.example.org")
    assert response.status_code == 303 and response.headers["location"] == "/console/gesprekken"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    page = http.get("/console/gesprekken")
    assert page.status_code == 200 and "Anna Adviseur" in page.text
    assert "unsafe-inline" not in page.headers["content-security-policy"]
    assert "<script" not in page.text and "style=" not in page.text
    http.post("/console/logout", data={"csrf_token": csrf_in(page.text)})
    assert http.get("/console/gesprekken").status_code == 303


def test_cookie_is_secure_behind_https(settings, database_url):
    add_account(database_url, "anna@vraagbaak.example.org")
    http = client(settings)
    http.base_url = "https://testserver"
    response = log_in(http, "anna@vraagbaak.example.org")
    assert "Secure" in response.headers["set-cookie"]
    # Behind the https proxy the web app itself is reached over http.
    proxied = client(settings)
    proxied.headers["X-Forwarded-Proto"] = "https"
    response = log_in(proxied, "anna@vraagbaak.example.org")
    assert "Secure" in response.headers["set-cookie"] and "HttpOnly" in response.headers["set-cookie"]


def test_wrong_password_and_login_limit_per_account(settings, database_url):
    add_account(database_url, "anna@vraagbaak.example.org")
    http = client(settings)
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        response = log_in(http, "anna@vraagbaak.example.org", "fout-wachtwoord-123")
        assert response.status_code == 401 and "klopt niet" in response.text
    # Now even the right password is refused for a while.
    response = log_in(http, "anna@vraagbaak.example.org")
    assert response.status_code == 429 and "Te veel mislukte pogingen" in response.text


def test_login_limit_per_address(settings, database_url):
    add_account(database_url, "anna@vraagbaak.example.org")
    http = client(settings)
    for number in range(accounts.MAX_FAILURES_PER_ADDRESS):
        assert log_in(http, f"gok{number}@example.org", "wat-dan-ook-123").status_code in (401, 429)
    assert log_in(http, "anna@vraagbaak.example.org").status_code == 429


def test_a_form_without_the_right_csrf_token_is_refused(settings, database_url):
    add_account(database_url, "anna@vraagbaak.example.org")
    http = client(settings)
    log_in(http, "anna@vraagbaak.example.org")
    for data in ({}, {"csrf_token": "verzonnen"}):
        response = http.post("/console/logout", data=data)
        assert response.status_code == 403
    assert http.get("/console/gesprekken").status_code == 200  # still logged in
    # The login form itself needs the token of its own cookie.
    fresh = client(settings)
    response = fresh.post(
        "/console/login",
        data={"email": "anna@vraagbaak.example.org", "password": PASSWORD, "csrf_token": "x"},
    )
    assert response.status_code == 403


def test_next_parameter_never_leaves_the_console(settings, database_url):
    add_account(database_url, "anna@vraagbaak.example.org")
    http = client(settings)
    page = http.get("/console/login?next=https://evil.example.org/")
    response = http.post(
        "/console/login",
        data={
            "email": "anna@vraagbaak.example.org",
            "password": PASSWORD,
            "csrf_token": csrf_in(page.text),
            "next": "//evil.example.org/",
        },
    )
    assert response.headers["location"] == "/console/gesprekken"


def test_api_tokens_hashed_and_revocable(settings, database_url):
    add_account(database_url, "anna@vraagbaak.example.org")
    token = token_for(database_url, "anna@vraagbaak.example.org")
    http = client(settings)
    assert http.get("/api/conversations", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert http.get("/api/conversations", headers={"Authorization": f"Bearer {token}x"}).status_code == 401
    with session_scope(database_url) as session:
        stored = session.query(ApiToken).one()
        assert stored.token_hash != token and token not in stored.token_hash
        assert stored.last_used_at is not None
        accounts.revoke_token(session, stored.id)
    assert http.get("/api/conversations", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_only_an_admin_may_erase(settings, database_url):
    add_account(database_url, "anna@vraagbaak.example.org")
    add_account(database_url, "beheer@vraagbaak.example.org", role="admin", name="Bert Beheer")
    advisor = {"Authorization": f"Bearer {token_for(database_url, 'anna@vraagbaak.example.org')}"}
    admin = {"Authorization": f"Bearer {token_for(database_url, 'beheer@vraagbaak.example.org')}"}
    http = client(settings)
    response = http.delete("/api/conversations/iemand", headers=advisor)
    assert response.status_code == 403 and "beheerder" in response.json()["error"]
    assert http.delete("/api/conversations/iemand", headers=admin).status_code == 404
    log_in(http, "anna@vraagbaak.example.org")
    assert http.get("/console/audit").status_code == 403
    assert http.get("/console/gesprek/iemand/wissen").status_code == 403


def test_passwords_are_stored_as_argon2_hashes(database_url):
    add_account(database_url, "anna@vraagbaak.example.org")
    with session_scope(database_url) as session:
        account = session.query(Account).one()
        assert account.password_hash.startswith("$argon2id$") and PASSWORD not in account.password_hash
        with pytest.raises(accounts.AccountError):
            accounts.add_account(session, "anna@vraagbaak.example.org", "Dubbel", "advisor", PASSWORD)
        with pytest.raises(accounts.AccountError):
            accounts.add_account(session, "kort@vraagbaak.example.org", "Kort", "advisor", "kort")


def test_cli_adds_an_advisor_and_issues_lists_and_revokes_tokens(database_url):
    env_python = [sys.executable, "-m", "bot"]
    env = {"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false"}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [*env_python, *args], input=stdin, capture_output=True, text=True, cwd=PROJECT_ROOT, env=env
        )

    added = run(
        "advisor",
        "add",
        "--email",
        "cli@vraagbaak.example.org",
        "--name",
        "Cor Li",
        "--role",
        "admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    token = run("advisor", "token", "--email", "cli@vraagbaak.example.org").stdout.strip()
    assert token.startswith(accounts.TOKEN_PREFIX)
    listed = run("advisor", "tokens").stdout
    assert token[:12] in listed and token not in listed and "geldig" in listed
    token_id = listed.split("\t")[0]
    assert run("advisor", "revoke-token", token_id).returncode == 0
    assert "ingetrokken" in run("advisor", "tokens").stdout
    http = client(console_settings(database_url, PROJECT_ROOT / "var" / "does-not-exist.db"))
    assert http.get("/api/appointments", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert run("advisor", "token", "--email", "niemand@example.org").returncode == 2


def test_app_routes_include_the_static_files_without_login(settings):
    http = client(settings)
    response = http.get("/console-static/console.css")
    assert response.status_code == 200 and "text/css" in response.headers["content-type"]
    assert create_app(settings)  # the app builds with the console mounted
