"""Opening hours of the help desk and the hotline: weekdays, evenings, crisis mode, holidays."""

from __future__ import annotations

from datetime import date, time

import pytest
from booking_support import at

from bot import clock


@pytest.fixture(autouse=True)
def settings(configure):
    return configure(
        LOKET_HELPDESK_HOURS=None,
        LOKET_HOTLINE_HOURS=None,
        LOKET_HOTLINE_CRISIS_HOURS=None,
        LOKET_CRISIS_MODE=None,
        LOKET_TZ=None,
        LOKET_FAKE_NOW=None,
    )


def test_parse_hours_reads_ranges_several_periods_and_dutch_day_names():
    hours = clock.parse_hours("ma-vr 09:00-12:30, 13:30-17:00; za 10:00-12:00")
    assert sorted(hours) == [0, 1, 2, 3, 4, 5]
    assert hours[0] == (clock.Period(time(9), time(12, 30)), clock.Period(time(13, 30), time(17)))
    assert hours[5] == (clock.Period(time(10), time(12)),)
    assert clock.parse_hours("mon,wed 08:00-10:00") == {
        0: (clock.Period(time(8), time(10)),),
        2: (clock.Period(time(8), time(10)),),
    }


@pytest.mark.parametrize(
    "spec", ["maandagen 09:00-17:00", "mon-fri 9-17", "mon-fri 17:00-09:00", "mon-fri 25:00-26:00", "mon-fri"]
)
def test_parse_hours_rejects_what_it_cannot_read(spec):
    with pytest.raises(ValueError):
        clock.parse_hours(spec)


def test_weekday_hours_by_default(settings):
    assert clock.is_open(clock.HELPDESK, at("2024-12-05T09:00:00"), settings=settings)
    assert clock.is_open(clock.HELPDESK, at("2024-12-05T16:59:00"), settings=settings)
    assert not clock.is_open(clock.HELPDESK, at("2024-12-05T17:00:00"), settings=settings)
    assert not clock.is_open(clock.HELPDESK, at("2024-12-05T08:59:00"), settings=settings)
    assert not clock.is_open(clock.HELPDESK, at("2024-12-07T11:00:00"), settings=settings)  # Saturday
    assert clock.closes_at(clock.HOTLINE, at("2024-12-05T10:00:00"), settings=settings) == at(
        "2024-12-05T17:00:00"
    )


def test_hotline_runs_until_nine_in_crisis_mode_only(configure, settings):
    evening = at("2024-12-05T20:30:00")
    assert not clock.is_open(clock.HOTLINE, evening, settings=settings)
    settings = configure(LOKET_CRISIS_MODE="true")
    assert clock.is_open(clock.HOTLINE, evening, settings=settings)
    assert clock.closes_at(clock.HOTLINE, evening, settings=settings) == at("2024-12-05T21:00:00")
    assert not clock.is_open(clock.HELPDESK, evening, settings=settings)
    assert not clock.is_open(clock.HOTLINE, at("2024-12-05T21:00:00"), settings=settings)


def test_next_opening_after_an_evening_is_the_next_morning(settings):
    assert clock.next_opening(clock.HOTLINE, at("2024-12-05T20:30:00"), settings=settings) == at(
        "2024-12-06T09:00:00"
    )
    # Friday evening -> Monday morning
    assert clock.next_opening(clock.HOTLINE, at("2024-12-06T20:30:00"), settings=settings) == at(
        "2024-12-09T09:00:00"
    )
    # before opening on the same day
    assert clock.next_opening(clock.HELPDESK, at("2024-12-05T07:15:00"), settings=settings) == at(
        "2024-12-05T09:00:00"
    )


def test_closed_on_dutch_public_holidays(settings):
    christmas = at("2024-12-25T10:00:00")  # a Wednesday
    assert clock.public_holiday(christmas.date()) == "Eerste Kerstdag"
    assert not clock.is_open(clock.HELPDESK, christmas, settings=settings)
    assert not clock.is_open(clock.HOTLINE, christmas, settings=settings)
    # Boxing Day is a holiday too: open again on Friday the 27th
    assert clock.next_opening(clock.HELPDESK, christmas, settings=settings) == at("2024-12-27T09:00:00")
    assert clock.public_holiday(date(2025, 4, 26)) == "Koningsdag"
    assert clock.public_holiday(date(2024, 12, 5)) is None


def test_time_zone_comes_from_settings(configure, settings):
    # 08:30 UTC is 09:30 in Amsterdam (open), 03:30 in New York (closed)
    moment = at("2024-12-05T09:30:00")
    assert clock.is_open(clock.HELPDESK, moment, settings=settings)
    settings = configure(LOKET_TZ="America/New_York")
    assert not clock.is_open(clock.HELPDESK, moment, settings=settings)
    assert clock.local(moment, settings=settings).hour == 3


def test_now_honours_loket_fake_now(configure):
    settings = configure(LOKET_FAKE_NOW="2024-12-08T11:00:00")
    assert clock.now(settings=settings) == at("2024-12-08T11:00:00")
    assert not clock.is_open(clock.HELPDESK, settings=settings)
    assert clock.status(clock.HELPDESK, settings=settings).next_opening == at("2024-12-09T09:00:00")


def test_summary_is_data_with_grouped_days(configure):
    settings = configure(LOKET_HELPDESK_HOURS="mon-thu 09:00-17:00; fri 09:00-12:00", LOKET_CRISIS_MODE="1")
    summary = clock.opening_hours_summary(settings=settings)
    assert summary["crisis_mode"] is True
    assert [rule.weekdays for rule in summary["helpdesk"]] == [(0, 1, 2, 3), (4,)]
    assert summary["hotline"] == [clock.OpeningRule((0, 1, 2, 3, 4), (clock.Period(time(9), time(21)),))]
    assert clock.format_rules(summary["helpdesk"]) == "maandag t/m donderdag 09:00–17:00; vrijdag 09:00–12:00"


def test_format_day_says_today_tomorrow_or_the_date():
    today = date(2024, 12, 5)
    assert clock.format_day(today, today) == "vandaag"
    assert clock.format_day(date(2024, 12, 6), today) == "morgen"
    assert clock.format_day(date(2024, 12, 9), today) == "maandag 9 december"
    assert clock.format_day(date(2025, 1, 2), today) == "donderdag 2 januari 2025"
