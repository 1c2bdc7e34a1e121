#!/usr/bin/env bash
# `make test-scaled`: 200 conversations over two Rasa instances behind nginx, with the
# Redis lock store and PostgreSQL (tests/scaled/). Everything it starts is stopped again.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

bash scripts/scaled_setup.sh
bash scripts/postgres.sh start
trap 'bash scripts/postgres.sh stop' EXIT
export TEST_POSTGRES_URL=$(bash scripts/postgres.sh url)
$PY -m pytest tests/scaled -p no:cacheprovider -s
