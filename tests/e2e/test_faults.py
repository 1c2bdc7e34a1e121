"""A part of the help desk fails while a conversation goes on: the user is never left in silence.

The action server is killed (SIGKILL, as a crash would) by the pid the launcher
publishes; the next message gets the apology with the phone number, the launcher
starts the action server again, and the same conversation carries on.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid

import requests

from bot.chat import send

EXPORT_QUESTION = "Wij willen gaan exporteren naar Duitsland, wie kan ons helpen?"
DEFAULT_PHONE = "0592 00 00 00"


def status(helpdesk) -> dict:
    result = subprocess.run(
        [helpdesk["python"], "-m", "bot", "status", "--json"],
        env=helpdesk["env"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    report = json.loads(result.stdout)
    assert (result.returncode == 0) == report["healthy"]
    return report


def service(report: dict, name: str) -> dict:
    return next(item for item in report["services"] if item["name"] == name)


def text_of(replies: list[dict]) -> str:
    return "\n".join(reply.get("text") or "" for reply in replies)


def test_killing_the_action_server_costs_one_apology_not_the_help_desk(helpdesk):
    sender = f"e2e-fault-{uuid.uuid4().hex[:8]}"
    assert "Exportcarrousel" in text_of(send(helpdesk["base"], sender, EXPORT_QUESTION))
    before = status(helpdesk)
    assert before["healthy"], before
    actions = service(before, "acties")
    os.kill(actions["pid"], signal.SIGKILL)

    # The catalog answer needs the action server; it is down now.
    replies = send(helpdesk["base"], sender, "En welke regelingen zijn er voor innovatie?")
    assert replies, "the user got no reply at all"
    text = text_of(replies)
    assert "Excuses" in text and DEFAULT_PHONE in text, text

    deadline = time.monotonic() + 90
    report = status(helpdesk)
    while time.monotonic() < deadline and not report["healthy"]:
        time.sleep(1)
        report = status(helpdesk)
    assert report["healthy"], report
    restarted = service(report, "acties")
    assert restarted["restarts"] >= 1 and restarted["pid"] != actions["pid"]
    assert service(report, "rasa")["restarts"] == 0, "Rasa itself was not touched"

    # The same conversation continues with real answers.
    assert "Exportcarrousel" in text_of(send(helpdesk["base"], sender, EXPORT_QUESTION))

    # The apology is part of the stored conversation, as the user saw it.
    tracker = requests.get(
        f"{helpdesk['base']}/conversations/{sender}/tracker", params={"token": helpdesk["token"]}, timeout=10
    ).json()
    bot_texts = [event.get("text") or "" for event in tracker["events"] if event["event"] == "bot"]
    assert any("Excuses" in line and DEFAULT_PHONE in line for line in bot_texts)
