#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and for trying several Rasa instances:
#   scripts/postgres.sh start   installs Debian's postgresql if missing, creates a cluster
#                               under var/pg on first use, starts it on 127.0.0.1:54329
#   scripts/postgres.sh stop    stops it (the data stays in var/pg until you remove it)
#   scripts/postgres.sh status  exit 0 when it runs
#   scripts/postgres.sh url [DB]       prints the SQLAlchemy URL of the superuser role `loket`
#                                      (of database DB, default `postgres`)
#   scripts/postgres.sh createdb DB    creates database DB unless it exists
# Idempotent: a second `start` only checks that the server runs. As root, the server
# runs as the `postgres` OS user, because initdb and postgres refuse to run as root; its
# data then lives outside the project (under /var/tmp, one folder per checkout and port),
# because the `postgres` user may not be allowed into the checkout (a home directory with
# mode 700, or `mktemp -d`).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${LOKET_PG_PORT:-54329}"
ROLE=loket
PASSWORD=loket
if [ "$(id -u)" = 0 ]; then
  BASE="/var/tmp/loket-pg/$(printf '%s' "$PWD" | sha1sum | cut -c1-12)-$PORT"
else
  BASE="$PWD/var/pg"
fi
DATA="$BASE/data"
SOCKETS="$BASE/run"
LOG="$BASE/server.log"
URL="postgresql+psycopg2://$ROLE:$PASSWORD@127.0.0.1:$PORT"

pg_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
    echo "$dir"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  fi
}

install_postgres() {
  if [ -n "$(pg_bindir)" ]; then
    return
  fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "FOUT: PostgreSQL is niet geïnstalleerd. Installeer het pakket 'postgresql' (Debian/Ubuntu) en probeer opnieuw." >&2
    exit 1
  fi
  echo "==> PostgreSQL installeren (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # Debian's package would also create and start a system cluster on port 5432; we only want the binaries.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/loket-no-main.conf
  apt-get install -y -qq --no-install-recommends postgresql >&2
  if [ -z "$(pg_bindir)" ]; then
    echo "FOUT: PostgreSQL geïnstalleerd, maar initdb niet gevonden." >&2
    exit 1
  fi
}

# Run a PostgreSQL program as the cluster's owner.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    (cd / && runuser -u postgres -- "$@")  # from /: the checkout may be closed to postgres
  else
    "$@"
  fi
}

is_running() {
  local bindir
  bindir="$(pg_bindir)"
  [ -n "$bindir" ] && [ -f "$DATA/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
  install_postgres
  local bindir
  bindir="$(pg_bindir)"
  mkdir -p "$BASE"
  exec 9>"$BASE/.lock"
  flock 9
  if is_running; then
    echo "==> PostgreSQL draait al op 127.0.0.1:$PORT" >&2
    return
  fi
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chmod 755 /var/tmp/loket-pg
    chown postgres: "$BASE"
    chmod 700 "$BASE"
  fi
  if [ ! -f "$DATA/PG_VERSION" ]; then
    echo "==> nieuw PostgreSQL-cluster in $BASE" >&2
    rm -rf "$DATA"
    local pwfile="$BASE/.pw"
    echo "$PASSWORD" > "$pwfile"
    [ "$(id -u)" = 0 ] && chown postgres: "$pwfile"
    as_owner "$bindir/initdb" -D "$DATA" -U "$ROLE" --pwfile="$pwfile" --auth-local=trust \
      --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
  fi
  as_owner mkdir -p "$SOCKETS"
  # 9>&-: the server must not inherit (and so keep holding) the lock.
  if ! as_owner "$bindir/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PORT -k $SOCKETS -c fsync=off -c max_connections=200" start >/dev/null 9>&-; then
    echo "FOUT: PostgreSQL start niet; zie $LOG" >&2
    tail -n 20 "$LOG" >&2 || true
    exit 1
  fi
  echo "==> PostgreSQL draait op 127.0.0.1:$PORT" >&2
}

stop() {
  local bindir
  bindir="$(pg_bindir)"
  if [ -z "$bindir" ] || [ ! -f "$DATA/PG_VERSION" ]; then
    return
  fi
  mkdir -p "$BASE"
  exec 9>"$BASE/.lock"
  flock 9
  if is_running; then
    as_owner "$bindir/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null 9>&-
    echo "==> PostgreSQL gestopt" >&2
  fi
}

createdb() {
  local name="$1" bindir
  if ! [[ "$name" =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; then
    echo "FOUT: ongeldige databasenaam '$name'" >&2
    exit 2
  fi
  bindir="$(pg_bindir)"
  if ! as_owner "$bindir/psql" -h "$SOCKETS" -p "$PORT" -U "$ROLE" -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    as_owner "$bindir/psql" -h "$SOCKETS" -p "$PORT" -U "$ROLE" -d postgres -qc "CREATE DATABASE $name" >/dev/null
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) is_running ;;
  url) echo "$URL/${2:-postgres}" ;;
  createdb) createdb "${2:?gebruik: $0 createdb NAAM}" ;;
  *)
    echo "gebruik: $0 start|stop|status|url [DB]|createdb DB" >&2
    exit 2
    ;;
esac
