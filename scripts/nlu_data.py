"""Reading Rasa YAML NLU files: the training data (data/nlu/) and the held-out set (tests/nlu/).

One place for this, used by tests/unit/test_nlu_heldout.py and scripts/nlu_baseline.py.
Only `intent` sections are read; lookup tables, regexes and synonyms are ignored.
Entity annotations (`[text](entity)`, `[text]{"entity": ...}`, `[text][...]`) are
replaced by their text, so an example reads as the user typed it.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TRAINING = ROOT / "data" / "nlu"
HELD_OUT = ROOT / "tests" / "nlu"
DOMAIN = ROOT / "domain.yml"

# [text](entity), [text](entity:value), [text]{"entity": ...}, [text][{...}, {...}]
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")
_WHITESPACE = re.compile(r"\s+")


def plain_text(example: str) -> str:
    """The example as typed: entity annotations replaced by their text."""
    return _ANNOTATION.sub(r"\1", example).strip()


def normalise(example: str) -> str:
    """The form in which two examples count as the same: plain text, lower case, single spaces."""
    return _WHITESPACE.sub(" ", plain_text(example)).strip().lower()


def _examples(block: str) -> list[str]:
    lines: list[str] = []
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("- "):
            lines.append(line[2:].strip())
        elif line == "-":
            lines.append("")
    return [line for line in lines if line]


def read_file(path: Path) -> list[tuple[str, str]]:
    """(plain text, intent) for every example of every intent section in one NLU file."""
    content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    pairs: list[tuple[str, str]] = []
    for section in content.get("nlu") or []:
        if not isinstance(section, dict) or "intent" not in section:
            continue  # synonym, regex, lookup
        examples = section.get("examples") or ""
        if not isinstance(examples, str):
            raise ValueError(f"{path}: intent {section['intent']}: examples must be a block of '- ' lines")
        pairs.extend((plain_text(example), section["intent"]) for example in _examples(examples))
    return pairs


def read_examples(folder: Path | str) -> list[tuple[str, str]]:
    """(plain text, intent) for every intent example in the YAML files under `folder`."""
    pairs: list[tuple[str, str]] = []
    for path in sorted(Path(folder).rglob("*.yml")):
        pairs.extend(read_file(path))
    return pairs


def domain_intents(domain: Path | str = DOMAIN) -> list[str]:
    """The intent names declared in domain.yml."""
    content = yaml.safe_load(Path(domain).read_text(encoding="utf-8"))
    return [next(iter(item)) if isinstance(item, dict) else item for item in content["intents"]]


def overlap(held_out: list[tuple[str, str]], training: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The held-out examples whose normalised text also occurs in the training data."""
    seen = {normalise(text) for text, _ in training}
    return [(text, intent) for text, intent in held_out if normalise(text) in seen]


def counts(examples: list[tuple[str, str]]) -> Counter[str]:
    """Held-out or training examples per intent."""
    return Counter(intent for _, intent in examples)
