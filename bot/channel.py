"""The `rest` channel as the help desk runs it inside the Rasa server (credentials.yml).

Same address and answer format as Rasa's own `rest` channel
(`POST /webhooks/rest/webhook` with `sender`, `message`, optional `metadata`), with
three additions that keep a conversation from going silent or breaking:

- a body that is not a JSON object with a text `sender` and a text `message` gets a
  400 with a Dutch explanation (Rasa's channel answers some of these with a 500);
- an empty message, or one longer than MAX_MESSAGE_CHARS, gets a polite answer
  without reaching the assistant;
- when the assistant produced no reply at all (the action server is down, or an
  action failed: Rasa then only logs "Bot will continue, but the actions events are
  lost"), the user gets `utter_technical_problem` with the help desk's phone number,
  and that message is stored in the conversation like any other bot message.

The texts are responses in domain.yml.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import BotUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import get_settings

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 128
NO_REPLY = "utter_technical_problem"
EMPTY = "utter_empty_message"
TOO_LONG = "utter_message_too_long"


class HelpdeskRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message) -> Blueprint:
        webhook = Blueprint("helpdesk_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body, problem = read_body(request)
            if problem:
                return response.json({"error": problem}, status=400)
            sender, text, metadata = body["sender"], body["message"], body.get("metadata")
            domain = request.app.ctx.agent.domain
            if not text.strip():
                return response.json([reply(domain, sender, EMPTY)])
            if len(text) > MAX_MESSAGE_CHARS:
                return response.json([reply(domain, sender, TOO_LONG, max_chars=str(MAX_MESSAGE_CHARS))])
            collector = CollectingOutputChannel()
            try:
                await on_new_message(
                    UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata)
                )
            except Exception:
                logger.exception("Handling a message of %s failed", sender)
            if not collector.messages:
                message = reply(domain, sender, NO_REPLY, helpdesk_phone=get_settings().helpdesk_phone)
                await record(request.app.ctx.agent, sender, message["text"])
                collector.messages.append(message)
            return response.json(collector.messages)

        return webhook


def read_body(request: Request) -> tuple[dict[str, Any], str | None]:
    """The request's JSON object, or a Dutch explanation of what is wrong with it."""
    try:
        body = request.json
    except Exception:  # Sanic raises its own error types for bad JSON
        return {}, "De inhoud is geen geldige JSON."
    if not isinstance(body, dict):
        return {}, "Stuur een JSON-object met 'sender' en 'message'."
    sender, text, metadata = body.get("sender"), body.get("message"), body.get("metadata")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return {}, f"'sender' moet een tekst van 1 tot {MAX_SENDER_CHARS} tekens zijn."
    if not isinstance(text, str):
        return {}, "'message' moet een tekst zijn."
    if metadata is not None and not isinstance(metadata, dict):
        return {}, "'metadata' moet een JSON-object zijn."
    return body, None


def reply(domain, sender: str, name: str, **values: str) -> dict[str, Any]:
    """A response of domain.yml as the rest channel sends it, with {placeholders} filled."""
    variants = domain.responses.get(name) or [{"text": ""}]
    text = variants[0].get("text", "")
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    message: dict[str, Any] = {"recipient_id": sender, "text": text}
    if variants[0].get("buttons"):
        message["buttons"] = variants[0]["buttons"]
    return message


async def record(agent, sender: str, text: str) -> None:
    """Store a message the channel sent itself, so the transcript shows what the user saw."""
    try:
        async with agent.lock_store.lock(sender):
            tracker = await agent.processor.get_tracker(sender)
            tracker.update(BotUttered(text, metadata={"sent_by": "channel"}))
            await agent.processor.save_tracker(tracker)
    except Exception:
        logger.exception("Could not store the channel's reply for %s", sender)
