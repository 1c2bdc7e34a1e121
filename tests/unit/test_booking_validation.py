"""What the booking form accepts: names, e-mail, phone numbers, wished moments."""

from __future__ import annotations

from datetime import datetime

import pytest
from booking_support import TZ

from bot.booking.appointments import REFERENCE_PATTERN, new_reference, parse_reference
from bot.booking.validation import (
    contact_matches,
    format_phone,
    normalise_email,
    normalise_person_name,
    normalise_phone,
    parse_slot_text,
)

# Thursday 5 December 2024, 14:00
NOW = datetime(2024, 12, 5, 14, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("jan van der berg", "Jan van der Berg"),
        ("  Anne-Marie   de Vries ", "Anne-Marie de Vries"),
        ("PIETER DE JONG", "Pieter de Jong"),
        ("fatima el-amrani", "Fatima El-Amrani"),
        ("els jansen-van den heuvel", "Els Jansen-van den Heuvel"),
        ("kees van 't hof", "Kees van 't Hof"),
        ("J.P. van Dam", "J.P. van Dam"),
        ("de vries", "De Vries"),
        ("Zoë Müller", "Zoë Müller"),
        ("Sean O'Neill", "Sean O'Neill"),
    ],
)
def test_person_names_with_particles_and_hyphens(typed, expected):
    assert normalise_person_name(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "   ", "j", "Jan123", "jan@example.org", "<script>", "-", "x" * 120, "!!!"]
)
def test_person_names_that_are_no_names(typed):
    assert normalise_person_name(typed) is None


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("jan@example.org", "jan@example.org"),
        ("  Jan.de.Vries@Bakkerij-DeVries.NL ", "Jan.de.Vries@bakkerij-devries.nl"),
        ("info+chat@sub.domein.example.com", "info+chat@sub.domein.example.com"),
        ("<jan@example.org>", "jan@example.org"),
    ],
)
def test_valid_email_addresses(typed, expected):
    assert normalise_email(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "jan",
        "jan@",
        "@example.org",
        "jan@example",
        "jan@@example.org",
        "jan de vries@example.org",
        "jan..x@example.org",
        ".jan@example.org",
        "jan@-example.org",
        "jan@example.n",
        "jan@example.org; drop table appointments",
    ],
)
def test_invalid_email_addresses(typed):
    assert normalise_email(typed) is None


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("06-12345678", "+31612345678"),
        ("06 1234 5678", "+31612345678"),
        ("+31 6 12345678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("+31 (0)6 12345678", "+31612345678"),
        ("0592-123456", "+31592123456"),  # landline Assen
        ("(0591) 65 43 21", "+31591654321"),  # landline Emmen
        ("0800-1234", "+318001234"),
        ("+49 30 12345678", "+493012345678"),  # across the border
    ],
)
def test_phone_numbers_are_normalised_to_e164(typed, expected):
    assert normalise_phone(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "12345", "06-1234", "0612345678901", "0900-1234567", "bel me", "+31 6 1234"]
)
def test_phone_numbers_that_cannot_be_called(typed):
    assert normalise_phone(typed) is None


def test_phone_display_and_contact_matching():
    assert format_phone("+31612345678") == "06 12345678"
    assert contact_matches("06 12 34 56 78", "jan@example.org", "+31612345678")
    assert contact_matches("JAN@Example.ORG", "jan@example.org", "+31612345678")
    assert not contact_matches("06 87654321", "jan@example.org", "+31612345678")
    assert not contact_matches("piet@example.org", "jan@example.org", "+31612345678")
    assert not contact_matches("", "jan@example.org", "+31612345678")
    assert not contact_matches("06 12345678", "jan@example.org", None)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("morgenochtend", "2024-12-06T09:00"),
        ("morgen ochtend", "2024-12-06T09:00"),
        ("morgenmiddag", "2024-12-06T13:00"),
        ("dinsdag om 10 uur", "2024-12-10T10:00"),
        ("Dinsdag om tien uur", "2024-12-10T10:00"),
        ("graag dinsdag om 10 uur", "2024-12-10T10:00"),
        ("di 10u30", "2024-12-10T10:30"),
        ("dinsdagmiddag", "2024-12-10T13:00"),
        ("vrijdag half 3", "2024-12-06T14:30"),
        ("morgen om half tien", "2024-12-06T09:30"),
        ("kwart over 10 morgen", "2024-12-06T10:15"),
        ("morgen rond 2 uur", "2024-12-06T14:00"),
        ("15 december 14:00", "2024-12-15T14:00"),
        ("15 december om 14.00", "2024-12-15T14:00"),
        ("woensdag 11 december 10:30", "2024-12-11T10:30"),
        ("1 december", "2025-12-01T09:00"),  # already past this year
        ("volgende week dinsdag", "2024-12-10T09:00"),
        ("donderdag", "2024-12-12T09:00"),  # today is Thursday: the next one
        ("om 16 uur", "2024-12-05T16:00"),  # still today
        ("om 11 uur", "2024-12-06T11:00"),  # already past today: tomorrow
        ("maandag", "2024-12-09T09:00"),
        ("2024-12-10T10:00:00+01:00", "2024-12-10T10:00"),
        ("2024-12-10T09:00:00Z", "2024-12-10T10:00"),
    ],
)
def test_free_dutch_moments(typed, expected):
    assert parse_slot_text(typed, NOW) == datetime.fromisoformat(expected).replace(tzinfo=TZ)


@pytest.mark.parametrize(
    "typed", ["", "asdf", "ik wil graag", "3", "nee", "geen idee", "zo snel mogelijk", "x" * 300]
)
def test_text_without_a_moment(typed):
    assert parse_slot_text(typed, NOW) is None


def test_parsed_moments_are_in_the_help_desk_time_zone():
    moment = parse_slot_text("morgenochtend", NOW)
    assert moment is not None
    offset = moment.utcoffset()
    assert offset is not None and offset.total_seconds() == 3600


def test_references_have_the_contract_format():
    references = {new_reference() for _ in range(500)}
    assert len(references) == 500
    assert all(REFERENCE_PATTERN.match(reference) for reference in references)
    assert all(not set(reference[4:]) & set("01") for reference in references)
    assert parse_reference("mijn code is afs-ab23cd, graag verzetten") == "AFS-AB23CD"
    assert parse_reference("AFS AB23CD") == "AFS-AB23CD"
    assert parse_reference("AFS-AB10CD") is None  # 0 and 1 are never used
    assert parse_reference("geen code") is None
