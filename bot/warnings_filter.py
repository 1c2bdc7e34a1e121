"""Keeps the output of the project's processes readable: deprecation warnings that
pinned third-party packages raise (pkg_resources, click, pyparsing, jax, distutils …)
are not shown. Warnings raised from the project's own code, and every other kind
of warning, still are.

A filter in `warnings.showwarning` rather than a `warnings.filterwarnings` entry,
because Rasa adds its own filters at start-up ("once" for every UserWarning, which
pyparsing's deprecation warnings are too) in front of any filter set before it.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import TextIO

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


def run_rasa(argv: list[str]) -> int:
    """Rasa's own command line (`rasa ARGS`) with the filter installed first."""
    hide_third_party_deprecations()
    from rasa.__main__ import main

    sys.argv = ["rasa", *argv]
    main()
    return 0


if __name__ == "__main__":
    raise SystemExit(run_rasa(sys.argv[1:]))
