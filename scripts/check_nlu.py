"""Fails when the held-out intent macro-F1 (from `rasa test nlu`) is below the threshold."""
from __future__ import annotations

import json
import sys
from pathlib import Path

THRESHOLD = 0.90


def main(report_path: str = "results/nlu/intent_report.json") -> int:
    report = json.loads(Path(report_path).read_text(encoding="utf-8"))
    macro = report["macro avg"]["f1-score"]
    intents = {name: scores for name, scores in report.items() if isinstance(scores, dict) and "support" in scores
               and name not in ("macro avg", "weighted avg", "micro avg")}
    for name, scores in sorted(intents.items(), key=lambda item: item[1]["f1-score"]):
        print(f"  {name:22s} F1 {scores['f1-score']:.3f}  (n={scores['support']})")
    print(f"==> intent macro-F1 op de aparte testset: {macro:.3f} (drempel {THRESHOLD:.2f}), accuracy {report['accuracy']:.3f}")
    if macro < THRESHOLD:
        print("FOUT: de NLU haalt de drempel niet", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
