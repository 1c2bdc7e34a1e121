"""The action server registers every action of `actions/` the way `rasa run actions`
does, and every custom action and form validation that domain.yml names exists."""

from __future__ import annotations

from pathlib import Path

import yaml
from rasa_sdk.executor import ActionExecutor

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def registered() -> set[str]:
    executor = ActionExecutor()
    executor.register_package("actions")  # raises when an Action subclass has no name
    return set(executor.actions)


def test_every_custom_action_of_the_domain_is_served():
    custom = {name for name in DOMAIN["actions"] if name.startswith(("action_", "validate_"))}
    missing = custom - registered()
    assert not missing


def test_every_form_has_its_validation():
    assert {f"validate_{form}" for form in DOMAIN["forms"]} <= registered()
