"""Municipality names as people type them map to the official name."""

import pytest
from catalog_support import write_content

from bot.places import MUNICIPALITIES, Places, canonical_municipality


@pytest.fixture
def places(tmp_path):
    return Places.from_file(write_content(tmp_path / "c") / "places.yml")


@pytest.mark.parametrize(
    "typed, official",
    [
        ("Assen", "Assen"),
        ("assen", "Assen"),
        ("  ASSEN ", "Assen"),
        ("midden drenthe", "Midden-Drenthe"),
        ("Midden-Drenthe", "Midden-Drenthe"),
        ("gemeente De Wolden", "De Wolden"),
        ("de wolden", "De Wolden"),
        ("aa-en-hunze", "Aa en Hunze"),
        ("borger odoorn", "Borger-Odoorn"),
        ("beilen", "Midden-Drenthe"),
        ("Westerbork", "Midden-Drenthe"),
        ("Tweede Exloërmond", "Borger-Odoorn"),
        ("2e exloermond", "Borger-Odoorn"),
    ],
)
def test_names_and_villages_map_to_the_municipality(places, typed, official):
    assert places.canonical(typed) == official


@pytest.mark.parametrize("typed", ["Groningen", "Zwolle", "", None, "gemeente", 12])
def test_unknown_places_give_none(places, typed):
    assert places.canonical(typed) is None


def test_without_a_places_file_the_twelve_names_still_work(tmp_path):
    places = Places.from_file(tmp_path / "missing.yml")
    assert places.canonical("emmen") == "Emmen"
    assert places.canonical("beilen") is None
    assert all(places.canonical(name) == name for name in MUNICIPALITIES)


def test_a_village_is_recognised_as_a_village(places):
    assert places.is_village("Beilen") and not places.is_village("Assen")


def test_the_real_places_file_covers_each_municipality():
    assert canonical_municipality("beilen") == "Midden-Drenthe"
    assert canonical_municipality("Roden") == "Noordenveld"
    assert canonical_municipality("zuidlaren") == "Tynaarlo"
    assert all(canonical_municipality(name.lower()) == name for name in MUNICIPALITIES)
