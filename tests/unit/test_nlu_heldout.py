"""The held-out NLU set (tests/nlu/) must stay held out and large enough to mean something.

No held-out example may also occur in the training data (data/nlu/), compared as
scripts/nlu_data.py normalises them: entity annotations replaced by their text,
lower case, whitespace collapsed. Every intent of domain.yml needs at least
MIN_PER_INTENT held-out examples.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import nlu_data  # scripts/ is not a package: found through sys.path above

MIN_PER_INTENT = 10


@pytest.fixture(scope="module")
def training() -> list[tuple[str, str]]:
    return nlu_data.read_examples(nlu_data.TRAINING)


@pytest.fixture(scope="module")
def held_out() -> list[tuple[str, str]]:
    return nlu_data.read_examples(nlu_data.HELD_OUT)


def test_normalise_drops_annotations_case_and_spacing():
    assert nlu_data.normalise("Ik zit in [Beilen](municipality)") == "ik zit in beilen"
    assert (
        nlu_data.normalise(
            'vraag over  [Uitstel van betaling]{"entity": "scheme", "value": "belastinguitstel"}'
        )
        == "vraag over uitstel van betaling"
    )
    assert nlu_data.normalise("  Hallo\tDaar ") == "hallo daar"


def test_reader_skips_synonyms_regexes_and_lookups(tmp_path):
    (tmp_path / "a.yml").write_text(
        'version: "3.1"\n'
        "nlu:\n"
        "- intent: greet\n"
        "  examples: |\n"
        "    - hoi\n"
        "    - hallo [Emmen](municipality)\n"
        "- synonym: Emmen\n"
        "  examples: |\n"
        "    - klazienaveen\n"
        "- regex: kvk_number\n"
        "  examples: |\n"
        "    - \\b\\d{8}\\b\n"
        "- lookup: municipality\n"
        "  examples: |\n"
        "    - Assen\n",
        encoding="utf-8",
    )
    assert nlu_data.read_examples(tmp_path) == [("hoi", "greet"), ("hallo Emmen", "greet")]


def test_held_out_examples_do_not_occur_in_training_data(held_out, training):
    shared = nlu_data.overlap(held_out, training)
    assert not shared, (
        f"{len(shared)} held-out example(s) also in data/nlu/ (replace them in tests/nlu/ "
        "with new messages): " + "; ".join(f"{intent}: {text!r}" for text, intent in shared)
    )


def test_every_domain_intent_has_enough_held_out_examples(held_out):
    counts = nlu_data.counts(held_out)
    intents = nlu_data.domain_intents()
    assert intents, "no intents found in domain.yml"
    thin = {intent: counts.get(intent, 0) for intent in intents if counts.get(intent, 0) < MIN_PER_INTENT}
    assert not thin, f"intents with fewer than {MIN_PER_INTENT} held-out examples: {thin}"


def test_held_out_intents_exist_in_domain(held_out):
    unknown = set(nlu_data.counts(held_out)) - set(nlu_data.domain_intents())
    assert not unknown, f"held-out intents not in domain.yml: {sorted(unknown)}"
