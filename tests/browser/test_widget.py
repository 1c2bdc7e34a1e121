"""The chat widget on the demo site, in real Chromium against the real help desk
(`helpdesk` fixture: Rasa, actions and the web app on spare ports).

Keyboard and focus, a real conversation with a topic answer and a quick reply, the
conversation kept across reloads and pages, "Nieuw gesprek", the hotline greeting, the
advisor shortcut booked to an AFS- reference with the rating buttons after it, the
offline queue, server text never rendered as HTML, and axe-core on every page.
"""

from __future__ import annotations

import json
import os
import re
import signal
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, Route, expect

from tests.e2e.test_booking import ANSWERS as BOOKING_ANSWERS
from tests.e2e.test_booking import REFERENCE

LAUNCHER = re.compile("chat", re.IGNORECASE)
SENDER = re.compile(r"^web-[0-9a-f]{32}$")
STORAGE_KEY = "vraagbaak-widget"
REPLY_TIMEOUT = 30_000


@pytest.fixture
def site(helpdesk) -> dict[str, Any]:
    return helpdesk


def launcher(page: Page):
    return page.get_by_role("button", name=LAUNCHER)


def panel(page: Page):
    return page.get_by_role("dialog")


def conversation(page: Page):
    return page.get_by_role("log")


def message_box(page: Page):
    return page.get_by_label("Uw bericht")


def bot_messages(page: Page):
    return page.locator("[role=log] .vw-bot")


def stored(page: Page) -> dict[str, Any]:
    return page.evaluate(f"() => JSON.parse(localStorage.getItem('{STORAGE_KEY}'))")


def open_widget(page: Page, url: str) -> None:
    page.goto(url)
    launcher(page).click()
    bot_messages(page).first.wait_for(timeout=REPLY_TIMEOUT)


def say(page: Page, text: str) -> None:
    """Types a message in the message box, sends it with Enter and waits for the answer."""
    before = bot_messages(page).count()
    message_box(page).fill(text)
    message_box(page).press("Enter")
    bot_messages(page).nth(before).wait_for(timeout=REPLY_TIMEOUT)


def press_reply(page: Page, title: str | re.Pattern) -> None:
    """Activates a quick-reply button by keyboard (focus, Enter) and waits for the answer."""
    before = bot_messages(page).count()
    button = page.locator(".vw-replies").get_by_role("button", name=title).last
    button.focus()
    button.press("Enter")
    bot_messages(page).nth(before).wait_for(timeout=REPLY_TIMEOUT)


def greetings(page: Page) -> int:
    return bot_messages(page).filter(has_text="Goedendag").count()


def tracker_slots(site: dict[str, Any], sender: str) -> dict[str, Any]:
    response = requests.get(
        f"{site['base']}/conversations/{sender}/tracker", params={"token": site["token"]}, timeout=10
    )
    response.raise_for_status()
    return response.json()["slots"]


def webhook_bodies(page: Page) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []

    def record(request) -> None:
        if request.url.endswith("/webhooks/rest/webhook") and request.method == "POST":
            bodies.append(json.loads(request.post_data or "{}"))

    page.on("request", record)
    return bodies


def watch_the_log_and_the_status(page: Page) -> None:
    """Records what the status region says and what is added to or removed from the log."""
    page.evaluate(
        """() => {
            const log = document.querySelector('[role=log]');
            const status = document.querySelector('.vw-typing[role=status]');
            window.__seen = {added: 0, removed: 0, status: []};
            new MutationObserver((records) => records.forEach((record) => {
                window.__seen.added += record.addedNodes.length;
                window.__seen.removed += record.removedNodes.length;
            })).observe(log, {childList: true});
            new MutationObserver(() => window.__seen.status.push(status.textContent))
                .observe(status, {childList: true, subtree: true, characterData: true});
        }"""
    )


# ---- keyboard, focus, roles -----------------------------------------------------------


def test_the_launcher_opens_by_keyboard_moves_focus_and_escape_closes(site, page):
    page.goto(site["web"] + "/")
    button = launcher(page)
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(panel(page)).to_be_hidden()
    expect(page.get_by_role("button", name=LAUNCHER)).to_have_count(1)
    # From the top of the page, Shift+Tab wraps to the last focusable element: the launcher.
    page.keyboard.press("Shift+Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")

    expect(button).to_have_attribute("aria-expanded", "true")
    expect(panel(page)).to_be_visible()
    expect(panel(page)).to_have_accessible_name(re.compile("Vraagbaak"))
    expect(page.get_by_role("button", name=LAUNCHER)).to_have_count(1)
    expect(message_box(page)).to_be_focused()
    log = conversation(page)
    expect(log).to_have_attribute("aria-relevant", "additions")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(bot_messages(page).first).to_contain_text("Goedendag", timeout=REPLY_TIMEOUT)
    assert greetings(page) == 1
    # The greeting's quick replies are real buttons.
    expect(page.locator(".vw-replies button").first).to_be_visible()
    for name in ("Sluiten", "Nieuw gesprek", re.compile("Tekst groter"), "Praat met een adviseur"):
        expect(panel(page).get_by_role("button", name=name)).to_be_visible()
    expect(panel(page).get_by_role("link", name=re.compile("gegevens"))).to_have_attribute("href", "/privacy")

    page.keyboard.press("Escape")
    expect(panel(page)).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()

    # Opening again neither starts the conversation over nor greets twice.
    page.keyboard.press("Space")
    expect(message_box(page)).to_be_focused()
    page.get_by_role("button", name="Sluiten", exact=True).click()
    expect(button).to_be_focused()
    assert greetings(page) == 1


def test_a_topic_question_is_answered_and_a_quick_reply_sends_its_payload(site, page):
    bodies = webhook_bodies(page)
    open_widget(page, site["web"] + "/")
    assert bodies[0]["message"] == "/session_start"
    assert bodies[0]["metadata"] == {"source": "website"}
    assert SENDER.match(bodies[0]["sender"])

    history = page.locator("[role=log] > *").count()
    watch_the_log_and_the_status(page)
    say(page, "Wij willen gaan exporteren naar Duitsland, wie kan ons helpen?")
    expect(conversation(page)).to_contain_text("Exportcarrousel")
    seen = page.evaluate("() => window.__seen")
    assert "De assistent schrijft een antwoord…" in seen["status"], "typing is said in the status region"
    assert page.locator(".vw-typing[role=status]").inner_text() == "", "and cleared with the answer"
    # Each new message is one node added to the log; the history is never added again.
    assert seen["removed"] == 0
    assert seen["added"] == page.locator("[role=log] > *").count() - history
    user = page.locator("[role=log] .vw-user").last
    expect(user).to_contain_text("exporteren naar Duitsland")
    expect(user.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    # The answer's addresses are links, opened safely.
    link = conversation(page).get_by_role("link", name="www.rvo.nl").first
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("target", "_blank")

    button = page.locator(".vw-replies").get_by_role("button").first
    title = button.inner_text()
    before = bot_messages(page).count()
    button.click()
    bot_messages(page).nth(before).wait_for(timeout=REPLY_TIMEOUT)
    expect(page.locator("[role=log] .vw-user").last).to_have_text(re.compile(re.escape(title)))
    assert bodies[-1]["message"].startswith("/"), "a quick reply sends its payload, not its title"
    expect(message_box(page)).to_be_focused()


# ---- kept across reloads and pages; a new conversation -----------------------------------


def test_the_conversation_survives_a_reload_and_another_page_and_can_start_over(site, page):
    open_widget(page, site["web"] + "/")
    say(page, "Hoe kom ik aan geld voor een nieuwe bestelbus?")
    sender = stored(page)["sender"]
    shown = bot_messages(page).count()
    bodies = webhook_bodies(page)

    page.reload()
    expect(panel(page)).to_be_visible()
    expect(conversation(page)).to_contain_text("nieuwe bestelbus")
    expect(bot_messages(page)).to_have_count(shown)
    assert greetings(page) == 1
    assert stored(page)["sender"] == sender

    page.get_by_role("link", name="Privacy").first.click()
    expect(page).to_have_url(re.compile("/privacy$"))
    expect(conversation(page)).to_contain_text("nieuwe bestelbus")
    assert bodies == [], "reloading or changing pages sends nothing to the bot"

    page.get_by_role("button", name="Nieuw gesprek").click()
    expect(conversation(page)).not_to_contain_text("nieuwe bestelbus")
    expect(bot_messages(page).first).to_contain_text("Goedendag", timeout=REPLY_TIMEOUT)
    assert greetings(page) == 1
    expect(message_box(page)).to_be_focused()
    new_sender = stored(page)["sender"]
    assert SENDER.match(new_sender) and new_sender != sender
    assert [body["message"] for body in bodies] == ["/session_start"]


# ---- hotline entry ----------------------------------------------------------------------


def test_the_hotline_entry_opens_at_once_with_the_hotline_greeting(site, page):
    # Someone who chatted on the website before starts a new, hotline conversation.
    open_widget(page, site["web"] + "/")
    website_sender = stored(page)["sender"]
    bodies = webhook_bodies(page)
    page.goto(site["web"] + "/?source=hotline")
    expect(panel(page)).to_be_visible()
    first = bot_messages(page).first
    first.wait_for(timeout=REPLY_TIMEOUT)
    expect(first).to_contain_text("hulplijn")
    expect(first).to_contain_text(re.compile("bezet|gesloten"))
    expect(first).to_contain_text("terugbelt")
    expect(first.get_by_role("button", name="Bel mij terug")).to_be_visible()
    assert bodies[0]["message"] == "/session_start"
    assert bodies[0]["metadata"] == {"source": "hotline"}
    assert bodies[0]["sender"] != website_sender
    assert greetings(page) == 0 and bot_messages(page).count() == 1, "one greeting: the hotline's"
    expect(message_box(page)).to_be_focused()

    page.reload()
    expect(bot_messages(page)).to_have_count(1)
    assert len(bodies) == 1, "a reload of the hotline page keeps its conversation"


# ---- the advisor shortcut, booked by keyboard, and the rating -------------------------------

# Answered with a button the bot offers: the first free slot, a way to talk, "yes".
BOOKING_BUTTONS = {"appointment_slot": None, "contact_preference": None, "booking_confirmed": "Ja, boek maar"}


def test_the_advisor_shortcut_books_an_appointment_by_keyboard_and_the_rating_follows(site, page, axe):
    open_widget(page, site["web"] + "/")
    sender = stored(page)["sender"]
    shortcut = page.get_by_role("button", name="Praat met een adviseur")
    before = bot_messages(page).count()
    shortcut.focus()
    page.keyboard.press("Enter")
    bot_messages(page).nth(before).wait_for(timeout=REPLY_TIMEOUT)
    expect(page.locator("[role=log] .vw-user").last).to_have_text(re.compile("adviseur"))

    asked: list[str] = []
    for _turn in range(15):
        if REFERENCE.search(conversation(page).inner_text()):
            break
        slot = tracker_slots(site, sender).get("requested_slot")
        assert slot, f"the booking stopped without a reference after {asked}"
        asked.append(slot)
        if slot in BOOKING_BUTTONS:
            title = BOOKING_BUTTONS[slot]
            if title is None:
                title = page.locator(".vw-replies button").first.inner_text()
            press_reply(page, title)
        else:
            say(page, BOOKING_ANSWERS[slot])
    assert REFERENCE.search(conversation(page).inner_text()), f"no AFS- reference; asked {asked}"
    assert asked[0] == "person_name" and asked[-1] == "booking_confirmed"

    # The rating question comes as ten buttons in one compact group.
    rating = page.get_by_role("group", name="Kies een cijfer van 1 tot 10")
    expect(rating).to_be_visible(timeout=REPLY_TIMEOUT)
    expect(rating.get_by_role("button")).to_have_count(10)
    boxes = [rating.get_by_role("button", name=str(mark), exact=True).bounding_box() for mark in (1, 10)]
    assert boxes[0] and boxes[1] and boxes[1]["y"] - boxes[0]["y"] < boxes[0]["height"] * 2.5, (
        "the marks sit in one row (or two) rather than a column"
    )
    assert axe(page) == [], "the open widget with the rating buttons"
    press_reply(page, re.compile("^8$"))
    expect(conversation(page)).to_contain_text("Dank u wel voor uw cijfer")
    say(page, "Snel geholpen, dank")
    assert tracker_slots(site, sender)["rating"] == 8
    assert tracker_slots(site, sender)["rating_comment"] == "Snel geholpen, dank"


# ---- offline ---------------------------------------------------------------------------


def test_messages_wait_while_the_server_is_unreachable_and_go_out_when_it_is_back(site, page):
    open_widget(page, site["web"] + "/")
    shown = bot_messages(page).count()
    webhook = re.compile(r".*/webhooks/rest/webhook$")
    page.route(webhook, lambda route: route.abort("connectionrefused"))

    message_box(page).fill("Wat is de Financieringstafel?")
    message_box(page).press("Enter")
    status = page.locator(".vw-connection[role=status]")
    expect(status).to_contain_text("geen verbinding")
    expect(status).to_contain_text("0592")  # the configured phone number
    pending = page.locator("[role=log] .vw-user").last
    expect(pending).to_contain_text("Nog niet verstuurd")
    assert [item["message"] for item in stored(page)["queue"]] == ["Wat is de Financieringstafel?"]

    # The queue survives a reload while the server is still away.
    page.reload()
    expect(status).to_contain_text("geen verbinding")
    expect(page.locator("[role=log] .vw-user").last).to_contain_text("Nog niet verstuurd")

    page.unroute(webhook)
    expect(status).to_contain_text("verbinding is terug", timeout=REPLY_TIMEOUT)
    bot_messages(page).nth(shown).wait_for(timeout=REPLY_TIMEOUT)
    expect(conversation(page)).to_contain_text("Financieringstafel")
    expect(page.locator("[role=log] .vw-user").last).not_to_contain_text("Nog niet verstuurd")
    assert stored(page)["queue"] == []


def test_the_rasa_server_really_stopped_and_started_again_by_the_launcher(site, page):
    """Not simulated in the browser: the Rasa process is killed; the launcher starts it again."""
    from tests.e2e.test_faults import service, status

    open_widget(page, site["web"] + "/")
    shown = bot_messages(page).count()
    rasa = service(status(site), "rasa")
    os.kill(rasa["pid"], signal.SIGKILL)

    message_box(page).fill("Wat is de Financieringstafel?")
    message_box(page).press("Enter")
    notice = page.locator(".vw-connection[role=status]")
    expect(notice).to_contain_text("geen verbinding", timeout=REPLY_TIMEOUT)
    expect(notice).to_contain_text("0592")
    expect(page.locator("[role=log] .vw-user").last).to_contain_text("Nog niet verstuurd")

    # Rasa loads its model again (up to a minute and a half on a busy machine); the
    # widget keeps retrying with back-off (at most 30 s apart) and then sends the queue.
    expect(notice).to_contain_text("verbinding is terug", timeout=240_000)
    bot_messages(page).nth(shown).wait_for(timeout=REPLY_TIMEOUT)
    expect(conversation(page)).to_contain_text("Financieringstafel")
    assert stored(page)["queue"] == []
    restarted = service(status(site), "rasa")
    assert restarted["restarts"] >= 1 and restarted["pid"] != rasa["pid"]


def test_the_online_event_sends_the_queue_at_once(site, page):
    open_widget(page, site["web"] + "/")
    page.context.set_offline(True)
    message_box(page).fill("Hallo")
    message_box(page).press("Enter")
    status = page.locator(".vw-connection[role=status]")
    expect(status).to_contain_text("geen verbinding")
    # The back-off's first retry (after 2 s) fails too; the next one waits 4 s more.
    page.wait_for_timeout(2_600)
    with page.expect_request(re.compile(r".*/webhooks/rest/webhook$"), timeout=1_500):
        page.context.set_offline(False)  # the browser's `online` event sends at once
    expect(status).to_contain_text("verbinding is terug", timeout=REPLY_TIMEOUT)


# ---- server text is never HTML ------------------------------------------------------------

CRAFTED = (
    '<img src=x onerror="window.__pwned = 1"> **vet** en <b>geen vet</b>\n'
    "- eerste punt\n"
    "- tweede punt\n"
    "[klik hier](javascript:window.__pwned=2) en https://www.example.org/pagina."
)


def test_server_text_is_shown_as_text_never_as_html(site, page):
    open_widget(page, site["web"] + "/")

    def crafted_reply(route: Route) -> None:
        cors = {"Access-Control-Allow-Origin": "*"}
        if route.request.method == "OPTIONS":
            route.fulfill(
                status=204,
                headers={
                    **cors,
                    "Access-Control-Allow-Methods": "POST",
                    "Access-Control-Allow-Headers": "content-type",
                },
            )
            return
        sender = json.loads(route.request.post_data or "{}").get("sender")
        replies = [
            {"recipient_id": sender, "text": CRAFTED},
            {
                "recipient_id": sender,
                "text": "Kies:",
                "buttons": [{"title": '<img src=y onerror="window.__pwned = 3">', "payload": "/help"}],
            },
        ]
        route.fulfill(
            status=200,
            content_type="application/json",
            headers=cors,
            body=json.dumps(replies),
        )

    page.route(re.compile(r".*/webhooks/rest/webhook$"), crafted_reply)
    say(page, "laat iets geks zien")
    message = bot_messages(page).filter(has_text="eerste punt")
    expect(message).to_contain_text('<img src=x onerror="window.__pwned = 1">')
    expect(message).to_contain_text("<b>geen vet</b>")
    expect(message.locator("strong")).to_have_text("vet")
    expect(message.locator("li")).to_have_count(2)
    expect(conversation(page).locator("img, b, script")).to_have_count(0)
    links = message.get_by_role("link")
    expect(links).to_have_count(1)
    expect(links.first).to_have_attribute("href", "https://www.example.org/pagina")
    expect(message).to_contain_text("[klik hier](javascript:")
    expect(page.get_by_role("button", name=re.compile("onerror"))).to_be_visible()
    assert page.evaluate("() => window.__pwned") is None


# ---- look and feel: text size, reduced motion ------------------------------------------------


def test_the_text_size_control_enlarges_the_widget_text_and_is_remembered(site, page):
    open_widget(page, site["web"] + "/")

    def size() -> float:
        return float(bot_messages(page).first.evaluate("node => parseFloat(getComputedStyle(node).fontSize)"))

    normal = size()
    page.get_by_role("button", name=re.compile("Tekst groter")).click()
    page.get_by_role("button", name=re.compile("Tekst groter")).click()
    assert size() >= normal * 1.3
    page.reload()
    assert size() >= normal * 1.3
    page.get_by_role("button", name=re.compile("Tekst kleiner")).click()
    assert normal < size() < normal * 1.3


def test_reduced_motion_switches_the_animations_off(site, page):
    page.emulate_media(reduced_motion="reduce")
    open_widget(page, site["web"] + "/")
    assert page.locator(".vw-panel").evaluate("node => getComputedStyle(node).animationName") == "none"
    page.emulate_media(reduced_motion="no-preference")
    assert page.locator(".vw-panel").evaluate("node => getComputedStyle(node).animationName") != "none"


# ---- accessibility checks and screenshots ---------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/toegankelijkheid", "/privacy"])
def test_axe_finds_no_serious_violations_on_the_pages(site, page, axe, path):
    page.goto(site["web"] + path)
    expect(launcher(page)).to_be_visible()
    assert axe(page) == []


def test_axe_finds_no_serious_violations_with_the_widget_open_and_offline(site, page, axe, results_dir):
    open_widget(page, site["web"] + "/")
    say(page, "Ik wil een webshop beginnen")
    assert axe(page) == [], "the open widget with an answer and quick replies"
    page.screenshot(path=str(results_dir / "widget-desktop.png"))
    page.route(re.compile(r".*/webhooks/rest/webhook$"), lambda route: route.abort())
    message_box(page).fill("Is er iemand?")
    message_box(page).press("Enter")
    expect(page.locator(".vw-connection")).to_contain_text("geen verbinding")
    assert axe(page) == [], "the offline notice"


@pytest.mark.parametrize(
    ("name", "viewport", "scale"),
    [
        ("320px", {"width": 320, "height": 640}, 1),
        # 200 % zoom of a 1280 x 800 window: half the CSS pixels, twice the device pixels.
        ("zoom-200", {"width": 640, "height": 400}, 2),
    ],
)
def test_the_widget_is_usable_narrow_and_zoomed(site, browser, results_dir, axe, name, viewport, scale):
    context = browser.new_context(viewport=viewport, device_scale_factor=scale, locale="nl-NL")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto(site["web"] + "/")
        no_sideways_scroll = (
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        assert page.evaluate(no_sideways_scroll)
        expect(launcher(page)).to_be_in_viewport()
        page.screenshot(path=str(results_dir / f"site-{name}.png"))
        launcher(page).click()
        bot_messages(page).first.wait_for(timeout=REPLY_TIMEOUT)
        say(page, "Ik wil starten als zzp'er")
        box = panel(page).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 0.5
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 0.5
        for control in (
            message_box(page),
            page.get_by_role("button", name="Versturen"),
            page.get_by_role("button", name="Praat met een adviseur"),
            page.get_by_role("button", name="Sluiten", exact=True),
        ):
            expect(control).to_be_in_viewport()
        scroller = page.locator(".vw-scroller").bounding_box()
        assert scroller and scroller["height"] >= 120, "the conversation keeps room to read"
        assert page.evaluate(no_sideways_scroll)
        assert axe(page) == []
        page.screenshot(path=str(results_dir / f"widget-{name}.png"))

        # The largest text and the offline notice still leave the controls on screen.
        for _step in range(3):
            page.get_by_role("button", name=re.compile("Tekst groter")).click()
        page.route(re.compile(r".*/webhooks/rest/webhook$"), lambda route: route.abort())
        message_box(page).fill("Is er iemand?")
        message_box(page).press("Enter")
        expect(page.locator(".vw-connection")).to_contain_text("geen verbinding")
        for control in (message_box(page), page.get_by_role("button", name="Sluiten", exact=True)):
            expect(control).to_be_in_viewport(ratio=1)
        assert page.evaluate(no_sideways_scroll)
        page.screenshot(path=str(results_dir / f"widget-{name}-large-text-offline.png"))
    finally:
        context.close()
