#!/bin/sh
# Merges synthetic shard reports (report.BenchmarkMergeShards) under
# /usr/bin/time -v and prints the merge's time (the benchmark's ns/op), its
# sampled peak heap and the process's peak RSS and CPU time.
#
#   scripts/bench-merge.sh [SHARDS [CONTAINERS [sliced|disjoint]]]
#
# Default: 1,000 shard reports of 1,000 containers each, every shard holding
# a slice of the same containers (a full scan cut into 1,000 slices).
# "disjoint" gives every shard its own containers (a sampled scan cut by
# container): the merged report then holds SHARDS × CONTAINERS containers.
# The reports are written to a temporary directory first (about 1.8 KiB per
# container: 1.8 GB at the default size); that time is not in ns/op.
set -eu
cd "$(dirname "$0")/.."
shards=${1:-1000}
containers=${2:-1000}
mode=${3:-sliced}
bin=$(mktemp -d)/report.test
go test -c -o "$bin" ./report
out=$(mktemp)
PIISNIFF_MERGE_SHARDS=$shards PIISNIFF_MERGE_CONTAINERS=$containers PIISNIFF_MERGE_MODE=$mode \
	/usr/bin/time -v "$bin" -test.run '^$' -test.bench '^BenchmarkMergeShards$' -test.benchtime 1x >"$out" 2>&1 || {
	cat "$out"
	exit 1
}
grep -E '^BenchmarkMergeShards|Elapsed|Maximum resident|User time|System time' "$out"
rm -f "$out" "$bin"
