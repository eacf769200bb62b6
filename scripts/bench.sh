#!/usr/bin/env bash
# Measures the scan's speed and memory on the generated heterogeneous corpus
# (internal/benchgen: nine collection shapes, eight locales, free text):
#  1. Go benchmarks on 200,000 documents (PIISNIFF_BENCH_DOCS overrides):
#     BenchmarkScanVsDecode - encoding/json decode into maps, then a full
#       scan (--sample-size 0, two workers), interleaved in each iteration:
#       ratio (wall), cpu-ratio (CPU time; steady when the machine is busy),
#       scan-MB/s, scan-docs/s;
#     BenchmarkScanWorkers - one worker then two, interleaved: speedup;
#     BenchmarkScanSampled - the default sample of 10,000 documents;
#  2. peak RSS of the piisniff binary scanning a file of SIZE_MB.
# Usage: scripts/bench.sh [SIZE_MB] [COUNT]   (defaults 1024 and 3)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
count=${2:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== Go benchmarks (${PIISNIFF_BENCH_DOCS:-200000} documents, -count $count)"
go test -run '^$' -bench 'BenchmarkScanVsDecode|BenchmarkScanWorkers|BenchmarkScanSampled' \
	-benchtime 2x -count "$count" ./pipeline | grep -E '^Benchmark|^ok'

echo "== peak RSS scanning a ${size_mb} MB NDJSON file with --sample-size 0"
go build -o "$tmp/piisniff" ./cmd/piisniff
go run ./internal/benchgen/cmd/benchgen -mb "$size_mb" -o "$tmp/big.ndjson"
ls -l "$tmp/big.ndjson" | awk '{printf "file: %.0f MB\n", $5/1048576}'
/usr/bin/time -f 'wall %e s, CPU %U+%S s, peak RSS %M KiB' "$tmp/piisniff" scan "$tmp/big.ndjson" --sample-size 0 -f json -q -o "$tmp/report.json"
echo "== peak RSS with the default sample (10,000 per container)"
/usr/bin/time -f 'wall %e s, CPU %U+%S s, peak RSS %M KiB' "$tmp/piisniff" scan "$tmp/big.ndjson" -f json -q -o "$tmp/report.json"
