"""Browser tests: Debian's chromium driven by Playwright (`executable_path`; no browser
download), against the real help desk of the `helpdesk` fixture (tests/conftest.py).

`page` is a fresh browser context per test (own cookies and storage); `axe(page)` runs
axe-core (node_modules, installed by scripts/browser_setup.sh) in the page and returns
the serious and critical violations of the WCAG 2.0/2.1 A and AA rules.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RESULTS = ROOT / "results" / "browser"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Without these, chromium keeps trying to reach Google's services from a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed (make test installs it with scripts/browser_setup.sh)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def results_dir() -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    return RESULTS


def run_axe(page: Any, context: str | None = None) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of WCAG 2.0/2.1 A and AA in the page (or in `context`)."""
    if not AXE.exists():
        pytest.fail("axe-core is missing (make test installs it with npm ci)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the pages' CSP (no inline script) would
        # block the <script> element that page.add_script_tag inserts.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """([context, tags]) => window.axe.run(context || document,
               {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""",
        [context, WCAG_TAGS],
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]],
        }
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def axe() -> Callable[..., list[dict[str, Any]]]:
    return run_axe
