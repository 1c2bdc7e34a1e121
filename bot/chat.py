"""A small client of the Rasa REST channel: `python -m bot chat` (make shell)
talks to a running `make run` from the terminal; the end-to-end tests use `send`."""

from __future__ import annotations

import argparse
import uuid

import requests

from bot.settings import get_settings


def send(
    base_url: str, sender: str, message: str, timeout: float = 30, metadata: dict | None = None
) -> list[dict]:
    body: dict = {"sender": sender, "message": message}
    if metadata:
        body["metadata"] = metadata
    response = requests.post(f"{base_url}/webhooks/rest/webhook", json=body, timeout=timeout)
    response.raise_for_status()
    return response.json()


def render(reply: dict) -> str:
    lines = [reply.get("text") or ""]
    for button in reply.get("buttons") or []:
        lines.append(f"   [{button.get('title')}] -> {button.get('payload')}")
    return "\n".join(line for line in lines if line)


def register(groups: argparse._SubParsersAction) -> None:
    chat = groups.add_parser("chat", help="praat in de terminal met de draaiende assistent (make shell)")
    chat.add_argument("--sender", default=None, help="gesprek-id (standaard een nieuw)")
    chat.set_defaults(handler=_chat)


def _chat(args: argparse.Namespace) -> None:
    settings = get_settings()
    sender = args.sender or f"terminal-{uuid.uuid4().hex[:8]}"
    print(f"Gesprek {sender} met {settings.rasa_url}. Leeg bericht of Ctrl-D stopt.")
    while True:
        try:
            message = input("u> ").strip()
        except EOFError:
            break
        if not message:
            break
        try:
            replies = send(settings.rasa_url, sender, message)
        except requests.RequestException as error:
            print(f"FOUT: de assistent is niet bereikbaar ({error}). Draait `make run`?")
            continue
        for reply in replies:
            print("bot> " + render(reply))
