#!/usr/bin/env bash
# bench/migrated.sh — pgbench on a table under migration, in one run: direct PostgreSQL (no
# migration), Turnout pass-through (no migration) and Turnout with a rename (users.email →
# email_address) in dual-write and 50% of reads on the new path, driven through `turnout serve`'s
# admin API with the CLI as an operator would (expand, dual-write on, backfill, verify, reads 50).
#
# A custom pgbench script (point select, update of the renamed column, one insert in ten) runs in
# simple and prepared mode at -c 16 -j 2 and -c 1, targets interleaved, medians over rounds, and
# the migrated section of BENCHMARKS.md is written. Everything it starts is stopped on exit.
#
# Usage: bench/migrated.sh [--duration S] [--rounds N] [--warmup S] [--rows N] [--modes LIST]
#                          [--clients LIST] [--baseline REV] [--pairs N] [--quick] [--out FILE] [--rebuild]
# Must run as root (PostgreSQL runs as postgres). See bench/README.md.

set -euo pipefail

BENCH_NAME=migrated.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
MIGRATION=rename-email
declare -A JOBS=([16]=2 [1]=1)
declare -A LABEL=([direct]=direct [passthrough]="Turnout pass-through" [migrated]="Turnout migrated" [baseline]="pass-through before issue 7")

DURATION=""; WARMUP=""; OUT=""; QUICK=0; ROUNDS=3; ROWS=100000; REBUILD=0; PAIRS=
MODES_ARG=simple,prepared; CLIENTS_ARG=16,1; BASELINE=""

usage() {
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --duration S     seconds per measured pgbench run (default 15; 5 with --quick)
  --rounds N       every measurement N times, medians reported (default 3; 1 with --quick)
  --warmup S       unmeasured seconds per target and mode before measuring (default 10; 3 with --quick)
  --rows N         rows in users (default 100000)
  --modes LIST     pgbench -M modes (default simple,prepared; extended works too)
  --clients LIST   client counts (default 16,1; 16 runs with -j 2)
  --baseline REV   also measure pass-through with turnout.jar built from REV (e.g. 56e92d1, the
                   last commit before issue 7's wire changes): "not slower than before"
  --pairs N        with --baseline: N paired rounds per mode where pass-through and the baseline
                   run at the same time (half the clients each), so both see the same load; the
                   "not slower" verdict comes from these (default 5; 1 with --quick)
  --quick          smoke run, writes bench/out/BENCHMARKS.quick.md
  --out FILE       report file (default: BENCHMARKS.md at the repo root)
  --rebuild        rebuild proxy/target/turnout.jar even if it exists
Environment: PG_BIN (default /usr/lib/postgresql/15/bin), TURNOUT_JAVA_OPTS (extra JVM flags).
EOF
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --duration) DURATION=${2:?}; shift 2 ;;
        --rounds) ROUNDS=${2:?}; shift 2 ;;
        --warmup) WARMUP=${2:?}; shift 2 ;;
        --rows) ROWS=${2:?}; shift 2 ;;
        --modes) MODES_ARG=${2:?}; shift 2 ;;
        --clients) CLIENTS_ARG=${2:?}; shift 2 ;;
        --baseline) BASELINE=${2:?}; shift 2 ;;
        --pairs) PAIRS=${2:?}; shift 2 ;;
        --quick) QUICK=1; shift ;;
        --out) OUT=${2:?}; shift 2 ;;
        --rebuild) REBUILD=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done
if [[ $QUICK == 1 ]]; then
    DURATION=${DURATION:-5}; WARMUP=${WARMUP:-3}; OUT=${OUT:-$REPO/bench/out/BENCHMARKS.quick.md}; ROUNDS=1; PAIRS=${PAIRS:-1}
else
    # A JVM's first 20 s cost it 10-18% more CPU per transaction (JIT): warm up past that.
    DURATION=${DURATION:-15}; WARMUP=${WARMUP:-30}; OUT=${OUT:-$REPO/BENCHMARKS.md}; PAIRS=${PAIRS:-5}
fi
[[ $PAIRS =~ ^[0-9]+$ ]] || die "--pairs must be a non-negative integer"
[[ $DURATION =~ ^[1-9][0-9]*$ && $ROUNDS =~ ^[1-9][0-9]*$ && $WARMUP =~ ^[0-9]+$ && $ROWS =~ ^[1-9][0-9]*$ ]] ||
    die "--duration, --rounds and --rows must be positive integers, --warmup a non-negative one"
IFS=',' read -r -a MODES <<<"$MODES_ARG"
IFS=',' read -r -a CLIENTS <<<"$CLIENTS_ARG"
for m in "${MODES[@]}"; do [[ $m =~ ^(simple|extended|prepared)$ ]] || die "unknown mode '$m'"; done
for c in "${CLIENTS[@]}"; do [[ $c =~ ^[1-9][0-9]*$ ]] || die "bad client count '$c'"; done
TARGETS=(direct passthrough migrated)
[[ -n $BASELINE ]] && TARGETS+=(baseline)
require_root_pg
command -v curl >/dev/null || die "curl is required (admin API /metrics)"

# ---------------------------------------------------------------------------------------------
TMP=""; PASS_PID=""; MIG_PID=""; BASE_PID=""
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    stop_pid "Turnout pass-through" "$PASS_PID"
    stop_pid "Turnout migrated" "$MIG_PID"
    stop_pid "Turnout baseline" "$BASE_PID"
    cleanup_common
    [[ $rc != 0 ]] && log "exit status $rc"
    exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

ensure_jar
BASELINE_JAR=""
if [[ -n $BASELINE ]]; then   # built once per commit from `git archive`, kept in bench/out/
    BASELINE_SHA=$(git -C "$REPO" rev-parse --short "$BASELINE^{commit}") || die "unknown revision $BASELINE"
    BASELINE_JAR=$REPO/bench/out/turnout-$BASELINE_SHA.jar
    if [[ ! -f $BASELINE_JAR ]]; then
        src=$(mktemp -d /tmp/turnout-baseline.XXXXXX)
        log "building turnout.jar at $BASELINE_SHA (git archive into $src; mvn -o, then online if that fails)"
        git -C "$REPO" archive "$BASELINE_SHA" | tar -x -C "$src"
        (cd "$src" && { mvn -B -q -o -DskipTests package -pl proxy -am >&2 || mvn -B -q -DskipTests package -pl proxy -am >&2; }) ||
            { rm -rf "$src"; die "building $BASELINE_SHA failed"; }
        mkdir -p "$REPO/bench/out"; cp "$src/proxy/target/turnout.jar" "$BASELINE_JAR"; rm -rf "$src"
    fi
fi

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN_DIR=$REPO/bench/out/migrated-$STAMP
mkdir -p "$RUN_DIR"
RESULTS=$RUN_DIR/results.tsv
echo "$RESULTS_HEADER" >"$RESULTS"
CMDS=$RUN_DIR/commands.txt
: >"$CMDS"
TMP=$(mktemp -d /tmp/turnout-migrated.XXXXXX)
chown postgres: "$TMP"; chmod 700 "$TMP"

pg_start
PSQL=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres)
# Two identical databases: `plain` (direct and pass-through: no migration, no new column) and
# `migrated` (the one Turnout's plan manages). The same script runs on both.
for db in plain migrated; do
    "${PSQL[@]}" -d postgres -c "CREATE DATABASE $db"
    "${PSQL[@]}" -d "$db" -v rows="$ROWS" >/dev/null <<'SQL'
CREATE TABLE users (
  id         bigserial PRIMARY KEY,
  email      varchar(255) NOT NULL,
  name       text,
  created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO users (email, name)
SELECT 'user' || i || '@example.com', 'User ' || i FROM generate_series(1, :rows) AS i;
VACUUM ANALYZE users;
SQL
done
echo "CREATE DATABASE plain; CREATE DATABASE migrated; in each: users (id bigserial PRIMARY KEY, email varchar(255) NOT NULL, name text, created_at timestamptz), $ROWS rows" >>"$CMDS"

SCRIPT=$RUN_DIR/workload.sql
cat >"$SCRIPT" <<'EOF'
\set id random(1, :rows)
\set other random(1, :rows)
\set r random(1, 10)
SELECT id, email, name FROM users WHERE id = :id;
UPDATE users SET email = 'user' || :other::text || '@example.org' WHERE id = :other;
\if :r = 1
INSERT INTO users (email, name) VALUES ('new' || :id::text || '@example.org', 'New User');
\endif
EOF

declare -A PORT=([direct]=$PGPORT) DB=([direct]=plain [passthrough]=plain [baseline]=plain [migrated]=migrated)
turnout_copy

start_serve() {   # start_serve VAR JAR LOG ARGS... — starts turnout, sets VAR to its pid
    local var=$1 jar=$2 logf=$3; shift 3
    local cmd=(java "${TURNOUT_JAVA_ARGS[@]}" -jar "$jar" serve "$@")
    log "starting ${cmd[*]}"
    echo "${cmd[*]}" >>"$CMDS"
    "${cmd[@]}" >"$logf" 2>&1 &
    printf -v "$var" '%s' $!
}
PORT[passthrough]=$(free_port)
start_serve PASS_PID "$TURNOUT_JAR" "$TMP/turnout-passthrough.log" \
    --listen "127.0.0.1:${PORT[passthrough]}" --backend "postgresql://postgres@127.0.0.1:$PGPORT/plain"
if [[ -n $BASELINE ]]; then
    cp "$BASELINE_JAR" "$TMP/turnout-baseline.jar"
    PORT[baseline]=$(free_port)
    start_serve BASE_PID "$TMP/turnout-baseline.jar" "$TMP/turnout-baseline.log" \
        --listen "127.0.0.1:${PORT[baseline]}" --backend "postgresql://postgres@127.0.0.1:$PGPORT/plain"
fi
PORT[migrated]=$(free_port)
ADMIN_PORT=$(free_port)
export TURNOUT_ADMIN_URL=http://127.0.0.1:$ADMIN_PORT
TURNOUT_ADMIN_TOKEN=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'); export TURNOUT_ADMIN_TOKEN
cat >"$TMP/turnout.yaml" <<EOF
# Written by bench/migrated.sh.
listen: 127.0.0.1:${PORT[migrated]}
admin: { listen: 127.0.0.1:$ADMIN_PORT, token: "\${TURNOUT_ADMIN_TOKEN}" }
backends:
  primary: postgresql://postgres@127.0.0.1:$PGPORT/migrated
migrations:
  - id: $MIGRATION
    kind: rename_column
    table: public.users
    from: email
    to: email_address
EOF
cp "$TMP/turnout.yaml" "$RUN_DIR/turnout.yaml"
start_serve MIG_PID "$TURNOUT_JAR" "$TMP/turnout-migrated.log" --config "$TMP/turnout.yaml"
OUR_PIDS=("$PASS_PID" "$MIG_PID" "$BASE_PID")
proxy_pid() {
    case $1 in passthrough) echo "$PASS_PID" ;; migrated) echo "$MIG_PID" ;; baseline) echo "$BASE_PID" ;; *) echo "" ;; esac
}
for t in passthrough migrated baseline; do
    [[ -n ${PORT[$t]:-} ]] || continue
    wait_sql "${PORT[$t]}" 60 "$(proxy_pid "$t")" "${DB[$t]}" ||
        { tail -30 "$TMP/turnout-$t.log" >&2; die "Turnout ($t) did not accept connections (log above)"; }
done
for _ in $(seq 1 150); do curl -fs "$TURNOUT_ADMIN_URL/readyz" >/dev/null && break; sleep 0.2; done
curl -fs "$TURNOUT_ADMIN_URL/readyz" >/dev/null || { tail -30 "$TMP/turnout-migrated.log" >&2; die "the admin API is not ready"; }

# ---- the operator's journey, through the CLI ----
JOURNEY=$RUN_DIR/journey.txt
: >"$JOURNEY"
cli() {   # the CLI as an operator runs it; its output goes to the journey log
    echo "\$ turnout $*" >>"$JOURNEY"
    echo "java -jar turnout.jar $*    # TURNOUT_ADMIN_URL=$TURNOUT_ADMIN_URL" >>"$CMDS"
    java -jar "$TURNOUT_JAR" "$@" >>"$JOURNEY" 2>"$TMP/cli.err" ||
        { cat "$JOURNEY" "$TMP/cli.err" >&2; die "turnout $* failed"; }
}
log "journey: expand, dual-write on, backfill, verify, reads 50"
cli expand "$MIGRATION"
cli dual-write "$MIGRATION" on
cli backfill "$MIGRATION"
cli verify "$MIGRATION"
cli reads "$MIGRATION" 50
cli status "$MIGRATION"
sed 's/^/    /' "$JOURNEY" >&2

pgbench_cmd() {   # pgbench_cmd TARGET MODE CLIENTS SECONDS
    local target=$1 mode=$2 c=$3 secs=$4
    printf '%s\n' "$PG_BIN/pgbench" -n -r -f "$SCRIPT" -D "rows=$ROWS" -M "$mode" -c "$c" -j "${JOBS[$c]:-1}" \
        -T "$secs" -h 127.0.0.1 -p "${PORT[$target]}" -U postgres "${DB[$target]}"
}
before_block() {   # the same dead-tuple state for every block (autovacuum is off)
    "${PSQL[@]}" -d plain -c 'VACUUM users' && "${PSQL[@]}" -d migrated -c 'VACUUM users'
}

# /metrics of the migrated instance after each of its runs: the deltas say what one run cost the
# router (decision cache hits and misses, planning time of simple-protocol Queries).
scrape() { curl -fs -H "Authorization: Bearer $TURNOUT_ADMIN_TOKEN" "$TURNOUT_ADMIN_URL/metrics" >"$1" || : >"$1"; }
ROUTER=$RUN_DIR/router.tsv
printf 'mode\tclients\tround\tcache_hit\tcache_miss\tplanned\tplanning_s\n' >"$ROUTER"
metric() {   # metric FILE REGEX — sum of the matching samples
    awk -v re="$2" '$0 !~ /^#/ && $1 ~ re { s += $NF } END { printf "%.6f", s }' "$1"
}
router_counters() { printf '%s %s %s %s' "$(metric "$1" '^turnout_router_cache_total.*result="hit"')" \
    "$(metric "$1" '^turnout_router_cache_total.*result="miss"')" "$(metric "$1" '^turnout_query_planning_seconds_count')" \
    "$(metric "$1" '^turnout_query_planning_seconds_sum')"; }
after_measure() {
    [[ $1 == migrated ]] || return 0
    local prev=$TMP/metrics-prev.txt cur=$TMP/metrics-cur.txt a b
    scrape "$cur"
    read -r -a a <<<"$(router_counters "$prev")"; read -r -a b <<<"$(router_counters "$cur")"
    printf '%s\t%s\t%s\t%.0f\t%.0f\t%.0f\t%.6f\n' "$2" "$3" "$4" "$(bc <<<"${b[0]} - ${a[0]}")" "$(bc <<<"${b[1]} - ${a[1]}")" \
        "$(bc <<<"${b[2]} - ${a[2]}")" "$(bc <<<"${b[3]} - ${a[3]}")" >>"$ROUTER"
    mv -f "$cur" "$prev"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
n_runs=$(( ${#CLIENTS[@]} * ${#MODES[@]} * ROUNDS * ${#TARGETS[@]} ))
log "measuring: ${TARGETS[*]}, ${DURATION}s, $ROUNDS round(s), $n_runs runs (~$(( (n_runs * (DURATION + 1) + WARMUP * (1 + (${#TARGETS[@]} - 1) * ${#MODES[@]})) / 60 )) min); load $LOAD_BEFORE"
warmup direct "${MODES[0]}"
for t in "${TARGETS[@]}"; do
    [[ $t == direct ]] && continue
    for m in "${MODES[@]}"; do warmup "$t" "$m"; done
done
scrape "$TMP/metrics-prev.txt"
measure_interleaved

# ---- pass-through against the baseline, side by side ----
# Sequential runs on 2 shared CPUs vary by a third from one to the next (other load, JIT, dead
# tuples), far more than the difference asked about. Run at the same time against the same
# database, both proxies see the same conditions, and the ratio of their TPS in one round is a
# fair comparison; the order they start in alternates.
PAIRS_TSV=$RUN_DIR/pairs.tsv
printf 'mode\tclients_each\tround\tpassthrough_tps\tbaseline_tps\tpassthrough_cpu_us\tbaseline_cpu_us\n' >"$PAIRS_TSV"
measure_pair() {   # measure_pair MODE CLIENTS ROUND — CLIENTS/2 each (at least 1)
    local m=$1 r=$3 t argv pids=() logs=() cpu0=() cpu1=() order=(passthrough baseline)
    local each=$(( $2 / 2 > 0 ? $2 / 2 : 1 ))
    (( r % 2 == 0 )) && order=(baseline passthrough)
    "${PSQL[@]}" -d plain -c 'VACUUM users'
    for t in "${order[@]}"; do cpu0+=("$(proc_cpu_ticks "$(proxy_pid "$t")")"); done
    for t in "${order[@]}"; do
        mapfile -t argv < <(pgbench_cmd "$t" "$m" "$each" "$DURATION")
        grep -qxF -- "${argv[*]}" "$CMDS" || echo "${argv[*]}    # paired" >>"$CMDS"
        logs+=("$RUN_DIR/pair-$t-$m-c$each-r$r.log")
        "${argv[@]}" >"${logs[-1]}" 2>&1 &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || log "  paired $m round $r: a pgbench failed (see $RUN_DIR)"; done
    for t in "${order[@]}"; do cpu1+=("$(proc_cpu_ticks "$(proxy_pid "$t")")"); done
    local -A tps cpu
    for i in 0 1; do
        t=${order[i]}
        local txns
        tps[$t]=$(awk '/^tps = /{print $3; exit}' "${logs[i]}")
        txns=$(awk -F': ' '/^number of transactions actually processed/{print $2; exit}' "${logs[i]}"); txns=${txns%%/*}
        cpu[$t]=$(awk -v a="${cpu0[i]}" -v b="${cpu1[i]}" -v hz="$CLK_TCK" -v n="${txns:-0}" 'BEGIN{ if (n > 0) printf "%.1f", (b-a)/hz*1e6/n }')
    done
    log "  paired      $m -c $each+$each round $r: pass-through tps=${tps[passthrough]} cpu=${cpu[passthrough]}us/txn, baseline tps=${tps[baseline]} cpu=${cpu[baseline]}us/txn"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$each" "$r" "${tps[passthrough]}" "${tps[baseline]}" \
        "${cpu[passthrough]}" "${cpu[baseline]}" >>"$PAIRS_TSV"
}
if [[ -n $BASELINE && $PAIRS -gt 0 ]]; then
    log "paired: pass-through and baseline at the same time, half the clients each, $PAIRS round(s) per mode and client count"
    for c in "${CLIENTS[@]}"; do
        for m in "${MODES[@]}"; do
            for ((r = 1; r <= PAIRS; r++)); do measure_pair "$m" "$c" "$r"; done
        done
    done
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- what the migrated target did: every write dual-written, reads split ----
DRIFT=$("${PSQL[@]}" -d migrated -Atc 'SELECT count(*) FROM users WHERE email_address IS DISTINCT FROM email')
NROWS=$("${PSQL[@]}" -d migrated -Atc 'SELECT count(*) FROM users')
scrape "$RUN_DIR/metrics.txt"
total() { printf '%.0f' "$(metric "$RUN_DIR/metrics.txt" "$1")"; }
READS_OLD=$(total '^turnout_reads_total.*path="old"')
READS_NEW=$(total '^turnout_reads_total.*path="new"')
REWRITES=$(total '^turnout_statements_total.*decision="rewrite"')
REJECTS=$(total '^turnout_rejects_total')
REPREPARED=$(total '^turnout_statements_reprepared_total')
FAILED_RUNS=$(awk -F'\t' 'NR > 1 && $9 != "ok"' "$RESULTS" | wc -l)

# ---- report ----
first_line() { "$@" 2>&1 | head -1; }
SECTION=$RUN_DIR/section.md
{
    echo "<!-- migrated:start -->"
    echo "## pgbench on a migrated table: direct vs Turnout pass-through vs Turnout migrating"
    echo
    echo "Generated by \`bench/migrated.sh$( [[ $QUICK == 1 ]] && echo " --quick")$( [[ $ROUNDS != 3 && $QUICK != 1 ]] && echo " --rounds $ROUNDS")$( [[ $DURATION != 15 && $QUICK != 1 ]] && echo " --duration $DURATION")$( [[ $WARMUP != 30 && $QUICK != 1 ]] && echo " --warmup $WARMUP")$( [[ -n $BASELINE ]] && echo " --baseline $BASELINE")$( [[ -n $BASELINE && $PAIRS != 5 && $QUICK != 1 ]] && echo " --pairs $PAIRS")\` — do not edit by hand."
    [[ $QUICK == 1 ]] && echo && echo "**Quick smoke run (${DURATION} s per run): not a measurement to quote.**"
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- Machine: $(machine_summary); load average before/after: $LOAD_BEFORE / $LOAD_AFTER"
    echo "- PostgreSQL: $(first_line "$PG_BIN/postgres" --version) ($PG_CONF_SUMMARY, autovacuum off, \`VACUUM users\` before each block)"
    echo "- Java: $(first_line java -version)${TURNOUT_JAVA_OPTS:+ (TURNOUT_JAVA_OPTS=$TURNOUT_JAVA_OPTS)}"
    echo "- Turnout: $TURNOUT_REV"
    [[ -n $BASELINE ]] && echo "- Baseline: turnout.jar built from \`$BASELINE_SHA\` ($(git -C "$REPO" log -1 --format='%cs: %s' "$BASELINE_SHA" | cut -c1-80)), pass-through"
    echo "- Table: \`users (id bigserial PRIMARY KEY, email varchar(255) NOT NULL, name text, created_at timestamptz)\`, $ROWS rows, in two identical databases:"
    echo "  \`plain\` for direct and pass-through (no migration), \`migrated\` for the migrated target, whose plan renames \`email\` → \`email_address\`"
    echo "  (\`rename_column\`) and which was taken through \`expand\`, \`dual-write on\`, \`backfill\`, \`verify\`, \`reads 50\` with the CLI before measuring."
    echo "- Workload: one pgbench script (below), ${DURATION} s per run, $ROUNDS round(s) per target (median reported), targets interleaved in rotating order,"
    echo "  ${WARMUP} s unmeasured warm-up per target and mode. All over TCP to 127.0.0.1; pgbench, PostgreSQL and the proxies share the same $(nproc) CPUs."
    echo
    echo "The script (a transaction = a point select, an update of the migrated column, and one insert in ten; in the migrated target"
    echo "the select is routed for the half of the sessions on the new path, the update and the insert are dual-written):"
    echo
    echo '```'
    cat "$SCRIPT"
    echo '```'
    echo
    echo "Journey (CLI output):"
    echo
    echo '```'
    cat "$JOURNEY"
    echo '```'
    echo
    echo "Commands (raw outputs in \`bench/out/migrated-$STAMP/\`):"
    echo
    echo '```'
    cat "$CMDS"
    echo '```'
    echo
    awk -F'\t' -v targets="${TARGETS[*]}" -v modes="${MODES[*]}" -v clients="${CLIENTS[*]}" "$AWK_MEDIAN"'
    NR == 1 { next }
    { sumother += $10; nother++; if ($10 + 0 > maxother) maxother = $10 + 0 }
    {
        k = $1 SUBSEP $2 SUBSEP $3
        if ($9 == "ok") { add("tps" SUBSEP k, $5); add("lat" SUBSEP k, $6); if ($8 != "") add("cpu" SUBSEP k, $8) }
        else failed[k] = 1
    }
    END {
        nt = split(targets, T, " "); nm = split(modes, M, " "); nc = split(clients, C, " ")
        for (i = 1; i <= nt; i++) have[T[i]] = 1
        ok = 1; miss = ""
        for (ci = 1; ci <= nc; ci++) {
            c = C[ci]
            printf "### -c %s -j %s\n\n", c, (c >= 16 ? 2 : 1)
            hdr = "| mode | direct TPS | pass-through TPS | migrated TPS |"; sep = "|---|---:|---:|---:|"
            if (have["baseline"]) { hdr = hdr " baseline TPS |"; sep = sep "---:|" }
            hdr = hdr " **migrated/pass-through** | pass-through/direct |"; sep = sep "---:|---:|"
            if (have["baseline"]) { hdr = hdr " pass-through/baseline |"; sep = sep "---:|" }
            hdr = hdr " direct ms | pass-through ms | migrated ms | pass-through added µs | migrated added µs | pass-through CPU µs/txn | migrated CPU µs/txn |"
            sep = sep "---:|---:|---:|---:|---:|---:|---:|"
            print hdr; print sep
            for (mi = 1; mi <= nm; mi++) {
                m = M[mi]
                for (i = 1; i <= nt; i++) {
                    k = T[i] SUBSEP m SUBSEP c
                    tps[T[i]] = median("tps" SUBSEP k); lat[T[i]] = median("lat" SUBSEP k); cpu[T[i]] = median("cpu" SUBSEP k)
                    shown[T[i]] = (tps[T[i]] == "" && (k in failed)) ? "FAILED" : fmt(tps[T[i]], "%.0f")
                }
                r = ratio(tps["migrated"], tps["passthrough"])
                if (r == "" || r < 0.8) { ok = 0; miss = miss sprintf("; -c %s %s: %s", c, m, fmt(r, "%.2f×")) }
                row = "| " m " | " shown["direct"] " | " shown["passthrough"] " | " shown["migrated"] " |"
                if (have["baseline"]) row = row " " shown["baseline"] " |"
                row = row " **" fmt(r, "%.2f×") "** | " fmt(ratio(tps["passthrough"], tps["direct"]), "%.2f×") " |"
                if (have["baseline"]) {
                    b = ratio(tps["passthrough"], tps["baseline"])
                    row = row " " fmt(b, "%.2f×") " |"
                }
                ap = (lat["passthrough"] == "" || lat["direct"] == "") ? "" : (lat["passthrough"] - lat["direct"]) * 1000
                am = (lat["migrated"] == "" || lat["direct"] == "") ? "" : (lat["migrated"] - lat["direct"]) * 1000
                row = row " " fmt(lat["direct"], "%.3f") " | " fmt(lat["passthrough"], "%.3f") " | " fmt(lat["migrated"], "%.3f") " | " \
                    fmt(ap, "%+.0f") " | " fmt(am, "%+.0f") " | " fmt(cpu["passthrough"], "%.1f") " | " fmt(cpu["migrated"], "%.1f") " |"
                print row
            }
            print ""
        }
        printf "TPS and average latency (ms) are pgbench'"'"'s; ratios are TPS ratios; \"added µs\" is the average latency minus direct'"'"'s; "
        printf "proxy CPU is the proxy process'"'"'s utime+stime per transaction. "
        printf "CPU used by processes outside this benchmark during the measured runs: mean %.0f%%, max %.0f%% of the machine%s.\n\n", \
            (nother ? sumother / nother : 0), maxother, (maxother >= 10 ? " — **noisy: numbers may be skewed**" : "")
        if (ok) print "**Verdict: MET** — the migrated workload runs at ≥ 0.8× Turnout'"'"'s own pass-through TPS in every mode and client count."
        else print "**Verdict: NOT MET** — target: migrated ≥ 0.8× pass-through TPS in every mode and client count; misses" substr(miss, 2) "."
    }' "$RESULTS"
    if [[ -n $BASELINE && $PAIRS -gt 0 ]]; then
        echo
        echo "### Pass-through against the build before issue 7, side by side"
        echo
        echo "The pass-through/baseline column above compares medians of runs made one after the other, which on this machine vary by"
        echo "up to a third from run to run. Here both proxies ran **at the same time**, each with its own pgbench (half the clients,"
        echo "at least one, \`-j 1\`) on the same database, ${DURATION} s per round, the starting order alternating, \`VACUUM users\` before each round: both saw the"
        echo "same load, so each round's ratio is a fair comparison (raw: \`pairs.tsv\`)."
        echo
        echo "| clients (each) | mode | rounds | pass-through/baseline TPS: median (min–max) | proxy CPU µs/txn: pass-through / baseline (medians) | CPU ratio |"
        echo "|---:|---|---:|---:|---:|---:|"
        awk -F'\t' "$AWK_MEDIAN"'
            NR == 1 { next }
            { k = $2 SUBSEP $1; if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
            $4 != "" && $5 != "" && $5 > 0 { r = $4 / $5; add("r" SUBSEP k, r); if (!(k in lo) || r < lo[k]) lo[k] = r; if (!(k in hi) || r > hi[k]) hi[k] = r
                                             add("cp" SUBSEP k, $6); add("cb" SUBSEP k, $7) }
            END {
                worst = ""
                for (i = 1; i <= n; i++) {
                    k = order[i]; split(k, cm, SUBSEP)
                    med = median("r" SUBSEP k); cp = median("cp" SUBSEP k); cb = median("cb" SUBSEP k)
                    if (med == "" || med < 0.98) worst = worst sprintf("; -c %s+%s %s: %s", cm[1], cm[1], cm[2], fmt(med, "%.3f×"))
                    printf "| %s+%s | %s | %d | %s (%s–%s) | %s / %s | %s |\n", cm[1], cm[1], cm[2], cnt["r" SUBSEP k], fmt(med, "%.3f×"), \
                        fmt(lo[k], "%.2f"), fmt(hi[k], "%.2f"), fmt(cp, "%.1f"), fmt(cb, "%.1f"), fmt(ratio(cp, cb), "%.3f×")
                }
                print ""
                if (worst == "") print "**Pass-through vs before issue 7: not slower** — the median paired TPS ratio is ≥ 0.98× in every mode and client count."
                else print "**Pass-through vs before issue 7: slower** in" substr(worst, 2) " (target: median paired ratio ≥ 0.98×)."
            }' "$PAIRS_TSV"
    fi
    echo
    echo "After the runs, on the migrated target: $NROWS rows, **$DRIFT** with \`email_address IS DISTINCT FROM email\`"
    echo "(every write went through Turnout and was dual-written); \`/metrics\`: reads by path old $READS_OLD / new $READS_NEW,"
    echo "$REWRITES statements rewritten, $REJECTS refused, $REPREPARED named statements re-prepared; failed pgbench runs: $FAILED_RUNS."
    echo
    echo "The migrated target's router per measured run (median over rounds; deltas of \`/metrics\`; a transaction sends 2.1 statements on \`users\`; in prepared mode only the Parses are planned, once per connection):"
    echo
    echo "| clients | mode | decision cache hits | misses (cold analysis) | miss rate | statements planned (Query or Parse) | mean planning ms (queue wait included) |"
    echo "|---:|---|---:|---:|---:|---:|---:|"
    awk -F'\t' "$AWK_MEDIAN"'
        NR == 1 { next }
        { k = $2 SUBSEP $1; if (!(k in seen)) { seen[k] = 1; order[++n] = k }
          add("h" SUBSEP k, $4); add("m" SUBSEP k, $5); add("p" SUBSEP k, $6); add("s" SUBSEP k, ($6 > 0 ? 1000 * $7 / $6 : "")) }
        END { for (i = 1; i <= n; i++) { k = order[i]; split(k, cm, SUBSEP); h = median("h" SUBSEP k); m = median("m" SUBSEP k)
              printf "| %s | %s | %.0f | %.0f | %s | %.0f | %s |\n", cm[1], cm[2], h, m, fmt((h + m) > 0 ? 100 * m / (h + m) : "", "%.0f%%"), \
                  median("p" SUBSEP k), fmt(median("p" SUBSEP k) > 0 ? median("s" SUBSEP k) : "", "%.3f") } }' "$ROUTER"
    echo "<!-- migrated:end -->"
} >"$SECTION"

write_section migrated "$SECTION" "$OUT"
log "wrote $OUT (raw outputs: $RUN_DIR)"
sed -n '/^### /,$p' "$SECTION" | grep -v '^<!--' >&2
[[ $FAILED_RUNS == 0 && $DRIFT == 0 ]] || { log "failed runs or drift (see $RESULTS)"; exit 1; }
