#!/usr/bin/env bash
# A throwaway PostgreSQL for the registry test: installed if missing, a fresh cluster in a temp dir,
# listening on 127.0.0.1 only, on a free port. Everything goes to stderr except the last line of stdout:
# the URL to export as OKRSYNC_TEST_POSTGRES_URL.
#   export OKRSYNC_TEST_POSTGRES_URL="$(bash .ci/postgres.sh | tail -n 1)"
# Stop it with the pg_ctl command printed on stderr.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

find_bin() {
  local name="$1" found
  if found="$(command -v "$name" 2>/dev/null)"; then echo "$found"; return 0; fi
  # Debian keeps the server binaries out of PATH, one folder per major version: take the newest.
  found="$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$found" ] && echo "$found"
}

if [ -z "$(find_bin initdb)" ] || [ -z "$(find_bin pg_ctl)" ]; then
  log "installing postgresql"
  if [ "$(id -u)" -ne 0 ]; then log "need root to apt-get install postgresql"; exit 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
INITDB="$(find_bin initdb)"
PG_CTL="$(find_bin pg_ctl)"

# PostgreSQL refuses to run as root: run it as the postgres system user (made if the package did not).
RUN_AS=()
OWNER="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    log "creating the postgres system user"
    useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  fi
  OWNER=postgres
  RUN_AS=(runuser -u postgres --)
fi

DIR="$(mktemp -d /tmp/okrsync-pg.XXXXXX)"
chown "$OWNER" "$DIR"
chmod 700 "$DIR"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"

log "initdb in $DIR/data"
"${RUN_AS[@]}" "$INITDB" -D "$DIR/data" -U okrsync --auth=trust --encoding=UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
  || { cat "$DIR/initdb.log" >&2; exit 1; }

log "starting on 127.0.0.1:$PORT"
"${RUN_AS[@]}" "$PG_CTL" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DIR -c fsync=off" start >&2 \
  || { cat "$DIR/server.log" >&2; exit 1; }

BIN_DIR="$(dirname "$(readlink -f "$PG_CTL")")"
"${RUN_AS[@]}" "$BIN_DIR/createdb" -h 127.0.0.1 -p "$PORT" -U okrsync okrsync_test >&2

log "running; stop with: ${RUN_AS[*]} $PG_CTL -D $DIR/data stop"
echo "postgresql://okrsync@127.0.0.1:$PORT/okrsync_test"
