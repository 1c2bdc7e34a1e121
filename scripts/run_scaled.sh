#!/usr/bin/env bash
# `make run-scaled`: the help desk as it runs on a bigger machine. PostgreSQL holds the
# tracker store and the application database, Redis is the lock store, two Rasa
# instances sit behind nginx on the usual Rasa port; the action server, the web app and
# the CRM worker as in `make run`. Ctrl-C stops everything, PostgreSQL included.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

bash scripts/scaled_setup.sh
bash scripts/postgres.sh start
trap 'bash scripts/postgres.sh stop' EXIT
for name in loket_app loket_tracker; do
  bash scripts/postgres.sh createdb "$name"
done
export DATABASE_URL="${SCALED_DATABASE_URL:-$(bash scripts/postgres.sh url loket_app)}"
export TRACKER_STORE_URL="${SCALED_TRACKER_STORE_URL:-$(bash scripts/postgres.sh url loket_tracker)}"
export REDIS_URL="${SCALED_REDIS_URL:-redis://127.0.0.1:6380/0}"
$PY -m bot db upgrade
$PY -m bot catalog load
$PY -m bot agenda seed-sample --if-empty
# not exec: the trap stops PostgreSQL when the launcher ends
$PY -m bot serve --scaled
