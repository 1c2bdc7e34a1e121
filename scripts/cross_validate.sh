#!/usr/bin/env bash
# 5-fold cross-validation of one or more NLU configs on data/nlu (or $CV_DATA), for choosing the
# pipeline's settings (the figures go into docs/nlu.md).
# Usage: bash scripts/cross_validate.sh config.yml [other-config.yml ...]
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
folds=${FOLDS:-5}
for config in "$@"; do
  name=$(basename "$config" .yml)
  out="${CV_OUT:-results/cv}/$name"
  start=$(date +%s)
  .venv/bin/python -m bot.rasa_cli test nlu --cross-validation --folds "$folds" --nlu "${CV_DATA:-data/nlu}" --config "$config" \
    --out "$out" --no-plot --quiet > "$out.log" 2>&1 || { echo "$name: mislukt, zie $out.log"; continue; }
  seconds=$(( $(date +%s) - start ))
  .venv/bin/python - "$name" "$out" "$seconds" "$folds" <<'PY'
import json, sys
from pathlib import Path
name, out, seconds, folds = sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4]
intent = json.loads((out / "intent_report.json").read_text())
macro, accuracy = intent["macro avg"]["f1-score"], intent["accuracy"]
entity_file = out / "DIETClassifier_report.json"
entity = json.loads(entity_file.read_text())["macro avg"]["f1-score"] if entity_file.exists() else float("nan")
print(f"| {name} | {folds} | {macro:.3f} | {accuracy:.3f} | {entity:.3f} | {seconds} s |")
PY
done
