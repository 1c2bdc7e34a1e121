"""Rasa's command line as the project runs it (bot/rasa_cli.py): deprecation warnings of
pinned packages are hidden, the project's own warnings and other kinds still shown; the
action server's replies are validated exactly as before, with the schema checked once; event
classes are found as Rasa finds them; the models' graphs called directly answer as before."""

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


# --- event classes by type name ------------------------------------------------------------


def _resolve_in_a_fresh_process(names: list[str], remembered: bool) -> list[str]:
    """What `Event.resolve_by_type` gives in a new process, with or without the cache."""
    script = (
        "import sys, json\n"
        "from bot.rasa_cli import remember_event_classes\n"
        f"if {remembered}: remember_event_classes(); remember_event_classes()\n"
        "from rasa.shared.core.events import Event, UserUttered\n"
        "out = []\n"
        "for name in json.loads(sys.argv[1]):\n"
        "    try:\n"
        "        out.append(repr(Event.resolve_by_type(name)))\n"
        "    except ValueError as error:\n"
        "        out.append('ValueError: ' + str(error))\n"
        "out.append(repr(Event.resolve_by_type('no_such_event', UserUttered)))\n"
        "print(json.dumps(out))\n"
    )
    import json

    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(names)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_remembered_event_classes_are_the_classes_rasa_finds() -> None:
    names = ["user", "bot", "action", "slot", "session_started", "active_loop", "topic", "no_such_event"] * 2
    cached = _resolve_in_a_fresh_process(names, remembered=True)
    assert cached == _resolve_in_a_fresh_process(names, remembered=False)
    assert (
        cached[0].endswith("UserUttered'>") and cached[7] == "ValueError: Unknown event name 'no_such_event'."
    )
    assert cached[-1].endswith("UserUttered'>")  # the default for an unknown name


# --- the models' prediction step -------------------------------------------------------------


def _prediction_step():
    import tensorflow as tf

    weights = tf.constant([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])

    def step(batch_in):
        features, mask = batch_in
        scores = tf.matmul(tf.reduce_sum(features, axis=1), weights, transpose_b=True)
        return {"scores": scores * tf.cast(tf.reduce_max(mask), tf.float32), "count": tf.shape(features)[0]}

    signature = [[tf.TensorSpec([None, None, 3], tf.float32), tf.TensorSpec([None], tf.int64)]]
    return tf.function(step, input_signature=signature)


def test_the_graph_called_directly_gives_what_the_function_gives() -> None:
    import numpy as np

    function = _prediction_step()
    direct = rasa_cli.DirectGraphCall(function)
    generator = np.random.default_rng(7)
    for rows, tokens in [(1, 1), (1, 5), (3, 2), (8, 17)]:
        batch = (generator.random((rows, tokens, 3), dtype=np.float32), np.array([1, 2], dtype=np.int64))
        got, expected = direct(batch), function(batch)
        assert np.array_equal(got["scores"].numpy(), expected["scores"].numpy())
        assert int(got["count"]) == int(expected["count"]) == rows
    assert direct.usable and direct.graph is not None  # the direct way was taken


def _outcome(call, batch):
    try:
        result = call(batch)
    except (TypeError, ValueError) as error:
        return type(error)
    return result["scores"].numpy().tolist()


def test_a_batch_that_does_not_fit_the_signature_goes_the_usual_way() -> None:
    import numpy as np

    function = _prediction_step()
    direct = rasa_cli.DirectGraphCall(function)
    direct(  # traces and takes the graph
        (np.ones((1, 2, 3), dtype=np.float32), np.array([1], dtype=np.int64))
    )
    wrong_type = (np.ones((1, 2, 3), dtype=np.float64), np.array([1], dtype=np.int64))
    wrong_width = (np.ones((1, 2, 4), dtype=np.float32), np.array([1], dtype=np.int64))
    too_few = (np.ones((1, 2, 3), dtype=np.float32),)
    for batch in (wrong_type, wrong_width, too_few):
        assert not direct.matches(batch)
        # The same answer, or the same refusal, as the function gives.
        assert _outcome(direct, batch) == _outcome(function, batch)
    assert _outcome(function, wrong_type) == [[3.0, 2.0]]  # TensorFlow casts this one
    assert _outcome(function, wrong_width) is ValueError


# --- garbage collection ---------------------------------------------------------------------


def test_fewer_collections_and_a_freeze_once_the_model_is_loaded() -> None:
    """In a fresh process (a freeze is for the whole process). Rasa's loader is replaced by a
    stand-in that returns at once: what is tested is what happens around it."""
    script = (
        "import asyncio, gc\n"
        "from rasa.core import run\n"
        "async def stand_in(*args, **kwargs):\n"
        "    return 'agent'\n"
        "run.load_agent_on_start = stand_in\n"
        "from bot.rasa_cli import GC_THRESHOLDS, fewer_garbage_collections\n"
        "fewer_garbage_collections(); fewer_garbage_collections()\n"
        "assert gc.get_threshold() == GC_THRESHOLDS, gc.get_threshold()\n"
        "frozen_before = gc.get_freeze_count()\n"
        "print(asyncio.run(run.load_agent_on_start('model', None, None, None, None)))\n"
        "print(frozen_before, gc.get_freeze_count() > 10000)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["agent", "0", "True"]
