"""data/nlu/places.yml must be what scripts/generate_places_nlu.py makes of content/places.yml."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_generator():
    spec = importlib.util.spec_from_file_location(
        "generate_places_nlu", ROOT / "scripts" / "generate_places_nlu.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_places_file_is_up_to_date():
    generator = load_generator()
    assert generator.TARGET.read_text(encoding="utf-8") == generator.generated(), (
        "run: .venv/bin/python scripts/generate_places_nlu.py"
    )


def test_villages_map_to_their_municipality():
    text = load_generator().render(
        {"Midden-Drenthe": ["Beilen", "Nieuw-Balinge"], "Borger-Odoorn": ["Tweede Exloërmond"]}
    )
    assert "  - synonym: Midden-Drenthe" in text
    for spelling in ["midden-drenthe", "midden drenthe", "beilen", "nieuw-balinge", "nieuw balinge"]:
        assert f"      - {spelling}\n" in text
    assert "      - 2e exloermond\n" in text
