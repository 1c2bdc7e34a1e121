"""What docs/security.md promises about the running services, checked on the real ones."""

from __future__ import annotations

import socket
import subprocess
from urllib.parse import urlsplit

import pytest
import requests


def outside_addresses() -> list[str]:
    """This machine's addresses other than loopback (IPv4), as `hostname -I` lists them."""
    try:
        listed = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout.split()
    except (OSError, subprocess.SubprocessError):
        listed = []
    return [address for address in listed if "." in address and not address.startswith("127.")]


def ports(helpdesk) -> dict[str, int]:
    env = helpdesk["env"]
    return {
        "rasa": int(urlsplit(helpdesk["base"]).port or 0),
        "acties": int(env["ACTIONS_PORT"]),
        "web": int(env["WEB_PORT"]),
    }


def test_every_service_listens_on_loopback_only(helpdesk):
    addresses = outside_addresses()
    if not addresses:
        pytest.skip("this machine has no address besides loopback to try")
    for name, port in ports(helpdesk).items():
        with socket.socket() as probe:
            probe.settimeout(1)
            assert probe.connect_ex(("127.0.0.1", port)) == 0, f"{name} does not run on loopback"
        for address in addresses:
            with socket.socket() as probe:
                probe.settimeout(1)
                assert probe.connect_ex((address, port)) != 0, f"{name} answers on {address}:{port}"


def test_the_http_api_refuses_a_wrong_token_and_the_model_cannot_be_replaced(helpdesk):
    base = helpdesk["base"]
    assert (
        requests.get(f"{base}/conversations/x/tracker", params={"token": "fout"}, timeout=10).status_code
        == 401
    )
    assert (
        requests.put(f"{base}/model", json={"model_file": "models/other.tar.gz"}, timeout=10).status_code
        == 401
    )
    assert requests.get(f"{base}/status", timeout=10).status_code == 401


def test_cors_lets_only_the_website_call_rasa(helpdesk):
    webhook = f"{helpdesk['base']}/webhooks/rest/webhook"
    allowed = helpdesk["web"]
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    good = requests.options(webhook, headers={"Origin": allowed, **preflight}, timeout=10)
    assert good.headers.get("Access-Control-Allow-Origin") == allowed
    evil = requests.options(webhook, headers={"Origin": "https://evil.example", **preflight}, timeout=10)
    assert evil.headers.get("Access-Control-Allow-Origin") in (None, "")
