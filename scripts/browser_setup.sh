#!/usr/bin/env bash
# What the browser tests need: Debian's chromium (Playwright drives it through
# executable_path; `playwright install` can't download browsers here), fonts for
# readable screenshots, and axe-core from npm (package-lock.json). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "FOUT: chromium ontbreekt. Installeer het pakket 'chromium' (Debian/Ubuntu) en probeer opnieuw." >&2
    exit 1
  fi
  echo "==> chromium installeren (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
if [ ! -f node_modules/axe-core/axe.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "FOUT: npm ontbreekt (nodig voor axe-core). Installeer Node.js en npm en probeer opnieuw." >&2
    exit 1
  fi
  echo "==> axe-core installeren (npm ci)"
  npm ci --no-audit --no-fund --silent
fi
echo "==> browser: $(chromium --version 2>/dev/null | head -n 1); axe-core $(node -p 'require("./node_modules/axe-core/package.json").version')"
