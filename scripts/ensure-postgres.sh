#!/usr/bin/env bash
# Make sure the local PostgreSQL answers on 127.0.0.1:5432; start the cluster if it is down.
set -euo pipefail
HOST=${PGHOST:-127.0.0.1}; PORT=${PGPORT:-5432}
ready() { pg_isready -q -h "$HOST" -p "$PORT" 2>/dev/null; }
ready && exit 0
echo "PostgreSQL is not answering on $HOST:$PORT; trying to start it..."
if command -v pg_ctlcluster >/dev/null 2>&1; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version" ] && pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
fi
for _ in $(seq 1 20); do ready && exit 0; sleep 1; done
echo "ERROR: PostgreSQL is not running on $HOST:$PORT and could not be started." >&2
echo "Start it (e.g. 'pg_ctlcluster --skip-systemctl-redirect 15 main start') or set TEST_DATABASE_URL." >&2
exit 1
