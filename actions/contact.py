"""`action_contact`: how to reach the help desk, its hours, and whether the help desk
and the hotline are open right now (bot/clock.py; "now" honours LOKET_FAKE_NOW)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import clock
from bot.clock import OpeningStatus
from bot.settings import get_settings


class ActionContact(Action):
    def name(self) -> str:
        return "action_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict
    ) -> list[dict[str, Any]]:
        settings = get_settings()
        moment = settings.now()
        helpdesk = clock.status(clock.HELPDESK, moment, settings=settings)
        hotline = clock.status(clock.HOTLINE, moment, settings=settings)
        summary = clock.opening_hours_summary(settings)
        today = moment.date()

        if helpdesk.holiday:
            dispatcher.utter_message(response="utter_contact_holiday", holiday=helpdesk.holiday)

        # An open desk has a closing time: `is_open` is `closes_at is not None`.
        if helpdesk.closes_at is not None and helpdesk.closes_at == hotline.closes_at:
            dispatcher.utter_message(
                response="utter_contact_both_open", closes_at=clock.format_time(helpdesk.closes_at)
            )
        elif not helpdesk.is_open and not hotline.is_open and helpdesk.next_opening == hotline.next_opening:
            dispatcher.utter_message(response="utter_contact_both_closed", **_next(helpdesk, today))
        else:
            if helpdesk.closes_at is not None:
                dispatcher.utter_message(
                    response="utter_contact_helpdesk_open", closes_at=clock.format_time(helpdesk.closes_at)
                )
            else:
                dispatcher.utter_message(response="utter_contact_helpdesk_closed", **_next(helpdesk, today))
            if hotline.closes_at is not None:
                dispatcher.utter_message(
                    response="utter_contact_hotline_open", closes_at=clock.format_time(hotline.closes_at)
                )
            else:
                dispatcher.utter_message(response="utter_contact_hotline_closed", **_next(hotline, today))

        helpdesk_hours = clock.format_rules(summary[clock.HELPDESK])
        hotline_hours = clock.format_rules(summary[clock.HOTLINE])
        if helpdesk_hours == hotline_hours:
            dispatcher.utter_message(response="utter_contact_hours_same", hours=helpdesk_hours)
        else:
            dispatcher.utter_message(
                response="utter_contact_hours", helpdesk_hours=helpdesk_hours, hotline_hours=hotline_hours
            )

        dispatcher.utter_message(
            response="utter_contact_details",
            phone=settings.helpdesk_phone,
            email=settings.helpdesk_email,
            website=settings.helpdesk_website,
        )
        if _offer_callback(tracker, hotline):
            dispatcher.utter_message(response="utter_contact_offer_callback")
        return []


def _offer_callback(tracker: Tracker, hotline: OpeningStatus) -> bool:
    # Only for a plain contact question: after request_advisor the booking flow runs anyway.
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    return not hotline.is_open and intent == "ask_contact"


def _next(status: OpeningStatus, today) -> dict[str, str | None]:
    if status.next_opening is None:  # no opening hours configured at all
        return {"next_day": "-", "next_time": "-"}
    return {
        "next_day": clock.format_day(status.next_opening.date(), today),
        "next_time": clock.format_time(status.next_opening),
    }
