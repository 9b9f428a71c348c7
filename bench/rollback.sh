#!/usr/bin/env bash
# Rollback latency benchmark: N `turnout serve` processes on one state store, a rename at reads
# 100% with clients reading continuously through every instance; time from the rollback call
# returning to the last read served by the new path on any instance (p50/p90/p99/max).
# Usage: bench/rollback.sh [--cycles N] [--instances N] [--readers N] [--pause-ms MS] [--out FILE]
# Writes the section between <!-- rollback:start --> and <!-- rollback:end --> of FILE (default
# BENCHMARKS.md); other sections stay as they are. Instance logs: bench/out/rollback/.
set -euo pipefail
BENCH_NAME=rollback.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"
CYCLES=100
INSTANCES=3
READERS=2
PAUSE_MS=1
OUT=BENCHMARKS.md
while [[ $# -gt 0 ]]; do
    case "$1" in
        --cycles) CYCLES=$2; shift 2 ;;
        --instances) INSTANCES=$2; shift 2 ;;
        --readers) READERS=$2; shift 2 ;;
        --pause-ms) PAUSE_MS=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        *) die "unknown option $1" ;;
    esac
done
CP=$(bench_classpath "$REPO/bench/target/rollback.classpath")
SECTION="$(mktemp)"
trap 'rm -f "$SECTION"' EXIT
java -Dbench.invocation="bench/rollback.sh --cycles $CYCLES --instances $INSTANCES --readers $READERS --pause-ms $PAUSE_MS" \
    -Dbench.commit="$(git rev-parse --short HEAD)" -cp "$CP" io.turnout.bench.control.RollbackBenchmark \
    "$CYCLES" "$INSTANCES" "$READERS" proxy/target/turnout.jar bench/out/rollback "$PAUSE_MS" \
    | sed -n '/^<!-- rollback:start -->/,/^<!-- rollback:end -->/p' > "$SECTION"
[[ -s $SECTION ]] || die "the benchmark printed no section"
write_section rollback "$SECTION" "$OUT"
cat "$SECTION"
