#!/usr/bin/env bash
# What the scale-out profile needs besides PostgreSQL: nginx (the load balancer in front
# of the Rasa instances) and Redis (Rasa's lock store), from Debian's packages. Only the
# programs: Debian's services are kept from starting (policy-rc.d), because the profile
# starts its own nginx and Redis on loopback (bot/scaled.py). Idempotent.
set -euo pipefail

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "FOUT: ${missing[*]} ontbreekt. Installeer de pakketten (Debian/Ubuntu) en probeer opnieuw." >&2
    exit 1
  fi
  echo "==> ${missing[*]} installeren (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  policy=/usr/sbin/policy-rc.d
  had_policy=0
  [ -e "$policy" ] && had_policy=1
  if [ "$had_policy" = 0 ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$had_policy" = 0 ] && rm -f "$policy"
fi
echo "==> $(/usr/sbin/nginx -v 2>&1 | head -n 1); $(redis-server --version | cut -d' ' -f1-3)"
