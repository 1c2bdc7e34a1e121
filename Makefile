# Ondernemersvraagbaak Drenthe: `make run` to chat, `make test` to check everything.
# Every step is idempotent: nothing is reinstalled when requirements.txt did not
# change, and no model is trained when data, domain and config did not change.

SHELL := /bin/bash
.DEFAULT_GOAL := help
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

PY := .venv/bin/python
# Rasa's command line as the project runs it: third-party deprecation warnings hidden (bot/rasa_cli.py).
RASA := $(PY) -m bot.rasa_cli
INSTALLED := .venv/.installed
SPACY := var/spacy/nl/pipeline.json

.PHONY: help setup run run-scaled test test-scaled train retrain validate shell lock clean db browser lint bench audit

help:
	@echo "make run       alles installeren, trainen waar nodig en de diensten starten (Ctrl-C stopt)"
	@echo "make run-scaled  schaalprofiel: PostgreSQL, Redis, twee Rasa-instanties achter nginx (Ctrl-C stopt)"
	@echo "make test      alles installeren en de hele testsuite draaien"
	@echo "make test-scaled 200 gesprekken over twee Rasa-instanties, en een instantie die uitvalt"
	@echo "make train     een model trainen als data, domein of config veranderd zijn"
	@echo "make retrain   altijd opnieuw trainen"
	@echo "make validate  de trainingsdata controleren (rasa data validate)"
	@echo "make shell     in de terminal praten met de assistent van een draaiende make run"
	@echo "make lint      opmaak, lint en typecontrole (ruff, mypy)"
	@echo "make bench     belastingstest naast een standaard Rasa-bot (schrijft docs/performance.md)"
	@echo "make audit     pip-audit over de vastgepinde pakketten (zegt het als de dienst onbereikbaar is)"
	@echo "make lock      requirements.txt opnieuw vastpinnen vanuit requirements.in"
	@echo "make clean     modellen, resultaten en var/ weggooien (niet .venv of .env)"

$(INSTALLED): requirements.txt scripts/setup_venv.sh .python-version
	bash scripts/setup_venv.sh
	touch $@

$(SPACY): $(INSTALLED) scripts/spacy_pipeline.py
	$(PY) scripts/spacy_pipeline.py var/spacy/nl

.env: | $(INSTALLED)
	$(PY) -m bot env init

db: $(INSTALLED) .env
	$(PY) -m bot db upgrade
	$(PY) -m bot catalog load
	$(PY) -m bot agenda seed-sample --if-empty

setup: $(INSTALLED) $(SPACY) .env db

train: setup
	bash scripts/train.sh

retrain: setup
	FORCE_TRAIN=1 bash scripts/train.sh

run: train
	$(PY) -m bot serve

# PostgreSQL, Redis and nginx from Debian's packages, all on loopback (docs/deploy.md).
run-scaled: train
	bash scripts/run_scaled.sh

browser:
	bash scripts/browser_setup.sh

# Lint first: style or type findings fail the run before the slow steps.
test: lint train browser
	bash scripts/test.sh

test-scaled: train
	bash scripts/test_scaled.sh

LINTED := bot actions policies classifiers scripts tests

lint: $(INSTALLED)
	@echo "==> lint: ruff format, ruff check, mypy"
	.venv/bin/ruff format --check $(LINTED)
	.venv/bin/ruff check $(LINTED)
	.venv/bin/mypy

# Load test beside a default `rasa init` bot: SQLite, PostgreSQL and the scaled profile (~12 minutes).
bench: train
	bash scripts/scaled_setup.sh
	$(PY) scripts/bench.py --postgres --scaled --write

# Known vulnerabilities in the pins; exit 2 when the advisory service can't be reached.
audit: $(INSTALLED)
	bash scripts/audit.sh

validate: setup
	$(RASA) data validate --fail-on-warnings

shell: $(INSTALLED)
	$(PY) -m bot chat

lock: $(INSTALLED)
	rm -rf var/lock-venv
	python3.10 -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet "pip<24" wheel
	var/lock-venv/bin/pip install --quiet -r requirements.in
	{ echo "# Exact pins for .venv (generated from requirements.in by \`make lock\`)."; \
	  var/lock-venv/bin/pip freeze --all | grep -v -E "^(pip|wheel)=="; } > requirements.txt
	rm -rf var/lock-venv

clean:
	rm -rf models results var node_modules
