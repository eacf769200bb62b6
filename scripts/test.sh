#!/usr/bin/env bash
# Runs the whole test suite: every package with the race detector, after
# each fuzz target has run for a short, bounded time. The embedded MongoDB
# wire-protocol server, the Elasticsearch protocol server and the Redis
# Cluster are started by the tests themselves; PostgreSQL, MariaDB and Redis
# run on the machine (scripts/services.sh checks them and starts one that is
# down).
set -euo pipefail
cd "$(dirname "$0")/.."

# The PostgreSQL, MariaDB and Redis servers the connector tests read.
./scripts/services.sh

# Fuzz targets first, each time-boxed (FUZZTIME=0 skips them).
fuzztime=${FUZZTIME:-3s}
if [ "$fuzztime" != "0" ]; then
  for pkg in $(go list ./...); do
    dir=$(go list -f '{{.Dir}}' "$pkg")
    for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
      echo "fuzz $pkg $target ($fuzztime)"
      if ! out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" 2>&1); then
        # The fuzzer stops with "context deadline exceeded" when its time
        # runs out while a worker is still minimising an input that is merely
        # interesting; only a written failing input is a finding.
        if ! grep -q 'Failing input written to' <<<"$out" && grep -q 'context deadline exceeded' <<<"$out"; then
          echo "  (time ran out while minimising an input; no failure found)"
          continue
        fi
        echo "$out"
        echo "fuzz target $target in $pkg failed; the failing input is under its testdata/fuzz"
        exit 1
      fi
    done
  done
fi

# The whole suite, with the race detector.
go test -race -count=1 -timeout 30m ./...
