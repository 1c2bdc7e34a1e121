"""The web app's frame: health check and the security headers on every response."""

from __future__ import annotations

from starlette.testclient import TestClient

from bot.settings import settings_from
from bot.web.app import create_app


def client() -> TestClient:
    return TestClient(create_app(settings_from({"RASA_PUBLIC_URL": "http://chat.example.org"})))


def test_health_answers_ok():
    response = client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_every_response_carries_the_security_headers():
    for path in ("/healthz", "/does-not-exist"):
        response = client().get(path)
        policy = response.headers["content-security-policy"]
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert "connect-src 'self' http://chat.example.org" in policy
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
