#!/usr/bin/env bash
# bench/jmh.sh — JMH benchmarks of the router (pre-filter, cached decision, cold analysis and
# rewrite per statement class) over the shared corpus, and the JMH section of BENCHMARKS.md.
#
# Usage: bench/jmh.sh [--quick] [--out FILE] [--jmh "extra JMH options"]
#   --quick   smoke run (1 warm-up and 2 measurement iterations of 0.5 s); writes
#             bench/out/BENCHMARKS.quick.md unless --out is given
#   --out     report file (default: BENCHMARKS.md at the repository root)
# Needs: JDK 17, Maven, jq. Writes raw results to bench/out/jmh-router.json. Only the text
# between <!-- jmh:start --> and <!-- jmh:end --> is replaced; other sections stay as they are.

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
QUICK=0
OUT=""
EXTRA=""
while [[ $# -gt 0 ]]; do
    case $1 in
        --quick) QUICK=1; shift ;;
        --out) OUT=$2; shift 2 ;;
        --jmh) EXTRA=$2; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "jmh.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [[ -z $OUT ]]; then
    if [[ $QUICK == 1 ]]; then OUT=$REPO/bench/out/BENCHMARKS.quick.md; else OUT=$REPO/BENCHMARKS.md; fi
fi
if ! command -v jq >/dev/null; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        echo "jmh.sh: installing jq" >&2
        apt-get update -qq && apt-get install -y -qq jq >/dev/null
    else
        echo "jmh.sh: jq is required (apt-get install jq)" >&2; exit 1
    fi
fi

cd "$REPO"
mkdir -p bench/out
echo "jmh.sh: building router and bench" >&2
mvn -B -q -pl bench -am install -DskipTests
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
mvn -B -q -pl bench dependency:build-classpath -Dmdep.outputFile="$CP_FILE" >/dev/null
CP="bench/target/classes:$(cat "$CP_FILE")"

JSON=bench/out/jmh-router.json
OPTS=(-rf json -rff "$JSON")
if [[ $QUICK == 1 ]]; then
    OPTS+=(-wi 1 -i 2 -w 500ms -r 500ms -f 1)
fi
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
echo "jmh.sh: running JMH (io.turnout.bench.router)" >&2
# shellcheck disable=SC2086
java -cp "$CP" org.openjdk.jmh.Main 'io\.turnout\.bench\.router\..*' "${OPTS[@]}" $EXTRA

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
short() { sed -E 's/io\.turnout\.bench\.router\.//'; }

SECTION=$(mktemp)
{
    echo "<!-- jmh:start -->"
    echo "## Router (JMH)"
    echo
    echo "Written by \`bench/jmh.sh\`$([[ $QUICK == 1 ]] && echo ' --quick (smoke run, not for comparison)') on $(date -u '+%Y-%m-%d %H:%M UTC')," \
         "commit \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`," \
         "$(java -version 2>&1 | head -1 | tr -d '"'), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //' || echo unknown))."
    echo "Load average before/after: $LOAD_BEFORE / $LOAD_AFTER (other processes share the CPUs; the"
    echo "best iteration is shown next to the mean because preemption inflates means and errors)."
    echo "Corpus: shared/corpus with \`rename_column users.email → email_address\` and"
    echo "\`transform_column users.name → first_name, last_name\` both in phase \`reads\`."
    echo
    echo "| what | benchmark | result | target |"
    echo "|---|---|---|---|"
    jq -r '
      .[] | select(.mode == "avgt") |
      [ (if (.benchmark | test("PreFilter")) then "pass-through (statement names no managed table), per statement"
         else "cached decision (statement on users), per statement" end),
        .benchmark,
        ("mean " + (.primaryMetric.score * 10 | round / 10 | tostring) + " ± " + (.primaryMetric.scoreError * 10 | round / 10 | tostring) + " " + .primaryMetric.scoreUnit
         + ", best iteration " + ([.primaryMetric.rawData[][]] | min * 10 | round / 10 | tostring)),
        (if (.benchmark | test("PreFilter")) then "≤ 200 ns/op" else "≤ 1000 ns/op" end) ]
      | "| " + join(" | ") + " |"' "$JSON" | short
    jq -r '
      .[] | select(.mode == "sample") |
      [ "cold analysis + rewrite, class " + .params.statementClass,
        .benchmark,
        ("p50 " + (.primaryMetric.scorePercentiles["50.0"] * 10 | round / 10 | tostring) + " " + .primaryMetric.scoreUnit
         + ", p90 " + (.primaryMetric.scorePercentiles["90.0"] * 10 | round / 10 | tostring)
         + ", p99 " + (.primaryMetric.scorePercentiles["99.0"] * 10 | round / 10 | tostring)
         + ", mean " + (.primaryMetric.score * 10 | round / 10 | tostring)),
        "median ≤ 100 µs" ]
      | "| " + join(" | ") + " |"' "$JSON" | short
    echo
    echo "Pass-through is the whole \`Router.decide\` path for a statement that names no managed"
    echo "table (active-migration check and the allocation-free substring scan). The cached decision"
    echo "hashes a fresh copy of the statement text, as a proxy decodes it from each message. Cold"
    echo "analysis is \`Router.explain\` (no cache): tokenise, parse with JSqlParser, resolve scopes and"
    echo "rewrite (both variants for a routed read); sampled per statement, so p50 is the median over"
    echo "the corpus statements on \`users\`. Raw results: \`bench/out/jmh-router.json\`."
    echo "<!-- jmh:end -->"
} > "$SECTION"

if [[ -f $OUT ]] && grep -q '^<!-- jmh:start -->' "$OUT" && grep -q '^<!-- jmh:end -->' "$OUT"; then
    TMP=$(mktemp)
    awk -v sec="$SECTION" '
        /^<!-- jmh:start -->/ { while ((getline l < sec) > 0) print l; skip = 1; next }
        /^<!-- jmh:end -->/   { skip = 0; next }
        !skip { print }' "$OUT" > "$TMP"
    cat "$TMP" > "$OUT"
    rm -f "$TMP"
else
    {
        if [[ -f $OUT ]]; then
            cat "$OUT"
        else
            echo "# Turnout benchmarks"
            echo
            echo "Each section below is written by a script in \`bench/\` (see bench/README.md) and replaced on its next run; do not edit by hand."
        fi
        echo
        cat "$SECTION"
    } > "$OUT.new"
    mv "$OUT.new" "$OUT"
fi
rm -f "$SECTION"
echo "jmh.sh: wrote the JMH section of $OUT" >&2
