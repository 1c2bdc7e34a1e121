"""The demo site's routes and the widget's configuration, without a browser; and the
origins that may talk to Rasa from the browser (Rasa's CORS)."""

from __future__ import annotations

import json
import re

import pytest
from starlette.testclient import TestClient

from bot.settings import settings_from, site_origins
from bot.web.app import create_app

ENV = {
    "RASA_PUBLIC_URL": "https://chat.example.org/",
    "HELPDESK_PHONE": "0592 12 34 56",
    "HELPDESK_EMAIL": "vraagbaak@drenthe.example.org",
    "LOKET_HELPDESK_HOURS": "mon-fri 09:00-17:00",
    "LOKET_HOTLINE_HOURS": "mon-thu 09:00-21:00; fri 09:00-17:00",
}


def client(**overrides: str) -> TestClient:
    return TestClient(create_app(settings_from({**ENV, **overrides})))


def widget_config(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="vraagbaak-config">(.*?)</script>', html, re.S)
    assert found, "the page carries the widget's configuration block"
    return json.loads(found.group(1))


def test_the_home_page_shows_the_topics_the_contact_details_and_embeds_the_widget():
    response = client().get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="nl">' in html
    for topic in ("Starten", "Groeien", "Innoveren", "Export", "Financiering", "Corona-regelingen"):
        assert f">{topic}</h3>" in html
    assert 'href="tel:0592123456"' in html and "0592 12 34 56" in html
    assert 'href="mailto:vraagbaak@drenthe.example.org"' in html
    assert "maandag t/m vrijdag 09:00" in html, "the help desk's hours, in Dutch"
    assert "maandag t/m donderdag 09:00" in html, "the phone line's hours"
    assert 'href="/toegankelijkheid"' in html and 'href="/privacy"' in html
    assert '<script src="/widget.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/widget.css">' in html
    config = widget_config(html)
    assert config["serverUrl"] == "https://chat.example.org"
    assert config["phone"] == "0592 12 34 56"
    assert config["privacyUrl"] == "/privacy"
    assert "source" not in config and "open" not in config


def test_the_hotline_entry_configures_the_widget_for_the_hotline():
    config = widget_config(client().get("/?source=hotline").text)
    assert config["source"] == "hotline" and config["open"] is True
    assert "source" not in widget_config(client().get("/?source=iets-anders").text)


def test_the_configuration_block_cannot_be_broken_out_of():
    html = client(HELPDESK_PHONE="</script><script>alert(1)</script>").get("/").text
    block = re.search(r'id="vraagbaak-config">(.*?)</script>', html, re.S)
    assert block and "<" not in block.group(1)
    assert widget_config(html)["phone"] == "</script><script>alert(1)</script>"
    assert "<script>alert(1)" not in html


def test_the_privacy_page_names_the_retention_period():
    html = client(PRIVACY_RETENTION_DAYS="180").get("/privacy").text
    assert "180 dagen na het laatste bericht" in html


@pytest.mark.parametrize("path", ["/toegankelijkheid", "/privacy"])
def test_the_statement_pages_are_dutch_pages_with_the_widget(path):
    response = client().get(path)
    assert response.status_code == 200
    assert '<html lang="nl">' in response.text
    assert "<h1>" in response.text
    assert '<script src="/widget.js" defer></script>' in response.text


@pytest.mark.parametrize(
    ("path", "media_type", "marker"),
    [
        ("/widget.js", "text/javascript", "webhooks/rest/webhook"),
        ("/widget.css", "text/css", ".vw-launcher"),
        ("/site.css", "text/css", ".site-header"),
    ],
)
def test_the_widget_files_are_served_and_revalidated(path, media_type, marker):
    response = client().get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["etag"]
    assert marker in response.text


def test_the_widget_never_writes_html():
    source = client().get("/widget.js").text
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source, f"widget.js uses {sink}"


def test_rasa_accepts_the_web_app_and_the_configured_sites_only():
    settings = settings_from({"WEB_PORT": "8000", "WIDGET_SITE_ORIGINS": "https://www.ibdo.example.nl, "})
    assert settings.chat_origins == (
        "http://127.0.0.1:8000",
        "http://localhost:8000",
        "https://www.ibdo.example.nl",
    )
    pattern = re.compile(settings.chat_cors_pattern)
    assert "\\" in settings.chat_cors_pattern, "sanic-cors reads it as a pattern"
    for origin in settings.chat_origins:
        assert pattern.match(origin)
    for origin in ("https://www.ibdo.example.nl.evil.org", "http://127.0.0.1:80001", "https://evil.org"):
        assert not pattern.match(origin)


@pytest.mark.parametrize("value", ["www.example.org", "https://example.org/pad", "javascript:alert(1)"])
def test_a_site_origin_must_be_a_bare_origin(value):
    with pytest.raises(ValueError):
        site_origins(value)
