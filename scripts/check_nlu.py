"""Compares the held-out intent macro-F1 (from `rasa test nlu`) with the simple baseline
(scripts/nlu_baseline.py). Fails the run below FLOOR, a guard against regressions set just
under what the pipeline scores today; says plainly whether the product's goals are met
(macro-F1 of at least GOAL, and at least MARGIN above the baseline).

Usage: check_nlu.py [RASA_REPORT] [BASELINE_REPORT]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

FLOOR = 0.94
GOAL = 0.95
MARGIN = 0.03
AVERAGES = ("macro avg", "weighted avg", "micro avg")


def load(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def per_intent(report: dict) -> dict:
    return {
        name: scores
        for name, scores in report.items()
        if isinstance(scores, dict) and "support" in scores and name not in AVERAGES
    }


def main(report_path: str = "results/nlu/intent_report.json", baseline_path: str | None = None) -> int:
    report = load(report_path)
    baseline = load(baseline_path) if baseline_path else None
    macro = report["macro avg"]["f1-score"]
    base_intents = per_intent(baseline) if baseline else {}
    for name, scores in sorted(per_intent(report).items(), key=lambda item: item[1]["f1-score"]):
        line = f"  {name:22s} F1 {scores['f1-score']:.3f}"
        if name in base_intents:
            line += f"  (baseline {base_intents[name]['f1-score']:.3f})"
        print(f"{line}  (n={scores['support']})")
    print(f"==> intent macro-F1 op de aparte testset: {macro:.3f}, accuracy {report['accuracy']:.3f}")
    print(f"    doel macro-F1 >= {GOAL:.2f}: {'gehaald' if macro >= GOAL else 'NIET gehaald'}")
    if baseline is not None:
        base_macro = baseline["macro avg"]["f1-score"]
        verdict = "gehaald" if macro >= base_macro + MARGIN else "NIET gehaald"
        print(
            f"==> macro-F1 Rasa {macro:.3f} tegen baseline {base_macro:.3f} "
            f"(verschil {macro - base_macro:+.3f}); doel minstens {MARGIN:+.2f}: {verdict}"
        )
    failed = macro < FLOOR
    if failed:
        print(f"FOUT: de NLU zakt onder de ondergrens {FLOOR:.2f}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
