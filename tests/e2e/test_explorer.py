"""The conversation explorer: walks the dialogue over the real model, the real action
server and the REST channel, instead of replaying a few scripts.

It reaches every state of the booking form (each question it asks), the cancel form,
a topic answer, a corona answer, both fallback stages, the greeting and the rating;
from each state it tries every button the bot just offered plus a fixed set of
off-path inputs (a topic question, "stop", help, an e-mail address at the wrong
prompt, gibberish, a greeting, the bot's own buttons, markup). After every message it
checks the invariants of a conversation that never breaks:

- the reply is never empty (Rasa's circuit breaker would show as silence);
- no text repeats within one reply;
- the turn guard's recovery message never appears (it only speaks when a turn would loop);
- the same reply never comes three times in a row;

and after the off-path input it checks that the booking (or the move) can still be
completed; then it cancels the booking through the chat, as its owner would, so the
agenda never runs out however many paths book. Paths run a few at a time; the walk is
bounded in paths, turns and time, and prints what it explored.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
import yaml

from bot.chat import send

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"\bAFS-[A-Z2-9]{6}\b")
PARALLEL = 3
DEADLINE_SECONDS = 25 * 60
MIN_TURNS = 1500
MAX_TURNS_TO_COMPLETE = 16

OFF_PATH = {
    "topic question": "Hoe kom ik aan geld voor een nieuwe bestelbus?",
    "corona question": "moet ik de NOW terugbetalen?",
    "stop": "stop",
    "help": "wat kun je allemaal?",
    "e-mail at a wrong prompt": "p.jansen@example.org",
    "phone at a wrong prompt": "06 12345678",
    "gibberish": "qwrtp zxvbn lkjh",
    "greeting": "hallo",
    "thanks": "dank je",
    "markup": "<script>alert('x')</script>",
    "button: advisor": "/request_advisor",
    "button: help": "/help",
    "button: yes": "/affirm",
    "button: no": "/deny",
    "button: cancel": "/cancel_appointment",
}
# Valid answers to the booking form, rotated over the paths: ordinary names, company
# names made of ordinary words, places from all over Drenthe.
PEOPLE = ["Jan de Vries", "Fatima El Amrani", "Anne-Marie van 't Hof", "Sven", "Ali Yilmaz", "Grietje Bakker"]
COMPANIES = [
    "Hofstede Fietsen",
    "De Groene Weide",
    "Zorg en Zo",
    "Snel Transport",
    "Kapsalon Knip",
    "Wij Bouwen",
]
PLACES = ["Beilen", "Emmen", "Zuidlaren", "Dwingeloo", "Coevorden", "Roden", "Meppel", "Borger", "Hoogeveen"]
ANSWERS = {
    "employees": "12",
    "question_summary": "Wij willen onze webshop uitbreiden naar Duitsland",
    "email": "info@hofstede-fietsen.example.org",
    "phone": "0592 123456",
}
HOTLINE = {"source": "hotline"}
BOOKING_REQUEST = "Ik wil graag een afspraak met een adviseur"
CANCEL_REQUEST = "Ik wil mijn afspraak verzetten"
RELEASE_REQUEST = "Ik wil mijn afspraak afzeggen"
BOOKED = ("utter_booking_done", "utter_booking_done_callback")
FINISHED_CANCEL = (
    "utter_cancel_done",
    "utter_cancel_done_callback",
    "utter_move_done",
    "utter_move_done_callback",
)


def recovery_text() -> str:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return domain["responses"]["utter_recover"][0]["text"].split("{")[0][:40]


@dataclass
class Findings:
    planned: int = 0
    paths: int = 0
    turns: int = 0
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count_turn(self) -> None:
        with self.lock:
            self.turns += 1


class Conversation:
    """One sender over REST; every reply is checked against the invariants."""

    def __init__(self, helpdesk: dict, findings: Findings, label: str, recovery: str) -> None:
        self.helpdesk = helpdesk
        self.findings = findings
        self.label = label
        self.recovery = recovery
        self.sender = f"explore-{uuid.uuid4().hex[:10]}"
        self.replies: list[dict] = []
        self.history: list[str] = []
        self.last_texts: list[str] = []

    def say(self, message: str, metadata: dict | None = None) -> list[dict]:
        self.replies = send(self.helpdesk["base"], self.sender, message, metadata=metadata)
        self.findings.count_turn()
        texts = [reply.get("text") or "" for reply in self.replies]
        joined = " | ".join(texts)
        self.history.append(f"> {message}\n< {joined[:300]}")
        if not self.replies:
            self.problem(f"empty reply to {message!r}")
        repeated = {text for text in texts if text and texts.count(text) > 1}
        if repeated:
            self.problem(f"repeated within one reply to {message!r}: {sorted(repeated)[0][:80]}")
        if self.recovery and self.recovery in joined:
            self.problem(f"recovery message (a turn that would loop) after {message!r}")
        self.last_texts = ([*self.last_texts, joined])[-3:]
        if len(self.last_texts) == 3 and len(set(self.last_texts)) == 1:
            self.problem(f"the same reply three times in a row, last to {message!r}")
        return self.replies

    def problem(self, what: str) -> None:
        trail = "\n".join(self.history[-6:])
        self.findings.problems.append(f"[{self.label}] {what}\n{trail}")

    def buttons(self) -> list[dict]:
        return [button for reply in self.replies for button in reply.get("buttons") or []]

    def tracker(self) -> dict:
        response = requests.get(
            f"{self.helpdesk['base']}/conversations/{self.sender}/tracker",
            params={"token": self.helpdesk["token"]},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def reference(self) -> str | None:
        """The reference of a booking confirmed in the latest reply; never the example
        reference that the cancel form's question shows."""
        for event in reversed(self.tracker()["events"]):
            if event.get("event") == "user":
                return None
            if event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") in BOOKED:
                found = REFERENCE.search(event.get("text") or "")
                return found.group(0) if found else None
        return None


def answer_to(conversation: Conversation, slot: str, index: int) -> str:
    """A valid answer to the booking or cancel form's question."""
    buttons = conversation.buttons()
    if slot in ("appointment_slot", "new_appointment_slot", "contact_preference") and buttons:
        return buttons[0]["payload"]
    if slot == "booking_confirmed":
        return "/affirm"
    if slot == "cancel_choice":
        return "verzetten"
    if slot == "person_name":
        return PEOPLE[index % len(PEOPLE)]
    if slot == "company_name":
        return COMPANIES[index % len(COMPANIES)]
    if slot == "municipality":
        return PLACES[index % len(PLACES)]
    return ANSWERS.get(slot, "ja")


def walk_booking(conversation: Conversation, index: int, answers: int | None = None) -> list[str]:
    """Answer the booking form; stop after `answers` answers (None: until booked). Returns
    the questions asked."""
    asked: list[str] = []
    conversation.say(BOOKING_REQUEST)
    while answers is None or len(asked) < answers:
        if conversation.reference():
            break
        slot = conversation.tracker()["slots"].get("requested_slot")
        if not slot or len(asked) > MAX_TURNS_TO_COMPLETE:
            break
        asked.append(slot)
        conversation.say(answer_to(conversation, slot, index))
    return asked


def complete_booking(conversation: Conversation, index: int) -> str | None:
    """Whatever happened before: a booking can still be made; its reference."""
    restarted = 0
    for _turn in range(MAX_TURNS_TO_COMPLETE):
        reference = conversation.reference()
        if reference:
            return reference
        tracker = conversation.tracker()
        slot = tracker["slots"].get("requested_slot") if tracker.get("active_loop", {}).get("name") else None
        if slot is None or tracker["active_loop"].get("name") != "booking_form":
            if restarted == 2:
                break
            restarted += 1
            conversation.say(BOOKING_REQUEST)
            continue
        conversation.say(answer_to(conversation, slot, index))
    conversation.problem("the booking could not be completed afterwards")
    return None


def cancel_finished(conversation: Conversation, since: int) -> bool:
    events = conversation.tracker()["events"][since:]
    return any(
        event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") in FINISHED_CANCEL
        for event in events
    )


def complete_cancel(
    conversation: Conversation, reference: str, contact: str, index: int, choice: str = "verzetten"
) -> bool:
    """Move (or with choice "afzeggen", cancel) the booking through the chat."""
    request = CANCEL_REQUEST if choice == "verzetten" else RELEASE_REQUEST
    since = len(conversation.tracker()["events"])
    restarted = 0
    for _turn in range(MAX_TURNS_TO_COMPLETE):
        if cancel_finished(conversation, since):
            return True
        tracker = conversation.tracker()
        loop = (tracker.get("active_loop") or {}).get("name")
        slot = tracker["slots"].get("requested_slot")
        if loop != "cancel_form" or not slot:
            if restarted == 2:
                break
            restarted += 1
            conversation.say(request)
            continue
        if slot == "booking_reference":
            conversation.say(reference)
        elif slot == "verification_contact":
            conversation.say(contact)
        elif slot == "cancel_choice":
            conversation.say(choice)
        else:
            conversation.say(answer_to(conversation, slot, index))
    conversation.problem(
        f"the booking could not be {'moved' if choice == 'verzetten' else 'cancelled'} afterwards"
    )
    return False


def release(conversation: Conversation, reference: str | None, index: int) -> None:
    """Cancel the path's booking through the chat as its owner would, so the agenda never
    runs out however many paths book."""
    if reference is None:
        return
    slots = conversation.tracker()["slots"]
    email = slots.get("email")
    contact = email if isinstance(email, str) and "@" in email else slots.get("phone")
    if not isinstance(contact, str):
        conversation.problem(f"no e-mail address or phone number kept for {reference}")
        return
    complete_cancel(conversation, reference, contact, index, choice="afzeggen")


# --- the states and the paths from them ----------------------------------------------------------


Opening = list[str | tuple[str, dict]]


def open_with(conversation: Conversation, opening: Opening) -> None:
    """Messages, or (message, metadata) pairs as the widget sends them."""
    for step in opening:
        message, metadata = step if isinstance(step, tuple) else (step, None)
        conversation.say(message, metadata)


def probes(offered: list[dict]) -> list[tuple[str, str]]:
    """Every button just offered, plus the fixed off-path inputs."""
    found = [(f"offered button {button.get('title')!r}", button["payload"]) for button in offered]
    return found + list(OFF_PATH.items())


def explore(helpdesk: dict) -> Findings:
    findings = Findings()
    recovery = recovery_text()
    started = time.monotonic()
    paths: list[tuple[str, Callable[[], None]]] = []

    # The booking form: learn the questions it asks, then a path per (question, probe).
    scout = Conversation(helpdesk, findings, "scout", recovery)
    questions = walk_booking(scout, 0)
    assert scout.reference(), f"the scout booking failed: {questions}"
    release(scout, scout.reference(), 0)
    contact = ANSWERS["email"]

    def booking_path(depth: int, probe_label: str, probe: str, index: int):
        def run() -> None:
            conversation = Conversation(
                helpdesk, findings, f"booking after {depth} answers / {probe_label}", recovery
            )
            walk_booking(conversation, index, answers=depth)
            conversation.say(probe)
            release(conversation, complete_booking(conversation, index), index)

        return run

    def booking_state_probes(depth: int) -> list[tuple[str, str]]:
        conversation = Conversation(helpdesk, findings, f"booking state {depth}", recovery)
        walk_booking(conversation, depth, answers=depth)
        return probes(conversation.buttons())

    def cancel_path(depth: int, probe_label: str, probe: str, index: int):
        def run() -> None:
            conversation = Conversation(
                helpdesk, findings, f"cancel after {depth} answers / {probe_label}", recovery
            )
            walk_booking(conversation, index)
            reference = conversation.reference()
            if reference is None:
                conversation.problem("no booking to move")
                return
            conversation.say(CANCEL_REQUEST)
            steps = [reference, contact, "verzetten"][:depth]
            for step in steps:
                conversation.say(step)
            conversation.say(probe)
            if complete_cancel(conversation, reference, contact, index):
                release(conversation, reference, index)

        return run

    def opening_path(label: str, opening: Opening, probe_label: str, probe: str, index: int):
        def run() -> None:
            conversation = Conversation(helpdesk, findings, f"{label} / {probe_label}", recovery)
            open_with(conversation, opening)
            conversation.say(probe)
            release(conversation, complete_booking(conversation, index), index)

        return run

    index = 1
    for depth in range(len(questions)):
        for label, probe in booking_state_probes(depth):
            paths.append((f"booking {depth}", booking_path(depth, label, probe, index)))
            index += 1
    for depth in range(4):
        for label, probe in OFF_PATH.items():
            paths.append((f"cancel {depth}", cancel_path(depth, label, probe, index)))
            index += 1
    openings: dict[str, Opening] = {
        "topic answer": ["Hoe kan ik mijn bedrijf laten groeien?"],
        "statement": ["Ik heb een camping in Dwingeloo en wil meer gasten"],
        "corona answer": ["Hoe zit het met de TVL?"],
        "first miss": ["qwrtp zxvbn"],
        "second miss": ["qwrtp zxvbn", "blorp fnargl"],
        "greeting": ["hallo"],
        "widget opened from the hotline": [("/session_start", HOTLINE)],
        "hallo from the hotline": [("hallo", HOTLINE)],
        "widget opened on the website": ["/session_start"],
        "rating asked": ["Wij willen exporteren naar Duitsland", "doei"],
    }
    for label, opening in openings.items():
        conversation = Conversation(helpdesk, findings, f"state {label}", recovery)
        open_with(conversation, opening)
        for probe_label, probe in probes(conversation.buttons()):
            paths.append((label, opening_path(label, opening, probe_label, probe, index)))
            index += 1

    def guarded(run) -> None:
        if time.monotonic() - started > DEADLINE_SECONDS:
            return
        try:
            run()
        except (requests.RequestException, AssertionError, KeyError) as error:
            findings.problems.append(f"path broke off: {error!r}")
        with findings.lock:
            findings.paths += 1

    findings.planned = len(paths)
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        list(pool.map(guarded, [run for _label, run in paths]))
    return findings


@pytest.mark.timeout(DEADLINE_SECONDS + 300)
def test_the_explorer_finds_no_broken_conversation(helpdesk):
    started = time.monotonic()
    findings = explore(helpdesk)
    seconds = time.monotonic() - started
    print(
        f"\n==> verkenner: {findings.paths} paden, {findings.turns} beurten in {seconds:.0f} s; "
        f"{len(findings.problems)} problemen"
    )
    for problem in findings.problems[:15]:
        print(problem, "\n")
    assert findings.paths == findings.planned, "the walk ran out of time before every path was tried"
    assert findings.turns >= MIN_TURNS
    assert not findings.problems, findings.problems[:5]
