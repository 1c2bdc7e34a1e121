#!/usr/bin/env bash
# Trains a model only when the training inputs changed: the model's file name
# carries a fingerprint of config, domain, data, the spaCy pipeline and the pins.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1

fingerprint=$(
  { cat config.yml domain.yml requirements.txt var/spacy/nl/pipeline.json policies/*.py classifiers/*.py
    find data -type f -name '*.yml' | LC_ALL=C sort | xargs cat; } | sha1sum | cut -c1-12
)
model="models/loket-${fingerprint}.tar.gz"
if [ -f "$model" ] && [ "${FORCE_TRAIN:-0}" != 1 ]; then
  touch "$model"   # the newest model is the one served
  echo "==> model is actueel: $model (niet opnieuw getraind)"
  exit 0
fi
mkdir -p models
echo "==> model trainen (duurt een paar minuten)"
start=$(date +%s)
.venv/bin/python -m bot.rasa_cli train --fixed-model-name "loket-${fingerprint}" --out models --quiet
echo "==> model getraind in $(( $(date +%s) - start )) s: $model"
