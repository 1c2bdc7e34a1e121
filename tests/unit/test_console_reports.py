"""Ratings and charts: the average beside the human help desk's 8.0, the distribution,
low ratings with links; SVG charts drawn on the server with their numbers as a table
and links to the matching conversations; the CSV export with personal data masked."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from types import SimpleNamespace

import pytest
from console_support import (
    Conversations,
    add_account,
    client,
    console_settings,
    log_in,
    sample_conversations,
)

from bot.console import reports
from bot.settings import settings_from


@pytest.fixture
def http(database_url, tmp_path):
    tracker = tmp_path / "tracker.db"
    sample_conversations(Conversations(tracker))
    add_account(database_url, "anna@vraagbaak.example.org")
    http = client(console_settings(database_url, tracker))
    log_in(http, "anna@vraagbaak.example.org")
    return http


def test_ratings_page(http):
    page = http.get("/console/beoordelingen").text
    assert "Gemiddeld cijfer: <strong>5,5</strong>" in page and "uit 2 beoordelingen" in page
    assert "kreeg gemiddeld een 8,0" in page
    assert '<a href="/console/gesprekken?rating=3">3</a></td><td>1</td>' in page
    assert '<a href="/console/gesprekken?rating=8">8</a></td><td>1</td>' in page
    assert 'href="/console/gesprek/gesprek-onduidelijk"' in page  # the low rating, with its conversation
    assert "gesprek-export" not in page  # an 8 is not low
    assert "<svg" in page and "<script" not in page


def test_charts_page_per_day(http):
    page = http.get("/console/grafieken?per=dag&date_from=2026-11-20&date_to=2026-12-02").text
    assert page.count('<svg class="chart"') == 6
    assert "<script" not in page and "style=" not in page
    # 1 December: one conversation, handed off, rated 8.
    row = re.search(r"<tr><td>01-12</td><td>1</td>.*?</tr>", page)
    assert row and 'href="/console/gesprekken?date_from=2026-12-01&amp;date_to=2026-12-01"' in row.group(0)
    assert re.search(r"<tr><td>01-12</td><td>100,0%</td>", page)  # hand-off rate that day
    assert re.search(r"<tr><td>20-11</td><td>100,0%</td>", page)  # fallback rate on the 20th
    assert "handed_off=ja" in page and "fallbacks=ja" in page
    assert "topic=ask_export" in page and "Exporteren" in page


def test_charts_per_week_and_month_count_each_conversation_once(http):
    week = http.get("/console/grafieken?per=week&date_from=2026-11-16&date_to=2026-12-06").text
    assert re.search(r"<tr><td>wk 49 2026</td><td>2</td>", week)  # 30 Nov – 6 Dec: two conversations
    assert re.search(r"<tr><td>wk 48 2026</td><td>0</td>", week)
    assert re.search(r"<tr><td>wk 47 2026</td><td>1</td>", week)
    month = http.get("/console/grafieken?per=maand&date_from=2026-11-01&date_to=2026-12-31").text
    assert re.search(r"<tr><td>11-2026</td><td>1</td>", month) and re.search(
        r"<tr><td>12-2026</td><td>2</td>", month
    )


def test_csv_export_masks_personal_data(http):
    response = http.get("/console/export.csv?rating=laag")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["sender_id"] for row in rows] == ["gesprek-onduidelijk"]
    assert rows[0]["rating_comment"] == "niet geholpen, bel me op [telefoon]"
    everything = http.get("/console/export.csv").text
    assert "06-12345678" not in everything and len(list(csv.DictReader(io.StringIO(everything)))) == 3


def test_periods_and_svg_escape_labels():
    settings = settings_from({})
    from datetime import datetime, timezone

    def conversation(day: str, handed_off=False, fallbacks=0, rating=None):
        moment = datetime.fromisoformat(day + "T12:00:00").replace(tzinfo=timezone.utc)
        return SimpleNamespace(
            started_at=moment, handed_off=handed_off, fallbacks=fallbacks, rating=rating, topics=[]
        )

    found = reports.periods(
        [
            conversation("2026-12-01", handed_off=True, rating=6),
            conversation("2026-12-01", fallbacks=2, rating=9),
            conversation("2026-12-01"),
            conversation("2026-12-03"),
        ],
        settings,
        date(2026, 12, 1),
        date(2026, 12, 3),
        "dag",
    )
    first = found[0]
    assert [p.conversations for p in found] == [3, 0, 1]
    assert (first.handoff_rate, first.fallback_rate, first.containment, first.average_rating) == (
        33.3,
        33.3,
        33.3,
        7.5,
    )
    assert found[1].containment is None
    svg = reports.bar_chart("<b>titel</b>", [("<x>", 2), ("y", None)])
    assert "<b>" not in svg and "&lt;x&gt;" in svg and svg.count("<rect") == 1
