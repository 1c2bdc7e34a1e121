"""A simple intent baseline that the Rasa pipeline has to beat (docs/nlu.md, "Baseline").

TF-IDF on word 1–2-grams plus char_wb 2–5-grams (one FeatureUnion) and a
LogisticRegression (liblinear, one-vs-rest: a fit takes well under a second). Trained on
all intent examples under data/nlu/ (entity annotations replaced by their text), scored
on the held-out set tests/nlu/. Prints the per-intent F1 and one line starting with
`==> baseline`, and writes a report in the shape of Rasa's intent_report.json (default
results/nlu/baseline_report.json). Runs in a few seconds.

C was chosen by 5-fold cross-validation on the training data only (`--cv` repeats
that and uses the best C of the grid; it takes about a quarter of a minute). Intent
macro-F1 over the folds with 1,888 examples: C=1 0.798, 3 0.823, 10 0.832, 30 0.840,
100 0.845, 300 0.843, 1000 0.845; with 2,016 examples: C=1 0.797, 3 0.824, 10 0.837,
30 0.842, 100 0.844, 300 0.848. Flat from C=30 on, so C stays at 100.

Usage: .venv/bin/python scripts/nlu_baseline.py [--cv] [REPORT_PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nlu_data  # scripts/ is not a package: found through sys.path above

SEED = 2021
C = 100.0
C_GRID = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0)
DEFAULT_REPORT = nlu_data.ROOT / "results" / "nlu" / "baseline_report.json"


def build_model(c: float = C) -> Pipeline:
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
        ]
    )
    classifier = LogisticRegression(C=c, solver="liblinear", max_iter=10_000, random_state=SEED)
    return Pipeline([("features", features), ("classifier", classifier)])


def choose_c(texts: list[str], intents: list[str]) -> float:
    """The C of C_GRID with the best intent macro-F1 in 5-fold cross-validation on `texts`."""
    x, y = np.array(texts, dtype=object), np.array(intents)
    scores: dict[float, list[float]] = {c: [] for c in C_GRID}
    for train, test in StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED).split(x, y):
        model = build_model()
        features = model.named_steps["features"]
        train_x, test_x = features.fit_transform(x[train]), features.transform(x[test])
        for c in C_GRID:
            classifier = clone(model.named_steps["classifier"]).set_params(C=c).fit(train_x, y[train])
            scores[c].append(f1_score(y[test], classifier.predict(test_x), average="macro"))
    means = {c: float(np.mean(values)) for c, values in scores.items()}
    print(
        "  5-fold CV op de trainingsdata, intent macro-F1 per C: "
        + ", ".join(f"C={c:g} {score:.3f}" for c, score in means.items())
    )
    return max(means, key=lambda c: means[c])


AVERAGES = ("macro avg", "weighted avg", "micro avg")


def report(model: Pipeline, texts: list[str], intents: list[str]) -> dict:
    """Scores in the shape of Rasa's intent_report.json (per intent, accuracy, averages)."""
    predicted = model.predict(texts)
    scores = classification_report(intents, predicted, output_dict=True, zero_division=0)
    for value in scores.values():
        if isinstance(value, dict) and "support" in value:
            value["support"] = int(value["support"])
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", default=str(DEFAULT_REPORT), help="where to write the report")
    parser.add_argument("--cv", action="store_true", help="choose C by 5-fold CV on the training data")
    args = parser.parse_args(argv)

    training = nlu_data.read_examples(nlu_data.TRAINING)
    held_out = nlu_data.read_examples(nlu_data.HELD_OUT)
    texts, intents = [text for text, _ in training], [intent for _, intent in training]
    c = choose_c(texts, intents) if args.cv else C
    model = build_model(c).fit(texts, intents)
    scores = report(model, [text for text, _ in held_out], [intent for _, intent in held_out])

    per_intent = {
        name: value for name, value in scores.items() if isinstance(value, dict) and name not in AVERAGES
    }
    for name, value in sorted(per_intent.items(), key=lambda item: item[1]["f1-score"]):
        print(f"  {name:22s} F1 {value['f1-score']:.3f}  (n={value['support']})")
    print(
        f"==> baseline (TF-IDF + LogisticRegression, C={c:g}, {len(training)} trainingsvoorbeelden): "
        f"intent macro-F1 op de aparte testset {scores['macro avg']['f1-score']:.3f}, "
        f"accuracy {scores['accuracy']:.3f}"
    )

    path = Path(args.report)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(scores, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
