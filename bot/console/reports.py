"""Ratings and charts over the conversation summaries: figures per day, week or month,
drawn as SVG on the server (no JavaScript), and the CSV export with personal data masked."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from bot.console.models import ConversationSummary
from bot.console.privacy_masking import mask_personal
from bot.settings import Settings
from bot.topics import TOPIC_INTENTS, label_of

HUMAN_DESK_AVERAGE = 8.0  # the program's human help desk (product brief)
GRANULARITIES = {"dag": "per dag", "week": "per week", "maand": "per maand"}


# --- ratings -----------------------------------------------------------------------------------


@dataclass
class Ratings:
    count: int
    average: float | None
    distribution: list[tuple[int, int]]  # (mark, how many)
    low: list[ConversationSummary]


def ratings(conversations: Sequence[ConversationSummary], low_at_most: int = 5) -> Ratings:
    rated = [c for c in conversations if c.rating is not None]
    counts = Counter(c.rating for c in rated)
    average = round(sum(c.rating for c in rated) / len(rated), 2) if rated else None
    low = sorted((c for c in rated if c.rating <= low_at_most), key=lambda c: c.started_at, reverse=True)
    return Ratings(len(rated), average, [(mark, counts.get(mark, 0)) for mark in range(1, 11)], low)


# --- figures over time -----------------------------------------------------------------------------


def period_start(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "maand":
        return day.replace(day=1)
    return day


def period_end(start: date, granularity: str) -> date:
    """The last day of the period that begins on `start`."""
    if granularity == "week":
        return start + timedelta(days=6)
    if granularity == "maand":
        following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1)
    return start


def period_label(start: date, granularity: str) -> str:
    if granularity == "week":
        return f"wk {start.isocalendar()[1]} {start.isocalendar()[0]}"
    if granularity == "maand":
        return start.strftime("%m-%Y")
    return start.strftime("%d-%m")


@dataclass
class Period:
    start: date
    end: date
    label: str
    conversations: int = 0
    with_fallback: int = 0
    handed_off: int = 0
    contained: int = 0
    ratings: int = 0
    rating_total: int = 0

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def fallback_rate(self) -> float | None:
        return self._share(self.with_fallback, self.conversations)

    @property
    def handoff_rate(self) -> float | None:
        return self._share(self.handed_off, self.conversations)

    @property
    def containment(self) -> float | None:
        return self._share(self.contained, self.conversations)

    @property
    def average_rating(self) -> float | None:
        return round(self.rating_total / self.ratings, 2) if self.ratings else None


def periods(
    conversations: Sequence[ConversationSummary],
    settings: Settings,
    first: date,
    last: date,
    granularity: str,
) -> list[Period]:
    """Figures per period from `first` to `last` (local days), empty periods included.
    Each conversation counts once, in the period it started."""
    found: dict[date, Period] = {}
    start = period_start(first, granularity)
    while start <= last:
        found[start] = Period(start, period_end(start, granularity), period_label(start, granularity))
        start = period_end(start, granularity) + timedelta(days=1)
    for conversation in conversations:
        key = period_start(conversation.started_at.astimezone(settings.tz).date(), granularity)
        period = found.get(key)
        if period is None:
            continue
        period.conversations += 1
        period.with_fallback += conversation.fallbacks > 0
        period.handed_off += bool(conversation.handed_off)
        period.contained += not conversation.handed_off and conversation.fallbacks == 0
        if conversation.rating is not None:
            period.ratings += 1
            period.rating_total += conversation.rating
    return list(found.values())


def top_topics(conversations: Sequence[ConversationSummary], limit: int = 10) -> list[tuple[str, str, int]]:
    counts = Counter(topic for c in conversations for topic in (c.topics or []) if topic in TOPIC_INTENTS)
    return [(intent, label_of(intent), count) for intent, count in counts.most_common(limit)]


# --- SVG -----------------------------------------------------------------------------------------------


def bar_chart(
    title: str, bars: Sequence[tuple[str, float | None]], unit: str = "", maximum: float | None = None
) -> str:
    """A vertical bar chart as an SVG string; labels and values escaped."""
    width, height, left, bottom, top = 720, 240, 44, 40, 16
    values = [v for _, v in bars if v is not None]
    top_value = maximum or max(values, default=0) or 1
    inner_width, inner_height = width - left - 10, height - bottom - top
    step = inner_width / max(len(bars), 1)
    baseline = top + inner_height
    label_every = max(1, len(bars) // 12)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{baseline}" x2="{width - 10}" y2="{baseline}" class="axis"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" class="tick">'
        f"{_number(top_value)}{unit}</text>",
        f'<text x="{left - 6}" y="{top + inner_height}" text-anchor="end" class="tick">0</text>',
    ]
    for index, (label, value) in enumerate(bars):
        x = left + index * step
        if value is not None:
            bar_height = inner_height * value / top_value
            parts.append(
                f'<rect x="{x + step * 0.15:.1f}" y="{top + inner_height - bar_height:.1f}" '
                f'width="{step * 0.7:.1f}" height="{bar_height:.1f}" class="bar">'
                f"<title>{escape(label)}: {_number(value)}{unit}</title></rect>"
            )
        if index % label_every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" class="tick">'
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bar_chart(title: str, bars: Sequence[tuple[str, float]]) -> str:
    row, left, width = 26, 190, 720
    height = max(row * len(bars) + 10, 40)
    top_value = max((v for _, v in bars), default=0) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(bars):
        y = 5 + index * row
        bar_width = (width - left - 60) * value / top_value
        parts.append(
            f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" class="tick">{escape(label)}</text>'
        )
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{bar_width:.1f}" height="{row - 8}" class="bar"/>')
        parts.append(
            f'<text x="{left + bar_width + 6:.1f}" y="{y + 16}" class="tick">{_number(value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _number(value: float) -> str:
    return f"{value:g}".replace(".", ",")


# --- CSV -------------------------------------------------------------------------------------------------

CSV_COLUMNS = [
    "sender_id",
    "started_at",
    "last_event_at",
    "topics",
    "handed_off",
    "fallbacks",
    "rating",
    "rating_comment",
    "first_message",
    "reviewed",
    "tags",
]


def conversations_csv(conversations: Sequence[ConversationSummary], tags: dict[str, list[str]]) -> str:
    """Conversations as CSV; free texts with e-mail addresses and phone numbers masked."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for c in conversations:
        writer.writerow(
            [
                c.sender_id,
                c.started_at.isoformat(),
                c.last_event_at.isoformat(),
                " ".join(c.topics or []),
                "ja" if c.handed_off else "nee",
                c.fallbacks,
                "" if c.rating is None else c.rating,
                _csv_safe(mask_personal(c.rating_comment)),
                _csv_safe(mask_personal(c.first_message)),
                "ja" if c.reviewed_at else "nee",
                " ".join(tags.get(c.sender_id, [])),
            ]
        )
    return buffer.getvalue()


def _csv_safe(text: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
