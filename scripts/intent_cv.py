"""Cross-validation of the pipeline's intent classifier (classifiers/linear_intent.py).

Trains the component itself, as Rasa does, on 4/5 of data/nlu and scores the remaining
fifth, five times, for each C of a grid; then, for the configured C, shows what the
FallbackClassifier's threshold would do: how many correct answers it would turn into a
clarifying question and how many wrong ones it would catch. The figures are in docs/nlu.md.
Takes about a minute. The held-out set is not involved.

Usage: .venv/bin/python scripts/intent_cv.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from classifiers.linear_intent import LinearIntentClassifier  # noqa: E402  (the project root is not installed)

SEED = 2021
C_GRID = (10.0, 30.0, 100.0, 300.0)
THRESHOLDS = (0.3, 0.4, 0.5, 0.55, 0.6)
AMBIGUITY = 0.08  # config.yml: FallbackClassifier's ambiguity_threshold


def fold_predictions(data: TrainingData, c: float) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Gold intents, predicted intents, top confidences and the gap to the second, over five test folds."""
    examples = [e for e in data.intent_examples if e.get("intent") and e.get("text")]
    intents = np.array([e.get("intent") for e in examples])
    gold: list[str] = []
    predicted: list[str] = []
    confidence: list[float] = []
    gap: list[float] = []
    for train, test in StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED).split(intents, intents):
        fold = TrainingData(
            training_examples=[examples[i] for i in train],
            regex_features=data.regex_features,
            lookup_tables=data.lookup_tables,
        )
        with tempfile.TemporaryDirectory() as folder:
            classifier = LinearIntentClassifier.create(
                {**LinearIntentClassifier.get_default_config(), "C": c},
                LocalModelStorage(Path(folder)),
                Resource("fold"),
                ExecutionContext(GraphSchema({}), "cv"),
            )
            classifier.train(fold)
            rows = classifier.probabilities([examples[i].get("text") for i in test])
        gold += list(intents[test])
        predicted += [classifier.intents[k] for k in rows.argmax(axis=1)]
        top_two = np.sort(rows, axis=1)[:, -2:]
        confidence += list(top_two[:, 1])
        gap += list(top_two[:, 1] - top_two[:, 0])
    return gold, predicted, np.array(confidence), np.array(gap)


def main() -> int:
    data = load_data(str(ROOT / "data" / "nlu"))
    results = {c: fold_predictions(data, c) for c in C_GRID}
    scores = {c: f1_score(gold, predicted, average="macro") for c, (gold, predicted, _, _) in results.items()}
    print("5-fold CV, intent macro-F1 per C: " + ", ".join(f"C={c:g} {s:.3f}" for c, s in scores.items()))
    chosen = LinearIntentClassifier.get_default_config()["C"]
    gold, predicted, confidence, gap = results[chosen]
    correct = np.array([g == p for g, p in zip(gold, predicted, strict=True)])
    print(
        f"C={chosen:g} (config): {int(correct.sum())} of {len(gold)} correct; FallbackClassifier threshold "
        f"(with ambiguity_threshold {AMBIGUITY}):"
    )
    for threshold in THRESHOLDS:
        below = (confidence < threshold) | (gap < AMBIGUITY)
        print(
            f"  {threshold:.2f}: {np.mean(below[correct]):5.1%} of the correct answers would be a clarifying "
            f"question, {np.mean(below[~correct]):5.1%} of the wrong ones caught"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
