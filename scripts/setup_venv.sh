#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs the exact pins of requirements.txt.
# Run by `make`; it only runs again when requirements.txt changes.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v python3.10 >/dev/null 2>&1 || ! python3.10 -c 'import sys' >/dev/null 2>&1; then
  echo "FOUT: python3.10 niet gevonden. Rasa 3.6 draait op Python 3.10:" >&2
  echo "  installeer het (bijv. 'pyenv install 3.10' of het pakket python3.10) en probeer opnieuw." >&2
  exit 1
fi

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  rm -rf .venv
  echo "==> .venv aanmaken met $(python3.10 --version)"
  python3.10 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check "pip<24" wheel
echo "==> vastgepinde pakketten installeren uit requirements.txt"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
.venv/bin/python -m pip check
