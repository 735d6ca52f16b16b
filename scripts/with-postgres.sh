#!/usr/bin/env bash
# Run a command with a reachable PostgreSQL for the store tests (TZ_TEST_PG_URL exported).
#
# Uses TZ_TEST_PG_URL if set, else 127.0.0.1:5432 (user postgres) if it answers; otherwise
# starts a throwaway cluster (initdb as the postgres user, trust auth, a free port on
# 127.0.0.1, data in a temporary folder) and removes it afterwards. Under CI=true a failure
# to provide PostgreSQL is an error; otherwise the PostgreSQL half of the tests skips.
set -uo pipefail
PY="${PYTHON:-.venv/bin/python}"

reachable() {
    "$PY" - "$1" <<'PYEOF' >/dev/null 2>&1
import sys
import psycopg
from sqlalchemy.engine import make_url
u = make_url(sys.argv[1])
psycopg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                dbname=u.database or "postgres", connect_timeout=3).close()
PYEOF
}

fail_or_warn() {
    local msg="$1"
    shift
    if [ "${CI:-}" = "true" ]; then
        echo "with-postgres: $msg (CI=true: PostgreSQL is required)" >&2
        exit 1
    fi
    echo "with-postgres: $msg; the PostgreSQL store tests will skip" >&2
    exec "$@"
}

URL="${TZ_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}"
if reachable "$URL"; then
    export TZ_TEST_PG_URL="$URL"
    exec "$@"
fi

BIN=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && BIN="$d"; done
[ -z "$BIN" ] && command -v initdb >/dev/null && BIN="$(dirname "$(command -v initdb)")"
if [ -z "$BIN" ]; then
    fail_or_warn "no PostgreSQL reachable at $URL and no initdb installed" "$@"
fi
if [ "$(id -u)" -eq 0 ]; then
    AS=(runuser -u postgres --)
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
else
    AS=()
fi
DATA="$(mktemp -d /tmp/tz-pg.XXXXXX)"
[ "$(id -u)" -eq 0 ] && chown postgres "$DATA"
PORT="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cleanup() {
    "${AS[@]}" "$BIN/pg_ctl" -D "$DATA/db" -m immediate stop >/dev/null 2>&1
    rm -rf "$DATA"
}
trap cleanup EXIT
if ! "${AS[@]}" "$BIN/initdb" -D "$DATA/db" -U postgres -A trust -E UTF8 --no-sync >"$DATA/initdb.log" 2>&1; then
    cat "$DATA/initdb.log" >&2
    fail_or_warn "initdb failed" "$@"
fi
if ! "${AS[@]}" "$BIN/pg_ctl" -D "$DATA/db" -l "$DATA/server.log" -w \
    -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null; then
    cat "$DATA/server.log" >&2
    fail_or_warn "the throwaway PostgreSQL did not start" "$@"
fi
export TZ_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
echo "with-postgres: throwaway PostgreSQL on 127.0.0.1:$PORT" >&2
"$@"
