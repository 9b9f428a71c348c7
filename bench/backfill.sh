#!/usr/bin/env bash
# bench/backfill.sh — how fast a backfill and a verify run, and what a backfill costs the
# application, in one run: a single UPDATE of the same rows on a copy (the physical limit here),
# Turnout's backfill idle, Turnout's backfill under a pgbench write load through Turnout (with the
# application's p50/p99 latency against the same load without a backfill), and verify against a
# count(*) with the same expressions. Writes the backfill section of BENCHMARKS.md.
#
# Usage: bench/backfill.sh [--rows LIST] [--clients N] [--quick] [--out FILE] [--rebuild]
# Must run as root (PostgreSQL runs as postgres). See bench/README.md.

set -euo pipefail

BENCH_NAME=backfill.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROWS_ARG=1000000; CLIENTS=4; OUT=""; QUICK=0; REBUILD=0; BASE_SECONDS=20
usage() {
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --rows LIST    table sizes, comma-separated (default 1000000; e.g. 1000000,10000000)
  --clients N    pgbench clients of the write load through Turnout (default 4, -j 2)
  --quick        100,000 rows, writes bench/out/BENCHMARKS.quick.md
  --out FILE     report file (default: BENCHMARKS.md at the repo root)
  --rebuild      rebuild proxy/target/turnout.jar even if it exists
EOF
}
while [[ $# -gt 0 ]]; do
    case "$1" in
        --rows) ROWS_ARG=${2:?}; shift 2 ;;
        --clients) CLIENTS=${2:?}; shift 2 ;;
        --quick) QUICK=1; shift ;;
        --out) OUT=${2:?}; shift 2 ;;
        --rebuild) REBUILD=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done
if [[ $QUICK == 1 ]]; then
    ROWS_ARG=100000; BASE_SECONDS=5; OUT=${OUT:-$REPO/bench/out/BENCHMARKS.quick.md}
else
    OUT=${OUT:-$REPO/BENCHMARKS.md}
fi
IFS=',' read -r -a ROWS_LIST <<<"$ROWS_ARG"
for n in "${ROWS_LIST[@]}"; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "bad row count '$n'"; done
[[ $CLIENTS =~ ^[1-9][0-9]*$ ]] || die "--clients must be a positive integer"
require_root_pg

TMP=""; SERVE_PID=""; LOAD_PID=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    [[ -n $LOAD_PID ]] && kill "$LOAD_PID" 2>/dev/null
    stop_pid "Turnout" "$SERVE_PID"
    cleanup_common
    [[ $rc != 0 ]] && log "exit status $rc"
    exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

ensure_jar
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN_DIR=$REPO/bench/out/backfill-$STAMP
mkdir -p "$RUN_DIR"
CMDS=$RUN_DIR/commands.txt
: >"$CMDS"
TMP=$(mktemp -d /tmp/turnout-backfill.XXXXXX)
chown postgres: "$TMP"; chmod 700 "$TMP"
pg_start
turnout_copy
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
timed_sql() {   # timed_sql DB SQL — runs it, prints its wall seconds
    local t0 t1
    echo "psql -d $1 -c \"$2\"" >>"$CMDS"
    t0=$(now); "${PSQL[@]}" -d "$1" -c "$2" >/dev/null; t1=$(now)
    elapsed "$t0" "$t1"
}
cli() {   # cli ARGS… — the operator's CLI; prints its output, also kept in the run's journey
    echo "\$ turnout $*" >>"$RUN_DIR/journey.txt"
    echo "java -jar turnout.jar $*" >>"$CMDS"
    java -jar "$TURNOUT_JAR" "$@" 2>>"$TMP/cli.err" | tee -a "$RUN_DIR/journey.txt" ||
        { cat "$TMP/cli.err" >&2; die "turnout $* failed"; }
}
percentiles() {   # percentiles FROM TO LOGS… — p50 and p99 (ms) of pgbench -l latencies (FROM/TO: epoch s, or "")
    local from=$1 to=$2; shift 2
    cat "$@" | awk -v from="$from" -v to="$to" '
        { t = $5 + $6 / 1e6; if ((from == "" || t >= from) && (to == "" || t <= to)) printf "%.3f\n", $3 / 1000 }' |
        sort -n | awk '{ v[n++] = $1 } END { if (n == 0) print "— —"; else printf "%.2f %.2f\n", v[int(n * 0.50)], v[int(n * 0.99)] }'
}
job_seconds() {   # job_seconds JSON — a finished job's own duration, from its started_at and finished_at
    local a b
    a=$(sed -n 's/.*"started_at" *: *"\([^"]*\)".*/\1/p' <<<"$1" | head -1)
    b=$(sed -n 's/.*"finished_at" *: *"\([^"]*\)".*/\1/p' <<<"$1" | head -1)
    elapsed "$(date -d "$a" +%s.%N)" "$(date -d "$b" +%s.%N)"
}

SCRIPT=$RUN_DIR/load.sql
cat >"$SCRIPT" <<'EOF'
\set id random(1, :rows)
\set r random(1, 10)
\if :r = 1
INSERT INTO users_b (email, name) VALUES ('new' || :id::text || '@example.org', 'New User');
\else
UPDATE users_b SET email = 'user' || :id::text || '@example.org' WHERE id = :id;
\endif
EOF

ROWS_TSV=$RUN_DIR/results.tsv
printf 'rows\tupdate_s\tbackfill_idle_s\tbackfill_load_s\tbase_p50\tbase_p99\tload_p50\tload_p99\tverify_s\tcount_s\tload_tps_base\tload_tps_during\n' >"$ROWS_TSV"
for N in "${ROWS_LIST[@]}"; do
    DB=bf$N
    log "== $N rows: database $DB"
    "${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB"
    for t in users_a users_b users_copy; do
        "${PSQL[@]}" -d "$DB" -c "CREATE TABLE $t (id bigserial PRIMARY KEY, email varchar(255) NOT NULL, name text, created_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO $t (email, name) SELECT 'user' || i || '@example.com', 'User ' || i FROM generate_series(1, $N) i;"
        "${PSQL[@]}" -d "$DB" -c "VACUUM ANALYZE $t"
    done
    echo "CREATE DATABASE $DB; users_a, users_b, users_copy (id bigserial PRIMARY KEY, email varchar(255) NOT NULL, name text, created_at timestamptz), $N rows each" >>"$CMDS"

    # The physical limit: one UPDATE of every row on a copy (no batches, no checkpoints).
    "${PSQL[@]}" -d "$DB" -c "ALTER TABLE users_copy ADD COLUMN email_address varchar(255)"
    UPDATE_S=$(timed_sql "$DB" "UPDATE users_copy SET email_address = email")
    log "  single UPDATE of $N rows: ${UPDATE_S} s"

    PORT=$(free_port); ADMIN_PORT=$(free_port)
    export TURNOUT_ADMIN_URL=http://127.0.0.1:$ADMIN_PORT
    TURNOUT_ADMIN_TOKEN=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'); export TURNOUT_ADMIN_TOKEN
    cat >"$TMP/plan.yaml" <<EOF
# Written by bench/backfill.sh.
listen: 127.0.0.1:$PORT
admin: { listen: 127.0.0.1:$ADMIN_PORT, token: "\${TURNOUT_ADMIN_TOKEN}" }
backends:
  primary: postgresql://postgres@127.0.0.1:$PGPORT/$DB
migrations:
  - { id: rename-a, kind: rename_column, table: public.users_a, from: email, to: email_address }
  - { id: rename-b, kind: rename_column, table: public.users_b, from: email, to: email_address }
EOF
    cp "$TMP/plan.yaml" "$RUN_DIR/plan-$N.yaml"
    echo "java -jar turnout.jar serve --config plan-$N.yaml" >>"$CMDS"
    java "${TURNOUT_JAVA_ARGS[@]}" -jar "$TURNOUT_JAR" serve --config "$TMP/plan.yaml" >"$TMP/serve-$N.log" 2>&1 &
    SERVE_PID=$!
    OUR_PIDS=("$SERVE_PID")
    wait_sql "$PORT" 60 "$SERVE_PID" "$DB" || { tail -30 "$TMP/serve-$N.log" >&2; die "Turnout did not start"; }
    for _ in $(seq 1 150); do curl -fs "$TURNOUT_ADMIN_URL/readyz" >/dev/null && break; sleep 0.2; done
    for m in rename-a rename-b; do cli expand "$m" >/dev/null; cli dual-write "$m" on >/dev/null; done

    # Idle: the backfill alone.
    out=$(cli backfill rename-a)
    BACKFILL_IDLE_S=$(sed -n 's/.*written, in \([0-9.]*\) s.*/\1/p' <<<"$out" | head -1)
    log "  backfill idle: ${BACKFILL_IDLE_S} s"
    COUNT_S=$(timed_sql "$DB" "SELECT count(*) FROM users_a WHERE email_address IS DISTINCT FROM (email)::varchar(255) OR email IS DISTINCT FROM (email_address)::varchar(255)")
    VERIFY_S=$(job_seconds "$(cli verify rename-a --json)")
    log "  verify: ${VERIFY_S} s (count(*) with the same expressions: ${COUNT_S} s)"

    # The application's load alone, through Turnout (dual-write on), then with the backfill.
    PGB=("$PG_BIN/pgbench" -n -f "$SCRIPT" -D "rows=$N" -M prepared -c "$CLIENTS" -j 2 -h 127.0.0.1 -p "$PORT" -U postgres)
    echo "${PGB[*]} -T $BASE_SECONDS -l $DB    # without a backfill" >>"$CMDS"
    (cd "$TMP" && "${PGB[@]}" -T "$BASE_SECONDS" -l --log-prefix="base$N" "$DB" >"$RUN_DIR/load-base-$N.log" 2>&1)
    read -r BASE_P50 BASE_P99 <<<"$(percentiles "" "" "$TMP"/base$N.*)"
    BASE_TPS=$(awk '/^tps = /{printf "%.0f", $3; exit}' "$RUN_DIR/load-base-$N.log")
    LOAD_SECONDS=$(awk -v s="$BACKFILL_IDLE_S" 'BEGIN { printf "%d", s * 4 + 15 }')
    echo "${PGB[*]} -T $LOAD_SECONDS -l $DB    # during turnout backfill rename-b" >>"$CMDS"
    (cd "$TMP" && "${PGB[@]}" -T "$LOAD_SECONDS" -l --log-prefix="load$N" "$DB" >"$RUN_DIR/load-during-$N.log" 2>&1) &
    LOAD_PID=$!
    sleep 3
    b0=$(now); out=$(cli backfill rename-b); b1=$(now)
    BACKFILL_LOAD_S=$(sed -n 's/.*written, in \([0-9.]*\) s.*/\1/p' <<<"$out" | head -1)
    wait "$LOAD_PID" || log "  the load's pgbench failed (see $RUN_DIR/load-during-$N.log)"
    LOAD_PID=""
    read -r LOAD_P50 LOAD_P99 <<<"$(percentiles "$b0" "$b1" "$TMP"/load$N.*)"
    DURING_TPS=$(cat "$TMP"/load$N.* | awk -v from="$b0" -v to="$b1" '{ t = $5 + $6 / 1e6; if (t >= from && t <= to) n++ }
        END { printf "%.0f", (to > from) ? n / (to - from) : 0 }')
    log "  backfill under load: ${BACKFILL_LOAD_S} s; app p50/p99 ${BASE_P50}/${BASE_P99} ms without, ${LOAD_P50}/${LOAD_P99} ms during"
    out=$(cli verify rename-b)
    grep -q "drift 0" <<<"$out" || die "verify of rename-b after the loaded backfill found drift: $out"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$N" "$UPDATE_S" "$BACKFILL_IDLE_S" "$BACKFILL_LOAD_S" \
        "$BASE_P50" "$BASE_P99" "$LOAD_P50" "$LOAD_P99" "$VERIFY_S" "$COUNT_S" "$BASE_TPS" "$DURING_TPS" >>"$ROWS_TSV"
    stop_pid "Turnout" "$SERVE_PID"; SERVE_PID=""
    "${PSQL[@]}" -d postgres -c "DROP DATABASE $DB"
done

SECTION=$RUN_DIR/section.md
{
    echo "<!-- backfill:start -->"
    echo "## Backfill and verify: against one UPDATE, idle and under the application's writes"
    echo
    echo "Generated by \`bench/backfill.sh$( [[ $QUICK == 1 ]] && echo " --quick")$( [[ $QUICK != 1 && $ROWS_ARG != 1000000 ]] && echo " --rows $ROWS_ARG")$( [[ $CLIENTS != 4 ]] && echo " --clients $CLIENTS")\` — do not edit by hand."
    [[ $QUICK == 1 ]] && echo && echo "**Quick smoke run: not a measurement to quote.**"
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(machine_summary)"
    echo "- PostgreSQL: $("$PG_BIN/postgres" --version) ($PG_CONF_SUMMARY, autovacuum off); Turnout: $TURNOUT_REV"
    echo "- Tables \`users_a\`, \`users_b\`, \`users_copy\`: \`(id bigserial PRIMARY KEY, email varchar(255) NOT NULL, name text, created_at timestamptz)\`, N rows each."
    echo "  The plan renames \`email\` → \`email_address\` in \`users_a\` and \`users_b\`; both are expanded and dual-write is on before measuring."
    echo "- **single UPDATE**: \`UPDATE users_copy SET email_address = email\` after adding the column, one statement (the physical limit)."
    echo "- **backfill idle**: \`turnout backfill rename-a\` (default limits: batches sized toward 50 ms), its own \"in … s\"."
    echo "- **under load**: \`turnout backfill rename-b\` while pgbench (\`-M prepared -c $CLIENTS -j 2\`, through Turnout: 9 updates of a random row's \`email\`"
    echo "  for 1 insert, all dual-written) writes the same table; the application's latency percentiles come from pgbench's per-transaction log, during the"
    echo "  backfill against a ${BASE_SECONDS} s run of the same load without it."
    echo "- **verify**: \`turnout verify rename-a\` (the job's own time, started_at to finished_at; default chunks of 1,000 rows) against a \`count(*)\` with the"
    echo "  same comparison on the same table."
    echo
    echo "| rows | single UPDATE s | backfill idle s | **idle/UPDATE** | idle rows/s | backfill under load s | app p50 ms without / during | app p99 ms without / during | **p99 during/without** | app TPS without / during | verify s | count(*) s | **verify/count** |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' 'NR > 1 {
        r = ($2 > 0) ? $3 / $2 : 0; v = ($10 > 0) ? $9 / $10 : 0; p = ($6 > 0) ? $8 / $6 : 0
        printf "| %d | %.2f | %.2f | **%.2f×** | %.0f | %.2f | %s / %s | %s / %s | **%.2f×** | %s / %s | %.2f | %.2f | **%.2f×** |\n", \
            $1, $2, $3, r, ($3 > 0 ? $1 / $3 : 0), $4, $5, $7, $6, $8, p, $11, $12, $9, $10, v
        if (r > 1.5) miss = miss sprintf("; %d rows: idle backfill %.2f× the UPDATE (target ≤ 1.5×)", $1, r)
        if (p > 2) miss = miss sprintf("; %d rows: p99 during %.2f× without (target ≤ 2×)", $1, p)
        if (v > 2) miss = miss sprintf("; %d rows: verify %.2f× count(*) (target ≤ 2×)", $1, v)
      }
      END { print ""; if (miss == "") print "**Verdict: MET** — idle backfill ≤ 1.5× one UPDATE, application p99 during a backfill ≤ 2× without, verify ≤ 2× count(*)."
            else print "**Verdict: NOT MET**" substr(miss, 2) "." }' "$ROWS_TSV"
    echo
    echo "Commands (raw outputs in \`bench/out/backfill-$STAMP/\`):"
    echo
    echo '```'
    cat "$CMDS"
    echo '```'
    echo "<!-- backfill:end -->"
} >"$SECTION"
write_section backfill "$SECTION" "$OUT"
log "wrote $OUT (raw outputs: $RUN_DIR)"
sed -n '/^| rows/,/^\*\*Verdict/p' "$SECTION" >&2
