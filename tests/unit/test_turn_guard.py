"""The turn guard policy (policies/turn_guard.py), created the way Rasa's graph creates a
policy and asked for predictions on real DialogueStateTrackers with the real domain: it
predicts nothing in a healthy turn, `action_recover` when a turn loops or runs long, and
`action_listen` right after the recovery."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.constants import RULE_POLICY_PRIORITY
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from policies.turn_guard import RECOVERY_ACTION, TurnGuardPolicy, actions_this_turn

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def make_guard(tmp_path: Path, **config) -> TurnGuardPolicy:
    """As the graph runner creates it: the default config with the model's config on top."""
    return TurnGuardPolicy.create(
        {**TurnGuardPolicy.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("turn_guard"),
        ExecutionContext(GraphSchema({}), "test"),
    )


@pytest.fixture
def guard(tmp_path) -> TurnGuardPolicy:
    return make_guard(tmp_path)


def said(text: str, intent: str) -> UserUttered:
    return UserUttered(text, intent={"name": intent, "confidence": 0.93})


def conversation(domain: Domain, *actions_after_message: str, earlier=()) -> DialogueStateTracker:
    """A session start, earlier events, then "ik wil exporteren" and the actions run for it so far."""
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        *earlier,
        said("ik wil exporteren naar Duitsland", "ask_export"),
        SlotSet("country", "Duitsland"),
        *[ActionExecuted(name) for name in actions_after_message],
    ]
    return DialogueStateTracker.from_events("guard-test", events, domain.slots, domain=domain)


def predicted(guard: TurnGuardPolicy, tracker: DialogueStateTracker, domain: Domain) -> str | None:
    """The action the guard insists on, or None when it leaves the turn to the others."""
    prediction = guard.predict_action_probabilities(tracker, domain)
    assert len(prediction.probabilities) == domain.num_actions
    if max(prediction.probabilities) == 0:
        return None
    best = max(range(domain.num_actions), key=lambda index: prediction.probabilities[index])
    assert prediction.probabilities[best] == 1.0
    return domain.action_names_or_texts[best]


# --------------------------------------------------------------------------- predictions


def test_right_after_a_user_message_the_guard_predicts_nothing(guard, domain):
    assert predicted(guard, conversation(domain), domain) is None


def test_a_healthy_turn_gets_no_prediction(guard, domain):
    tracker = conversation(domain, "action_answer_topic")
    prediction = guard.predict_action_probabilities(tracker, domain)
    assert max(prediction.probabilities) == 0
    assert prediction.policy_name == "TurnGuardPolicy"


def test_a_form_turn_of_different_actions_gets_no_prediction(guard, domain):
    tracker = conversation(domain, "action_start_booking", "booking_form")
    assert predicted(guard, tracker, domain) is None


def test_the_same_action_twice_in_a_row_is_recovered(guard, domain):
    tracker = conversation(domain, "action_answer_topic", "action_answer_topic")
    assert predicted(guard, tracker, domain) == RECOVERY_ACTION


def test_the_same_action_in_two_turns_is_no_loop(guard, domain):
    earlier = [
        said("ik wil groeien", "ask_growth"),
        ActionExecuted("action_answer_topic"),
        ActionExecuted("action_listen"),
    ]
    tracker = conversation(domain, "action_answer_topic", earlier=earlier)
    assert predicted(guard, tracker, domain) is None


def test_seven_actions_in_one_turn_are_recovered(guard, domain):
    seven = [
        "action_answer_topic",
        "action_clarify",
        "action_answer_inform",
        "action_list_events",
        "action_about_program",
        "action_answer_scheme",
        "action_contact",
    ]
    tracker = conversation(domain, *seven)
    assert predicted(guard, tracker, domain) == RECOVERY_ACTION
    assert predicted(guard, conversation(domain, *seven[:6]), domain) is None


def test_the_turn_limit_comes_from_the_config(tmp_path, domain):
    guard = make_guard(tmp_path, max_actions_per_turn=3)
    three = ("action_answer_topic", "action_clarify", "action_answer_inform")
    assert predicted(guard, conversation(domain, *three), domain) == RECOVERY_ACTION
    assert predicted(guard, conversation(domain, *three[:2]), domain) is None


def test_after_the_recovery_the_assistant_listens(guard, domain):
    tracker = conversation(domain, "action_answer_topic", "action_answer_topic", RECOVERY_ACTION)
    assert predicted(guard, tracker, domain) == "action_listen"


def test_the_guard_outranks_the_rule_policy(guard):
    assert guard.priority > RULE_POLICY_PRIORITY


# --------------------------------------------------------------------------- actions of this turn


def test_actions_this_turn_stop_at_the_latest_user_message(domain):
    earlier = [
        said("hallo", "greet"),
        ActionExecuted("action_greet"),
        ActionExecuted("action_listen"),
        said("doei", "goodbye"),
        ActionExecuted("action_goodbye"),
    ]
    tracker = conversation(domain, "action_answer_topic", "action_contact", earlier=earlier)
    assert actions_this_turn(tracker) == ["action_answer_topic", "action_contact"]


def test_actions_this_turn_stop_at_a_user_message_without_listening_first(domain):
    # a turn cut off by Rasa's circuit breaker never reached action_listen
    earlier = [said("hallo", "greet"), ActionExecuted("action_greet"), ActionExecuted("action_greet")]
    tracker = conversation(domain, "action_answer_topic", earlier=earlier)
    assert actions_this_turn(tracker) == ["action_answer_topic"]


def test_no_actions_yet_in_a_new_turn(domain):
    assert actions_this_turn(conversation(domain)) == []
