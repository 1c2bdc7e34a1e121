"""Deprecation warnings of pinned packages are hidden in the project's processes;
the project's own warnings, and other kinds of warning, are still shown."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.warnings_filter import PROJECT_ROOT, is_third_party_deprecation

SITE_PACKAGES = str(Path(pytest.__file__).resolve().parent.parent / "somepackage" / "module.py")
OWN = str(PROJECT_ROOT / "bot" / "catalog" / "queries.py")


@pytest.mark.parametrize(
    ("category", "filename", "hidden"),
    [
        (DeprecationWarning, SITE_PACKAGES, True),
        (PendingDeprecationWarning, SITE_PACKAGES, True),
        (FutureWarning, SITE_PACKAGES, True),
        (DeprecationWarning, OWN, False),
        (UserWarning, SITE_PACKAGES, False),
        (RuntimeWarning, SITE_PACKAGES, False),
    ],
)
def test_only_third_party_deprecations_are_hidden(category, filename, hidden) -> None:
    assert is_third_party_deprecation(category, filename) is hidden


def test_a_process_with_the_filter_shows_its_own_warnings_but_not_a_packages_deprecations() -> None:
    program = f"""
import warnings
from bot.warnings_filter import hide_third_party_deprecations
hide_third_party_deprecations()
hide_third_party_deprecations()
warnings.warn_explicit("oud-pakket", DeprecationWarning, {SITE_PACKAGES!r}, 1)
warnings.warn_explicit("eigen-verouderd", DeprecationWarning, {OWN!r}, 1)
warnings.warn_explicit("pakket-waarschuwing", UserWarning, {SITE_PACKAGES!r}, 2)
"""
    result = subprocess.run(
        [sys.executable, "-W", "default", "-c", program],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "oud-pakket" not in result.stderr
    assert result.stderr.count("eigen-verouderd") == 1
    assert "pakket-waarschuwing" in result.stderr
