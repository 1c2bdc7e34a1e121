"""The advisors' console in real Chromium against the real help desk (`helpdesk`
fixture): an advisor made with the CLI logs in by keyboard, finds yesterday's
handed-off conversations, reads one with intents and confidences, marks it reviewed,
corrects two inbox messages and exports them; axe-core finds no serious or critical
violations on any console page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

# The sample conversations are shared with the unit tests (written with Rasa's own tracker store).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from console_support import Conversations, sample_conversations

pytestmark = pytest.mark.e2e
EMAIL = "adviseur@vraagbaak.example.org"
PASSWORD = "browser-wachtwoord-2026"
YESTERDAY = "2026-12-01"  # the help desk's "now" is 2 December (tests/conftest.py)


@pytest.fixture(scope="module")
def console(helpdesk):
    env = helpdesk["env"]
    result = subprocess.run(
        [
            helpdesk["python"],
            "-m",
            "bot",
            "advisor",
            "add",
            "--email",
            EMAIL,
            "--name",
            "Ada Adviseur",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    # One real conversation through Rasa's REST channel, with a message it can't understand.
    for message in ("hallo", "qwxz vlobbertje frumsel"):
        response = requests.post(
            f"{helpdesk['base']}/webhooks/rest/webhook",
            json={"sender": "browser-echt", "message": message},
            timeout=60,
        )
        assert response.ok
    sample_conversations(Conversations(helpdesk["work"] / "tracker.db"))
    return helpdesk["web"]


def log_in_by_keyboard(page, web: str) -> None:
    page.goto(f"{web}/console/gesprekken")
    assert "/console/login" in page.url
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{web}/console/gesprekken")


def test_advisor_flow_by_keyboard(page, console, axe, results_dir):
    log_in_by_keyboard(page, console)
    assert page.get_by_role("heading", name="Gesprekken").is_visible()
    assert page.locator("tbody tr").count() >= 4  # three samples and the real one
    assert axe(page) == []

    # Yesterday's handed-off conversations, with the filters in the URL.
    page.get_by_label("Vanaf").fill(YESTERDAY)
    page.get_by_label("Tot en met").fill(YESTERDAY)
    page.get_by_label("Overgedragen").select_option("ja")
    page.get_by_role("button", name="Filteren").click()
    page.wait_for_url("**handed_off=ja**")
    assert f"date_from={YESTERDAY}" in page.url
    assert page.locator("tbody tr").count() == 1
    page.screenshot(path=str(results_dir / "console-gesprekken.png"), full_page=True)

    # The transcript with intents and confidences.
    page.locator("tbody tr a").first.click()
    page.wait_for_url("**/console/gesprek/gesprek-export")
    assert page.get_by_text("Intentie: ask_export, zekerheid 0.93").is_visible()
    assert axe(page) == []
    page.get_by_role("button", name="Markeer als bekeken").click()
    assert page.get_by_text("Bekeken door Ada Adviseur").is_visible()

    # A message with script is shown as text in the transcript.
    page.goto(f"{console}/console/gesprek/gesprek-onduidelijk")
    assert page.get_by_text("blabla <script>alert(1)</script>").is_visible()
    page.screenshot(path=str(results_dir / "console-transcript.png"), full_page=True)

    # Correct two messages in the inbox and export them.
    page.goto(f"{console}/console/inbox")
    assert axe(page) == []
    page.screenshot(path=str(results_dir / "console-inbox.png"), full_page=True)
    tvl = page.locator(".inbox-item", has_text="tvl dinges")
    tvl.get_by_label("Juiste intentie").select_option("ask_corona_scheme")
    tvl.get_by_role("button", name="Vastleggen").click()
    gibberish = page.locator(".inbox-item", has_text="blabla")
    gibberish.get_by_label("Juiste intentie").select_option("out_of_scope")
    gibberish.get_by_role("button", name="Vastleggen").click()
    assert page.get_by_role("status").filter(has_text="out_of_scope").is_visible()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Exporteer als NLU-trainingsdata (YAML)").click()
    exported = yaml.safe_load(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert {item["intent"] for item in exported["nlu"]} == {"ask_corona_scheme", "out_of_scope"}
    examples = {item["intent"]: item["examples"] for item in exported["nlu"]}
    assert "- blabla <script>alert(1)</script>" in examples["out_of_scope"]  # text as typed

    # The other pages.
    for path in ("/console/afspraken", "/console/beoordelingen", "/console/grafieken", "/console/audit"):
        page.goto(f"{console}{path}")
        assert page.locator("h1").is_visible()
        assert axe(page) == [], path
        page.screenshot(
            path=str(results_dir / f"console{path.replace('/console', '').replace('/', '-')}.png"),
            full_page=True,
        )
    page.goto(f"{console}/console/gesprekken")
    page.screenshot(path=str(results_dir / "console-lijst.png"))


def test_login_page_is_accessible_and_refuses_a_wrong_password(page, console, axe):
    page.goto(f"{console}/console/login")
    assert axe(page) == []
    page.get_by_label("E-mailadres").fill(EMAIL)
    page.get_by_label("Wachtwoord").fill("helemaal-fout-123")
    page.get_by_role("button", name="Inloggen").click()
    assert page.get_by_role("alert").filter(has_text="klopt niet").is_visible()
    assert axe(page) == []
