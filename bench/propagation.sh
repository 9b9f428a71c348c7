#!/usr/bin/env bash
# State propagation benchmark: N `turnout serve` processes (and N state followers in one JVM) on
# one state store; time from a change call returning to the new version applied on every
# instance (p50/p90/p99/max).
# Usage: bench/propagation.sh [--changes N] [--instances N] [--out FILE]
# Writes the section between <!-- propagation:start --> and <!-- propagation:end --> of FILE
# (default BENCHMARKS.md); other sections stay as they are. Instance logs: bench/out/propagation/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
CHANGES=300
INSTANCES=3
OUT=BENCHMARKS.md
while [[ $# -gt 0 ]]; do
    case "$1" in
        --changes) CHANGES=$2; shift 2 ;;
        --instances) INSTANCES=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        *) echo "propagation.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
# One reactor run: the sibling modules resolve to their fresh target/ outputs, never to ~/.m2.
# Each module writes its classpath to the file; bench is built last, so its classpath stays.
# proxy is in it for proxy/target/turnout.jar, the instances the benchmark starts.
mvn -B -q -Dstyle.color=never -Dmaven.test.skip=true -pl bench,proxy -am package dependency:build-classpath \
    -Dmdep.outputFile="$PWD/bench/target/propagation.classpath" >&2
CP="$(cat bench/target/propagation.classpath):bench/target/classes"
SECTION="$(mktemp)"
trap 'rm -f "$SECTION"' EXIT
java -cp "$CP" io.turnout.bench.control.PropagationBenchmark "$CHANGES" "$INSTANCES" \
    proxy/target/turnout.jar bench/out/propagation \
    | sed -n '/^<!-- propagation:start -->/,/^<!-- propagation:end -->/p' > "$SECTION"
[[ -s $SECTION ]] || { echo "propagation.sh: the benchmark printed no section" >&2; exit 1; }
sed -i "s/^Written by \`bench\/propagation.sh\` on \(.*\)\. PostgreSQL/Written by \`bench\/propagation.sh --changes $CHANGES --instances $INSTANCES\` on \1, commit \`$(git rev-parse --short HEAD)\`, $(nproc) CPUs. PostgreSQL/" "$SECTION"
if [[ -f $OUT ]] && grep -q '^<!-- propagation:start -->' "$OUT"; then
    awk -v sec="$SECTION" '
        /^<!-- propagation:start -->/ { while ((getline l < sec) > 0) print l; skip = 1; next }
        /^<!-- propagation:end -->/   { skip = 0; next }
        !skip { print }' "$OUT" > "$OUT.tmp" && mv "$OUT.tmp" "$OUT"
else
    { echo; cat "$SECTION"; } >> "$OUT"
fi
cat "$SECTION"
