"""One parser for the number of people and one mapping to size bands, used by the booking
form, the catalog and the size buttons alike."""

from __future__ import annotations

import pytest

from bot.company import BAND_BEYOND, BAND_LARGER, BAND_SMALL, BAND_ZZP, band_of, known_size, parse_employees


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("12", 12),
        (" 3 medewerkers", 3),
        ("wij zijn met 45 mensen", 45),
        ("1.200", 1200),
        ("vijf", 5),
        ("we zijn met vijf mensen", 5),
        ("geen personeel", 0),
        ("alleen ik", 1),
        ("ik ben zzp'er", 1),
        ("in mijn eentje", 1),
        (7, 7),
        (7.0, 7),
        ("0", 0),
    ],
)
def test_employees_as_a_whole_number(typed, expected):
    assert parse_employees(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "veel",
        "2,5",
        "2.5",
        "-3",
        -3,
        "10-50",
        "10 - 50",
        "tussen 10 en 20",
        "10 tot 20",
        "1000000",
        None,
        True,
        2.5,
    ],
)
def test_employees_that_are_not_one_whole_number(typed):
    assert parse_employees(typed) is None


@pytest.mark.parametrize(
    "count, band",
    [
        (0, BAND_ZZP),
        (1, BAND_ZZP),
        (2, BAND_SMALL),
        (50, BAND_SMALL),
        (51, BAND_LARGER),
        (250, BAND_LARGER),
        (251, BAND_BEYOND),
    ],
)
def test_size_bands_follow_the_programs_target_groups(count, band):
    assert band_of(count) == band


def test_an_exact_number_wins_over_a_band_and_a_band_alone_has_no_number():
    size = known_size("12", BAND_LARGER)
    assert size is not None and (size.band, size.employees) == (BAND_SMALL, 12)
    band_only = known_size(None, BAND_SMALL)
    assert band_only is not None and band_only.employees is None and band_only.target_group == BAND_SMALL
    beyond = known_size(None, BAND_BEYOND)
    assert beyond is not None and beyond.beyond_sme and beyond.target_group == BAND_LARGER
    assert known_size(None, "enormous") is None and known_size("veel", None) is None
