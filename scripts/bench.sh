#!/usr/bin/env bash
# Measures the scan's speed and memory on generated NDJSON files:
#  1. the Go benchmarks of a full scan (--sample-size 0) of 200,000 documents
#     against decoding the same file with encoding/json only;
#  2. peak RSS of the piisniff binary scanning a file of about 1 GB.
# Usage: scripts/bench.sh [SIZE_MB]   (default 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== Go benchmarks: full scan vs encoding/json decode (200,000 documents)"
go test -run '^$' -bench 'BenchmarkDecodeOnly|BenchmarkScanAll' -benchtime 3x -count 1 ./pipeline | grep -E '^Benchmark|ok'

echo "== peak RSS scanning a ${size_mb} MB NDJSON file with --sample-size 0"
go build -o "$tmp/piisniff" ./cmd/piisniff
go run ./internal/benchgen/cmd/benchgen -mb "$size_mb" -o "$tmp/big.ndjson"
ls -l "$tmp/big.ndjson" | awk '{printf "file: %.0f MB\n", $5/1048576}'
/usr/bin/time -f 'wall %e s, peak RSS %M KiB' "$tmp/piisniff" scan "$tmp/big.ndjson" --sample-size 0 -f json -q -o "$tmp/report.json"
echo "== peak RSS with the default sample (10,000 per container)"
/usr/bin/time -f 'wall %e s, peak RSS %M KiB' "$tmp/piisniff" scan "$tmp/big.ndjson" -f json -q -o "$tmp/report.json"
