#!/usr/bin/env bash
# `make audit`: pip-audit over the pinned requirements (requirements.txt).
# pip-audit lives in its own virtualenv (var/audit-venv) so that it never changes the
# pins of Rasa's .venv. It asks a vulnerability service (PyPI's JSON API) about every
# pin; where that service can't be reached (package mirrors serve packages, not
# advisories) it says so plainly and exits 2: nothing was checked then.
# Exit 0: no known vulnerabilities; 1: vulnerabilities found; 2: not checked.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=var/audit-venv
PIP_AUDIT_VERSION=2.10.0

if [ ! -x "$VENV/bin/pip-audit" ]; then
  echo "==> pip-audit $PIP_AUDIT_VERSION installeren in $VENV"
  .venv/bin/python -m venv "$VENV" || exit 2
  "$VENV/bin/pip" install -q "pip-audit==$PIP_AUDIT_VERSION" || { echo "FOUT: pip-audit niet te installeren" >&2; exit 2; }
fi
mkdir -p var
"$VENV/bin/pip-audit" -r requirements.txt --no-deps --disable-pip --progress-spinner off \
  --timeout 10 > var/audit.log 2>&1
rc=$?
cat var/audit.log
total=$(grep -cE '^[A-Za-z0-9_.-]+==' requirements.txt)
skipped=$(grep -ci 'could not be audited' var/audit.log || true)
if grep -qiE 'ConnectionError|Max retries|Failed to establish|timed out|NameResolution|could not be audited' var/audit.log \
   && ! grep -qE '^Found [0-9]+ known vulnerabilit' var/audit.log; then
  echo
  echo "==> NIET GECONTROLEERD: de kwetsbaarhedendienst is vanaf deze machine niet bereikbaar"
  echo "    ($skipped van $total pakketten konden niet worden nagekeken). Draai 'make audit' waar"
  echo "    PyPI's JSON-API bereikbaar is; zie docs/security.md."
  exit 2
fi
if [ "$rc" = 0 ]; then
  echo "==> geen bekende kwetsbaarheden in $total vastgepinde pakketten"
  exit 0
fi
echo "==> kwetsbaarheden gevonden: zie hierboven en docs/security.md"
exit 1
