"""Rasa's command line as the project runs it (bot/rasa_cli.py): deprecation warnings of
pinned packages are hidden, the project's own warnings and other kinds still shown; the
action server's replies are validated exactly as before, with the schema checked once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import rasa_cli
from bot.rasa_cli import PROJECT_ROOT, is_third_party_deprecation, validate_with_checked_schema

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
from bot.rasa_cli import hide_third_party_deprecations
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


REPLY_SCHEMA = RemoteAction.action_response_format_spec()
GOOD_REPLY = {
    "events": [{"event": "slot", "name": "scheme", "value": "now"}],
    "responses": [{"text": "Hallo"}],
}
BAD_REPLIES = [
    {"events": "geen lijst"},
    {"events": [{"event": 3}]},
    {"events": [{"name": "scheme"}]},
]


def test_the_cached_check_accepts_what_jsonschema_accepts() -> None:
    jsonschema.validate(GOOD_REPLY, REPLY_SCHEMA)
    validate_with_checked_schema(GOOD_REPLY, REPLY_SCHEMA)


@pytest.mark.parametrize("reply", BAD_REPLIES)
def test_the_cached_check_refuses_what_jsonschema_refuses_with_the_same_message(reply) -> None:
    with pytest.raises(jsonschema.ValidationError) as original:
        jsonschema.validators.validate(reply, REPLY_SCHEMA)
    with pytest.raises(jsonschema.ValidationError) as cached:
        validate_with_checked_schema(reply, REPLY_SCHEMA)
    assert cached.value.message == original.value.message
    assert list(cached.value.path) == list(original.value.path)


def test_the_schema_is_checked_once_for_many_replies(monkeypatch) -> None:
    monkeypatch.setattr(rasa_cli, "_validators", {})
    checks = []
    kind = jsonschema.validators.validator_for(REPLY_SCHEMA)
    original_check = kind.check_schema
    monkeypatch.setattr(kind, "check_schema", classmethod(lambda cls, schema: checks.append(schema)))
    for _ in range(5):
        validate_with_checked_schema(GOOD_REPLY, RemoteAction.action_response_format_spec())
    monkeypatch.setattr(kind, "check_schema", original_check)
    assert len(checks) == 1


def test_a_broken_schema_is_still_refused() -> None:
    with pytest.raises(jsonschema.SchemaError):
        validate_with_checked_schema({}, {"type": "geen-type"})


def test_rasa_uses_the_cached_check_once_installed(monkeypatch) -> None:
    monkeypatch.setattr(jsonschema, "validate", jsonschema.validate)
    rasa_cli.check_schemas_once()
    assert jsonschema.validate is validate_with_checked_schema
    action = RemoteAction("action_answer_topic", None)
    assert action._validate_action_result(GOOD_REPLY)
    with pytest.raises(jsonschema.ValidationError):
        action._validate_action_result(BAD_REPLIES[0])
