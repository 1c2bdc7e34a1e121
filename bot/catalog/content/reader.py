"""Reads a content file as YAML and keeps the line of every mapping, key and item, so
each problem can be reported as "content/instruments.yml:12: …"."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


@dataclass(frozen=True)
class ContentProblem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentInvalid(Exception):
    """The content files have problems; nothing was loaded."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.path, p.line))
        super().__init__("\n".join(str(problem) for problem in self.problems))


class LocatedDict(dict):
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int = 1
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LocatedList(list):
    """A YAML sequence that remembers its own line and the line of each item."""

    line: int = 1
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


# Returned for a file that is missing or not valid YAML (its problem is already recorded).
UNREADABLE = object()


def read_yaml(path: Path, shown: str, problems: list[ContentProblem]) -> Any:
    """The file's data with line numbers, or UNREADABLE after recording a problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(ContentProblem(shown, 1, "bestand ontbreekt"))
        return UNREADABLE
    except (OSError, UnicodeDecodeError) as error:
        problems.append(ContentProblem(shown, 1, f"bestand is niet te lezen ({error})"))
        return UNREADABLE
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _to_python(node, loader, shown, problems)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problems.append(ContentProblem(shown, line, f"geen geldige YAML: {error.problem or error.context}"))
        return UNREADABLE
    except yaml.YAMLError as error:
        problems.append(ContentProblem(shown, 1, f"geen geldige YAML: {error}"))
        return UNREADABLE
    finally:
        loader.dispose()


def _to_python(node: yaml.Node, loader: yaml.SafeLoader, shown: str, problems: list[ContentProblem]) -> Any:
    if isinstance(node, yaml.MappingNode):
        mapping = LocatedDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            raw_key = _to_python(key_node, loader, shown, problems)
            line = key_node.start_mark.line + 1
            if not isinstance(raw_key, (str, int)):
                problems.append(ContentProblem(shown, line, "een sleutel moet een woord zijn"))
                continue
            key = str(raw_key)
            if key in mapping:
                problems.append(
                    ContentProblem(
                        shown, line, f"veld '{key}' staat dubbel (ook op regel {mapping.key_lines[key]})"
                    )
                )
                continue
            mapping.key_lines[key] = line
            mapping[key] = _to_python(value_node, loader, shown, problems)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        sequence = LocatedList()
        sequence.line = node.start_mark.line + 1
        sequence.item_lines = [item.start_mark.line + 1 for item in node.value]
        sequence.extend(_to_python(item, loader, shown, problems) for item in node.value)
        return sequence
    if node.tag == _TIMESTAMP_TAG:
        # Dates are parsed by the validator, which gives a clear message for "2026-13-01".
        return node.value
    return loader.construct_object(node, deep=True)
