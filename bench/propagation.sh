#!/usr/bin/env bash
# State propagation benchmark: N `turnout serve` processes (and N state followers in one JVM) on
# one state store; time from a change call returning to the new version applied on every
# instance (p50/p90/p99/max).
# Usage: bench/propagation.sh [--changes N] [--instances N] [--out FILE]
# Writes the section between <!-- propagation:start --> and <!-- propagation:end --> of FILE
# (default BENCHMARKS.md); other sections stay as they are. Instance logs: bench/out/propagation/.
set -euo pipefail
BENCH_NAME=propagation.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO"
CHANGES=300
INSTANCES=3
OUT=BENCHMARKS.md
while [[ $# -gt 0 ]]; do
    case "$1" in
        --changes) CHANGES=$2; shift 2 ;;
        --instances) INSTANCES=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        *) die "unknown option $1" ;;
    esac
done
CP=$(bench_classpath "$PWD/bench/target/propagation.classpath")
SECTION="$(mktemp)"
trap 'rm -f "$SECTION"' EXIT
java -cp "$CP" io.turnout.bench.control.PropagationBenchmark "$CHANGES" "$INSTANCES" \
    proxy/target/turnout.jar bench/out/propagation \
    | sed -n '/^<!-- propagation:start -->/,/^<!-- propagation:end -->/p' > "$SECTION"
[[ -s $SECTION ]] || die "the benchmark printed no section"
sed -i "s/^Written by \`bench\/propagation.sh\` on \(.*\)\. PostgreSQL/Written by \`bench\/propagation.sh --changes $CHANGES --instances $INSTANCES\` on \1, commit \`$(git rev-parse --short HEAD)\`, $(nproc) CPUs. PostgreSQL/" "$SECTION"
write_section propagation "$SECTION" "$OUT"
cat "$SECTION"

