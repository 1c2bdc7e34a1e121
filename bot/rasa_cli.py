"""Rasa's command line as the project runs it (`python -m bot.rasa_cli ARGS` = `rasa ARGS`),
with two changes to the process and none to Rasa's behaviour:

- readable output: deprecation warnings that pinned third-party packages raise (pkg_resources,
  click, pyparsing, jax, distutils …) are not shown; warnings from the project's own code,
  and every other kind of warning, still are. A filter in `warnings.showwarning` rather than
  a `warnings.filterwarnings` entry, because Rasa adds its own filters at start-up ("once"
  for every UserWarning, which pyparsing's deprecation warnings are too) in front of any
  filter set before it;
- speed: Rasa checks every reply of the action server with `jsonschema.validate`, which
  checks the *schema* against its meta-schema on every call as well: about a third of the
  Rasa server's CPU time per message (profiled with py-spy, docs/performance.md). The
  schema is now checked once and its validator kept; replies are still validated in full.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any, TextIO

import jsonschema
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)
_OWN_CODE = tuple(str(PROJECT_ROOT / room) for room in ("bot", "actions", "policies", "scripts", "tests"))


def is_third_party_deprecation(category: type[Warning], filename: str) -> bool:
    """A deprecation warning attributed to a file outside the project's own code."""
    return issubclass(category, _DEPRECATIONS) and not str(Path(filename).resolve()).startswith(_OWN_CODE)


def hide_third_party_deprecations() -> None:
    """Installs the filter in this process (idempotent)."""
    shown = warnings.showwarning
    if getattr(shown, "hides_third_party_deprecations", False):
        return

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if not is_third_party_deprecation(category, filename):
            shown(message, category, filename, lineno, file, line)

    show.hides_third_party_deprecations = True  # type: ignore[attr-defined]
    warnings.showwarning = show


_original_validate = jsonschema.validate
_validators: dict[str, Any] = {}
_MAX_SCHEMAS = 64  # Rasa uses a handful of fixed schemas; anything beyond is not cached


def validate_with_checked_schema(
    instance: Any, schema: Any, cls: Any = None, *args: Any, **kwargs: Any
) -> None:
    """`jsonschema.validate` with the schema check done once per distinct schema."""
    if cls is not None or args or kwargs:
        _original_validate(instance, schema, cls, *args, **kwargs)
        return
    key = json.dumps(schema, sort_keys=True, default=repr)
    validator = _validators.get(key)
    if validator is None:
        kind = validator_for(schema)
        kind.check_schema(schema)
        validator = kind(schema)
        if len(_validators) < _MAX_SCHEMAS:
            _validators[key] = validator
    error = best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


def check_schemas_once() -> None:
    """Installs the cached schema check in this process (Rasa imports `validate` at call time)."""
    jsonschema.validate = validate_with_checked_schema


def run_rasa(argv: list[str]) -> int:
    """Rasa's own command line (`rasa ARGS`) with the filter and the schema cache installed first."""
    hide_third_party_deprecations()
    check_schemas_once()
    from rasa.__main__ import main

    sys.argv = ["rasa", *argv]
    main()
    return 0


if __name__ == "__main__":
    raise SystemExit(run_rasa(sys.argv[1:]))
