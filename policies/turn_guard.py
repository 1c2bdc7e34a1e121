"""A guard against turns that go wrong: no turn may loop or run into Rasa's circuit breaker.

Rasa stops predicting after ten actions in one turn ("Circuit breaker tripped") and from
then on answers every message of that conversation with silence, because the count never
reaches an `action_listen` again. This policy sees the trouble coming (an action about to
run twice in a row, or too many actions in one turn) and predicts `action_recover`
instead: one short Dutch message, then listening, so the next message works. In a
healthy turn it predicts nothing and the other policies decide.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

RECOVERY_ACTION = "action_recover"


def actions_this_turn(tracker: DialogueStateTracker) -> list[str]:
    """The actions run since the latest user message, oldest first."""
    names: list[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and event.action_name:
            if event.action_name == ACTION_LISTEN_NAME:
                break
            names.append(event.action_name)
    return list(reversed(names))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class TurnGuardPolicy(Policy):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # Above RulePolicy (6): when the guard speaks, it wins.
        return {"priority": 7, "max_actions_per_turn": 7}

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        return self._resource  # nothing to learn

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        actions = actions_this_turn(tracker)
        if actions and actions[-1] == RECOVERY_ACTION:
            probabilities[domain.index_for_action(ACTION_LISTEN_NAME)] = 1.0
        elif len(actions) >= self.config["max_actions_per_turn"] or _same_twice_in_a_row(actions):
            probabilities[domain.index_for_action(RECOVERY_ACTION)] = 1.0
        return self._prediction(probabilities)


def _same_twice_in_a_row(actions: list[str]) -> bool:
    return len(actions) >= 2 and actions[-1] == actions[-2]
