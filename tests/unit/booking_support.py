"""Helpers for the booking, CRM, clock and contact tests: a fixed "now" and a small agenda."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.booking import agenda

TZ = ZoneInfo("Europe/Amsterdam")

# Thursday 5 December 2024; Friday the 6th is an ordinary working day.
THURSDAY_10 = "2024-12-05T10:00:00"
THURSDAY_2030 = "2024-12-05T20:30:00"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def add_weekday_advisor(
    session, first_name: str = "Femke", start: str = "09:00", end: str = "17:00", days=range(5)
):
    advisor = agenda.add_advisor(
        session, first_name, f"{first_name} (test)", f"{first_name.lower()}@adviseurs.example.org"
    )
    for weekday in days:
        agenda.add_availability(session, advisor, weekday, time.fromisoformat(start), time.fromisoformat(end))
    return advisor


CONTACT = {"person_name": "Jan de Vries", "email": "jan@bakkerij-devries.example.org", "phone": "06 12345678"}
