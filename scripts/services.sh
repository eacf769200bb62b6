#!/usr/bin/env bash
# Checks that the servers the tests use answer on 127.0.0.1: PostgreSQL
# (5432), MariaDB (3306) and Redis (6379). A server that does not answer is
# started once with the machine's start command; if it still does not answer,
# this fails with CI=true (a test that cannot reach its server must fail, not
# skip) and warns otherwise (the tests that need it then skip with a message).
set -uo pipefail

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  case "$1" in
    postgresql) pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start ;;
    mariadb) start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd ;;
    redis) redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
             --dir /var/lib/redis --logfile /var/log/redis/ci.log ;;
  esac
}

missing=()
for entry in postgresql:5432 mariadb:3306 redis:6379; do
  name=${entry%%:*} port=${entry##*:}
  if answers "$port"; then
    continue
  fi
  echo "services: $name does not answer on 127.0.0.1:$port; starting it once"
  start "$name" >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do
    answers "$port" && break
    sleep 1
  done
  answers "$port" || missing+=("$name (127.0.0.1:$port)")
done

# PostGIS: the PostgreSQL tests of geometry columns need the extension. When
# the server cannot CREATE EXTENSION postgis, install Debian's package for the
# server's major version once (apt-get, quietly). With CI=true a PostGIS that
# still is not there fails the run.
postgis_available() {
  [ "$(psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atc \
    "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'" 2>/dev/null)" = "1" ]
}
if answers 5432 && command -v psql >/dev/null && ! postgis_available; then
  major=$(psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atc "SHOW server_version_num" 2>/dev/null | cut -c1-2)
  pkg="postgresql-${major:-15}-postgis-3"
  echo "services: PostGIS is not available on PostgreSQL (127.0.0.1:5432); installing $pkg once"
  if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/tmp/piisniff-postgis-install.log 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/tmp/piisniff-postgis-install.log 2>&1; }; }; then
    echo "services: installing $pkg failed (see /tmp/piisniff-postgis-install.log)" >&2
  fi
  postgis_available || missing+=("PostGIS ($pkg) on PostgreSQL")
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "services: missing after one attempt to start or install: ${missing[*]}" >&2
    exit 1
  fi
  echo "services: WARNING: missing: ${missing[*]}; the tests that need them will skip" >&2
fi
exit 0
