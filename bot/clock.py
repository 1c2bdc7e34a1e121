"""Opening hours and "now": when the help desk and the hotline are open.

Hours come from settings, Dutch public holidays (closed) from the `holidays` package,
the time zone from LOKET_TZ and "now" from Settings.now() (LOKET_FAKE_NOW in tests).
Everything here returns data; the few Dutch words are day and month names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from bot.settings import Settings

HELPDESK = "helpdesk"
HOTLINE = "hotline"
KINDS = (HELPDESK, HOTLINE)

WEEKDAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MONTH_NAMES = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
# Day names accepted in settings and commands: Dutch in full and short, and English short.
DAY_TOKENS = {
    **{name: index for index, name in enumerate(WEEKDAY_NAMES)},
    **{name: index for index, name in enumerate(("ma", "di", "wo", "do", "vr", "za", "zo"))},
    **{name: index for index, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
}
_PERIOD = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Period:
    start: time
    end: time

    def label(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


# weekday (0 = Monday) -> that day's opening periods, in order
WeeklyHours = dict[int, tuple[Period, ...]]


@dataclass(frozen=True)
class OpeningRule:
    """Days that share the same periods, e.g. Monday to Friday 09:00–17:00."""

    weekdays: tuple[int, ...]
    periods: tuple[Period, ...]


@dataclass(frozen=True)
class OpeningStatus:
    kind: str
    moment: datetime
    is_open: bool
    closes_at: datetime | None
    next_opening: datetime | None
    holiday: str | None  # name of today's public holiday, if any


def parse_hours(spec: str) -> WeeklyHours:
    """Read "mon-fri 09:00-17:00; sat 10:00-12:00, 13:00-15:00" (Dutch day names work too)."""
    hours: dict[int, list[Period]] = {}
    for part in filter(None, (chunk.strip() for chunk in spec.split(";"))):
        days_text, _, periods_text = part.partition(" ")
        days = _parse_days(days_text.strip().lower(), spec)
        periods = []
        for chunk in filter(None, (piece.strip() for piece in periods_text.split(","))):
            match = _PERIOD.match(chunk)
            if not match:
                raise ValueError(
                    f"Openingstijden niet te lezen: {spec!r} (verwacht bijv. 'mon-fri 09:00-17:00')"
                )
            start_h, start_m, end_h, end_m = (int(value) for value in match.groups())
            try:
                period = Period(time(start_h, start_m), time(end_h, end_m))
            except ValueError as error:
                raise ValueError(f"Onmogelijke tijd in openingstijden {spec!r}: {error}") from None
            if period.end <= period.start:
                raise ValueError(f"Eindtijd voor begintijd in openingstijden {spec!r}")
            periods.append(period)
        if not periods:
            raise ValueError(f"Geen tijden bij {days_text!r} in openingstijden {spec!r}")
        for day in days:
            hours.setdefault(day, []).extend(periods)
    return {day: tuple(sorted(periods, key=lambda p: p.start)) for day, periods in sorted(hours.items())}


def day_range(token: str) -> tuple[int, int] | None:
    """ "ma-vr" -> (0, 4), "di" -> (1, 1), "sat-mon" -> (5, 0); None for an unknown day."""
    first, _, last = token.partition("-")
    if first not in DAY_TOKENS or (last and last not in DAY_TOKENS):
        return None
    start = DAY_TOKENS[first]
    return start, DAY_TOKENS[last] if last else start


def _parse_days(text: str, spec: str) -> list[int]:
    days: list[int] = []
    for token in text.split(","):
        span = day_range(token)
        if span is None:
            raise ValueError(
                f"Onbekende dag {token!r} in openingstijden {spec!r} (gebruik mon..sun of ma..zo)"
            )
        start, end = span
        days.extend(range(start, end + 1) if end >= start else [*range(start, 7), *range(0, end + 1)])
    return days


def weekly_hours(kind: str, settings: Settings) -> WeeklyHours:
    if kind == HELPDESK:
        return _parsed(settings.helpdesk_hours)
    if kind == HOTLINE:
        return _parsed(settings.hotline_crisis_hours if settings.crisis_mode else settings.hotline_hours)
    raise ValueError(f"unknown opening-hours kind {kind!r}; expected one of {KINDS}")


@lru_cache(maxsize=32)
def _parsed(spec: str) -> WeeklyHours:
    return parse_hours(spec)


def now(settings: Settings) -> datetime:
    return settings.now()


def local(moment: datetime, settings: Settings) -> datetime:
    """The moment in the help desk's time zone; a naive moment is taken as local time."""
    tz = settings.tz
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)


@lru_cache(maxsize=64)
def _holidays_of(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("NL", years=year, language="nl").items())


def public_holiday(day: date) -> str | None:
    """The Dutch name of the public holiday on `day`, or None."""
    return _holidays_of(day.year).get(day)


def periods_on(kind: str, day: date, settings: Settings) -> list[tuple[datetime, datetime]]:
    """The opening periods of one calendar day as local date-times; none on a public holiday."""
    if public_holiday(day):
        return []
    tz = settings.tz
    return [
        (datetime.combine(day, period.start, tz), datetime.combine(day, period.end, tz))
        for period in weekly_hours(kind, settings).get(day.weekday(), ())
    ]


def opening_periods(
    kind: str, after: datetime, days: int = 366, *, settings: Settings
) -> Iterator[tuple[datetime, datetime]]:
    """Opening periods that end after `after`, in order, looking `days` days ahead."""
    after = local(after, settings)
    for offset in range(days + 1):
        for start, end in periods_on(kind, after.date() + timedelta(days=offset), settings):
            if end > after:
                yield start, end


def current_period(
    kind: str, moment: datetime | None = None, *, settings: Settings
) -> tuple[datetime, datetime] | None:
    moment = local(moment or now(settings), settings)
    for start, end in periods_on(kind, moment.date(), settings):
        if start <= moment < end:
            return start, end
    return None


def is_open(kind: str, moment: datetime | None = None, *, settings: Settings) -> bool:
    return current_period(kind, moment, settings=settings) is not None


def closes_at(kind: str, moment: datetime | None = None, *, settings: Settings) -> datetime | None:
    period = current_period(kind, moment, settings=settings)
    return period[1] if period else None


def next_opening(kind: str, moment: datetime | None = None, *, settings: Settings) -> datetime | None:
    """The start of the first opening period that begins at or after `moment`.

    While open, that is the start of the *next* period (tomorrow morning, say);
    None when there are no opening hours within a year.
    """
    moment = local(moment or now(settings), settings)
    for start, _end in opening_periods(kind, moment, settings=settings):
        if start >= moment:
            return start
    return None


def status(kind: str, moment: datetime | None = None, *, settings: Settings) -> OpeningStatus:
    moment = local(moment or now(settings), settings)
    closing = closes_at(kind, moment, settings=settings)
    return OpeningStatus(
        kind=kind,
        moment=moment,
        is_open=closing is not None,
        closes_at=closing,
        next_opening=next_opening(kind, moment, settings=settings),
        holiday=public_holiday(moment.date()),
    )


def opening_hours_summary(settings: Settings) -> dict:
    """The weekly hours of the help desk and the hotline, days with equal hours grouped."""
    return {
        "timezone": settings.timezone_name,
        "crisis_mode": settings.crisis_mode,
        "closed_on_public_holidays": True,
        HELPDESK: group_days(weekly_hours(HELPDESK, settings)),
        HOTLINE: group_days(weekly_hours(HOTLINE, settings)),
    }


def group_days(hours: WeeklyHours) -> list[OpeningRule]:
    """Consecutive days with the same periods become one rule."""
    rules: list[OpeningRule] = []
    for day in range(7):
        periods = hours.get(day)
        if not periods:
            continue
        last = rules[-1] if rules else None
        if last and last.periods == periods and last.weekdays[-1] == day - 1:
            rules[-1] = OpeningRule((*last.weekdays, day), periods)
        else:
            rules.append(OpeningRule((day,), periods))
    return rules


# --- Dutch presentation of dates and hours (day and month names only) ---------------


def format_weekdays(weekdays: tuple[int, ...]) -> str:
    if len(weekdays) == 1:
        return WEEKDAY_NAMES[weekdays[0]]
    if len(weekdays) == 2:
        return f"{WEEKDAY_NAMES[weekdays[0]]} en {WEEKDAY_NAMES[weekdays[1]]}"
    return f"{WEEKDAY_NAMES[weekdays[0]]} t/m {WEEKDAY_NAMES[weekdays[-1]]}"


def format_rules(rules: list[OpeningRule]) -> str:
    """E.g. "maandag t/m vrijdag 09:00–17:00"."""
    return "; ".join(
        f"{format_weekdays(rule.weekdays)} {', '.join(period.label() for period in rule.periods)}"
        for rule in rules
    )


def format_day(day: date, today: date | None = None) -> str:
    """ "vandaag", "morgen" or "maandag 9 december"."""
    if today is not None:
        if day == today:
            return "vandaag"
        if day == today + timedelta(days=1):
            return "morgen"
    text = f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]}"
    if today is not None and day.year != today.year:
        text += f" {day.year}"
    return text


def format_time(moment: datetime) -> str:
    return f"{moment:%H:%M}"


SHORT_MONTH_NAMES = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def format_short(moment: datetime, end: datetime | None = None) -> str:
    """A button label: "di 2 dec 10:00", or "di 2 dec 10:00–10:30" for a window."""
    day = WEEKDAY_NAMES[moment.weekday()][:2]
    label = f"{day} {moment.day} {SHORT_MONTH_NAMES[moment.month - 1]} {moment:%H:%M}"
    return f"{label}–{end:%H:%M}" if end is not None else label
