# bench/lib.sh — helpers shared by the pgbench-driven benchmarks (pgbench.sh, migrated.sh) and
# the Java-driven ones (propagation.sh, rollback.sh). Sourced, never run.
#
# Before sourcing, a script sets BENCH_NAME (for messages). Variables it may read afterwards:
# REPO, PG_BIN, CLK_TCK. The PostgreSQL helpers need TMP (a directory owned by postgres) and
# fill PGPORT, PG_STARTED, PG_POSTMASTER_PID. measure() calls two functions the script defines:
# pgbench_cmd TARGET MODE CLIENTS SECONDS (the argv, one per line) and proxy_pid TARGET.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
CLK_TCK=$(getconf CLK_TCK)

die() { echo "$BENCH_NAME: error: $*" >&2; exit 1; }
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
as_pg() { runuser -u postgres -- "$@"; }

require_root_pg() {   # the checks every pgbench-driven script makes first
    [[ $(id -u) == 0 ]] || die "run as root (PostgreSQL is started as the postgres user)"
    [[ -x $PG_BIN/postgres && -x $PG_BIN/pgbench ]] || die "PostgreSQL 15 binaries not found in $PG_BIN"
    id postgres >/dev/null 2>&1 || die "no 'postgres' user (install postgresql-15)"
    command -v ss >/dev/null || die "'ss' (iproute2) is required to find free ports"
}

# ---------------------------------------------------------------------------------------------
# Processes. stop_pid NAME PID: SIGTERM, up to 10 s, then SIGKILL; reaps it if it is our child.
stop_pid() {
    local name=$1 pid=$2
    [[ -n $pid ]] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        log "stopping $name (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    return 0
}

CUR_PGBENCH_PID=""
run_pgbench() {   # run_pgbench LOGFILE ARGV... ; backgrounded so that Ctrl-C reaches the trap at once
    local logf=$1; shift
    "$@" >"$logf" 2>&1 &
    CUR_PGBENCH_PID=$!
    local rc=0
    wait "$CUR_PGBENCH_PID" || rc=$?
    CUR_PGBENCH_PID=""
    return "$rc"
}

# The common part of a script's cleanup: the running pgbench, PostgreSQL, the temp dir (its logs
# are copied to RUN_DIR first). The script stops its own proxies before calling it.
cleanup_common() {
    if [[ -n $CUR_PGBENCH_PID ]] && kill -0 "$CUR_PGBENCH_PID" 2>/dev/null; then
        kill -TERM "$CUR_PGBENCH_PID" 2>/dev/null; wait "$CUR_PGBENCH_PID" 2>/dev/null
    fi
    if [[ ${PG_STARTED:-0} == 1 && -n ${TMP:-} ]]; then
        log "stopping PostgreSQL"
        if ! as_pg "$PG_BIN/pg_ctl" -D "$TMP/data" -m fast -w -t 30 stop >/dev/null 2>&1; then
            local pm; pm=$(head -1 "$TMP/data/postmaster.pid" 2>/dev/null)
            [[ -n $pm ]] && kill -QUIT "$pm" 2>/dev/null
        fi
    fi
    if [[ -n ${TMP:-} && -d ${TMP:-} ]]; then
        if [[ -n ${RUN_DIR:-} && -d ${RUN_DIR:-} ]]; then
            cp -f "$TMP"/*.log "$RUN_DIR"/ 2>/dev/null
        fi
        rm -rf "$TMP"
    fi
    return 0
}

# ---------------------------------------------------------------------------------------------
USED_PORTS=" "
free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$(( 20000 + RANDOM % 40000 ))
        [[ $USED_PORTS == *" $p "* ]] && continue
        if [[ -z $(ss -Htan "( sport = :$p )" 2>/dev/null) ]]; then
            USED_PORTS+="$p "; echo "$p"; return 0
        fi
    done
    die "no free TCP port found"
}

wait_sql() {   # wait_sql PORT TIMEOUT_S [PID] [DB] — until `SELECT 1` works through 127.0.0.1:PORT
    local port=$1 timeout=$2 pid=${3:-} db=${4:-postgres} i
    for ((i = 0; i < timeout * 5; i++)); do
        if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then return 2; fi
        if PGCONNECT_TIMEOUT=2 "$PG_BIN/psql" -X -h 127.0.0.1 -p "$port" -U postgres -d "$db" \
            -Atqc 'SELECT 1' >/dev/null 2>&1; then return 0; fi
        sleep 0.2
    done
    return 1
}

# ---------------------------------------------------------------------------------------------
# CPU accounting, to tell how much of the machine other processes took during a run (the
# machine may be shared). "ours" = the postmaster with its exited children (cutime) and its
# live children, the processes in OUR_PIDS (the proxies), and this script's waited-for
# children (pgbench).
PG_POSTMASTER_PID=""
OUR_PIDS=()
proc_cpu_ticks() {   # proc_cpu_ticks PID [with-children] — utime+stime (+cutime+cstime), all threads, in ticks
    local s f
    s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return 0; }
    s=${s##*) }                   # drop "pid (comm) "; fields now start at 3 (state)
    read -r -a f <<<"$s"          # f[11]=utime f[12]=stime f[13]=cutime f[14]=cstime
    if [[ ${2:-} == with-children ]]; then echo $(( f[11] + f[12] + f[13] + f[14] ))
    else echo $(( f[11] + f[12] )); fi
}
machine_ticks() {   # prints "busy total" from /proc/stat
    awk '/^cpu /{ b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6; exit }' /proc/stat
}
our_ticks() {   # our_ticks TIMES_FILE — the output of `times`, taken in the main shell
    local t=0 p
    if [[ -n $PG_POSTMASTER_PID ]]; then
        t=$(proc_cpu_ticks "$PG_POSTMASTER_PID" with-children)
        for p in $(pgrep -P "$PG_POSTMASTER_PID"); do t=$(( t + $(proc_cpu_ticks "$p") )); done
    fi
    for p in "${OUR_PIDS[@]}"; do
        [[ -n $p ]] && t=$(( t + $(proc_cpu_ticks "$p") ))
    done
    # children of this shell (pgbench, psql, ...): second line of `times`, "XmY.YYYs XmY.YYYs".
    # `times` must run in the main shell (a subshell starts with zero children times).
    local kids
    kids=$(awk -v hz="$CLK_TCK" 'NR == 2 {
        n = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); sub(/s$/, "", a[2]); n += (a[1] * 60 + a[2]) * hz }
        printf "%d", n }' "$1")
    echo $(( t + kids ))
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL: a temporary cluster in $TMP/data on a free port, as postgres, tuned for
# benchmarking (no durability), logging to $TMP/postgresql.log.
PG_STARTED=0
pg_start() {
    PGPORT=$(free_port)
    log "initdb + start PostgreSQL on 127.0.0.1:$PGPORT ($TMP)"
    as_pg "$PG_BIN/initdb" -D "$TMP/data" -U postgres --auth=trust -E UTF8 --no-sync >"$TMP/initdb.log" 2>&1 ||
        { cat "$TMP/initdb.log" >&2; die "initdb failed"; }
    cat >>"$TMP/data/postgresql.conf" <<EOF

# --- bench/$BENCH_NAME ---
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$TMP'
max_connections = 200
shared_buffers = 512MB
fsync = off
synchronous_commit = off
full_page_writes = off
autovacuum = off
log_min_messages = warning
EOF
    PG_STARTED=1
    as_pg "$PG_BIN/pg_ctl" -D "$TMP/data" -l "$TMP/postgresql.log" -w -t 60 start >/dev/null ||
        { tail -20 "$TMP/postgresql.log" >&2; die "PostgreSQL did not start"; }
    PG_POSTMASTER_PID=$(head -1 "$TMP/data/postmaster.pid")
}
PG_CONF_SUMMARY="temporary cluster, fsync=off, synchronous_commit=off, shared_buffers=512MB, max_connections=200"

# ---------------------------------------------------------------------------------------------
# Turnout's jar: built when missing (or with REBUILD=1), then run from a private copy in $TMP so
# that a rebuild during the run cannot pull classes out from under it. Sets TURNOUT_JAR and
# TURNOUT_REV (commit, uncommitted changes, when the jar was built, checksum).
JAR=$REPO/proxy/target/turnout.jar
ensure_jar() {   # ensure_jar HINT — HINT is appended to the failure message
    command -v java >/dev/null || die "java not found (needed for Turnout)"
    if [[ ${REBUILD:-0} == 1 || ! -f $JAR ]]; then
        log "building $JAR (mvn -B -q -DskipTests package -pl proxy -am)"
        (cd "$REPO" && mvn -B -q -DskipTests package -pl proxy -am >&2) || die "building the Turnout jar failed${1:+; $1}"
        [[ -f $JAR ]] || die "the build did not produce $JAR${1:+; $1}"
    fi
}
turnout_copy() {
    cp "$JAR" "$TMP/turnout.jar"
    TURNOUT_JAR=$TMP/turnout.jar
    TURNOUT_REV=$(git -C "$REPO" log -1 --format='%h (%cs)' 2>/dev/null || echo unknown)
    if [[ -n $(git -C "$REPO" status --porcelain -- pom.xml proxy router config shadow admin 2>/dev/null) ]]; then
        TURNOUT_REV+=" + uncommitted changes"
    fi
    TURNOUT_REV+=", jar built $(date -u -r "$JAR" '+%Y-%m-%d %H:%M UTC') (sha256 $(sha256sum "$TURNOUT_JAR" | cut -c1-12)…)"
}
TURNOUT_JAVA_ARGS=()
if [[ -n ${TURNOUT_JAVA_OPTS:-} ]]; then read -r -a TURNOUT_JAVA_ARGS <<<"$TURNOUT_JAVA_OPTS"; fi

# ---------------------------------------------------------------------------------------------
# One measured pgbench run: appends a row to $RESULTS (target mode clients round tps lat_ms txns
# proxy_cpu_us_per_txn status other_cpu_pct) and its command line to $CMDS. Needs DURATION,
# RUN_DIR, TMP and the script's pgbench_cmd and proxy_pid; calls after_measure TARGET MODE
# CLIENTS ROUND when the script defines it.
RESULTS_HEADER=$'target\tmode\tclients\tround\ttps\tlat_ms\ttxns\tproxy_cpu_us_per_txn\tstatus\tother_cpu_pct'
measure() {   # measure TARGET MODE CLIENTS ROUND
    local target=$1 mode=$2 c=$3 round=$4 argv logf pid t0="" t1="" rc=0
    mapfile -t argv < <(pgbench_cmd "$target" "$mode" "$c" "$DURATION")
    logf=$RUN_DIR/$target-$mode-c$c-r$round.log
    grep -qxF -- "${argv[*]}" "$CMDS" || echo "${argv[*]}" >>"$CMDS"
    pid=$(proxy_pid "$target")
    local m0 m1 o0 o1 other
    times >"$TMP/times"
    m0=$(machine_ticks); o0=$(our_ticks "$TMP/times")
    [[ -n $pid ]] && t0=$(proc_cpu_ticks "$pid")
    run_pgbench "$logf" "${argv[@]}" || rc=$?
    [[ -n $pid ]] && t1=$(proc_cpu_ticks "$pid")
    sleep 0.2   # let the postmaster reap the backends so their CPU time is counted as ours
    times >"$TMP/times"
    m1=$(machine_ticks); o1=$(our_ticks "$TMP/times")
    other=$(awk -v m0="$m0" -v m1="$m1" -v o0="$o0" -v o1="$o1" 'BEGIN {
        split(m0, a, " "); split(m1, b, " "); tot = b[2] - a[2]; x = (b[1] - a[1]) - (o1 - o0)
        if (x < 0) x = 0; printf "%.0f", (tot > 0 ? 100 * x / tot : 0) }')
    local tps lat txns failed status=ok cpu=""
    tps=$(awk '/^tps = /{print $3; exit}' "$logf")
    lat=$(awk '/^latency average = /{print $4; exit}' "$logf")
    txns=$(awk -F': ' '/^number of transactions actually processed/{print $2; exit}' "$logf")
    txns=${txns%%/*}
    failed=$(awk -F': ' '/^number of failed transactions/{split($2, a, " "); print a[1]; exit}' "$logf")
    if [[ $rc != 0 || -z $tps || -z $lat || ${failed:-0} != 0 ]]; then
        status="fail(rc=$rc,failed=${failed:-?})"
        log "  $target $mode -c $c: FAILED (see $logf)"
        tail -3 "$logf" | sed 's/^/    /' >&2
    else
        if [[ -n $t0 && -n $t1 && ${txns:-0} -gt 0 ]]; then
            cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" -v n="$txns" 'BEGIN{printf "%.1f", (b-a)/hz*1e6/n}')
        fi
        log "  $(printf '%-11s %-8s -c %-2s' "$target" "$mode" "$c") tps=$tps lat=${lat}ms${cpu:+ proxy_cpu=${cpu}us/txn} other_cpu=${other}% load=$(cut -d' ' -f1 /proc/loadavg)"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$target" "$mode" "$c" "$round" \
        "${tps:-}" "${lat:-}" "${txns:-}" "$cpu" "$status" "$other" >>"$RESULTS"
    if declare -F after_measure >/dev/null; then after_measure "$target" "$mode" "$c" "$round"; fi
}

warmup() {   # warmup TARGET MODE — unmeasured, -c 16, WARMUP seconds
    [[ $WARMUP -gt 0 ]] || return 0
    local argv
    mapfile -t argv < <(pgbench_cmd "$1" "$2" 16 "$WARMUP")
    run_pgbench "$RUN_DIR/warmup-$1-$2.log" "${argv[@]}" ||
        log "  warm-up $1 $2 failed (see $RUN_DIR/warmup-$1-$2.log)"
}

# Every (clients, mode, round) of CLIENTS, MODES and ROUNDS runs all TARGETS back to back, and the
# order of the targets rotates from one block to the next, so no target is always first/last
# after a busy run. A script may define before_block CLIENTS MODE ROUND (e.g. to VACUUM).
measure_interleaved() {
    local block=0 c m r k nt=${#TARGETS[@]}
    for c in "${CLIENTS[@]}"; do
        for m in "${MODES[@]}"; do
            for ((r = 1; r <= ROUNDS; r++)); do
                if declare -F before_block >/dev/null; then before_block "$c" "$m" "$r"; fi
                for ((k = 0; k < nt; k++)); do
                    measure "${TARGETS[(block + k) % nt]}" "$m" "$c" "$r"
                done
                block=$((block + 1))
            done
        done
    done
}

# awk functions for reports over $RESULTS: add(key, x) collects, median(key) answers.
AWK_MEDIAN='
    function add(key, x) { cnt[key]++; vals[key, cnt[key]] = x + 0 }
    function median(key,    n, i, j, v, t) {
        n = cnt[key]; if (n == 0) return ""
        for (i = 1; i <= n; i++) v[i] = vals[key, i]
        for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
        return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function fmt(x, f) { return (x == "") ? "—" : sprintf(f, x) }
    function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "" : a / b }
'

machine_summary() {   # "2 CPUs (model), 23.5 GiB RAM, Linux 6.x"
    local model mem
    model=$(lscpu 2>/dev/null | awk -F: '/^Model name/{sub(/^[ \t]+/, "", $2); print $2; exit}')
    mem=$(awk '/^MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)
    echo "$(nproc) CPUs ($model), $mem RAM, Linux $(uname -r)"
}

# ---------------------------------------------------------------------------------------------
# write_section NAME SECTION_FILE OUT — puts SECTION_FILE (which starts with <!-- NAME:start -->
# and ends with <!-- NAME:end -->) in place of that section of OUT, or appends it; every other
# section stays as it is.
write_section() {
    local name=$1 section=$2 out=$3 new
    mkdir -p "$(dirname "$out")"
    new=$(mktemp "$out.XXXXXX")
    if [[ -f $out ]] && grep -q "^<!-- $name:start -->" "$out" && grep -q "^<!-- $name:end -->" "$out"; then
        awk -v sec="$section" -v s="<!-- $name:start -->" -v e="<!-- $name:end -->" '
            index($0, s) == 1 { while ((getline l < sec) > 0) print l; skip = 1; next }
            index($0, e) == 1 { skip = 0; next }
            !skip { print }' "$out" >"$new"
    elif [[ -f $out ]]; then
        { cat "$out"; echo; cat "$section"; } >"$new"
    else
        { echo "# Turnout benchmarks"; echo
          echo "Each section below is written by a script in \`bench/\` (see bench/README.md) and replaced on its next run; do not edit by hand."
          echo; cat "$section"; } >"$new"
    fi
    chmod 644 "$new"
    mv "$new" "$out"
}

# bench_classpath FILE — builds bench (and proxy, for turnout.jar) in one reactor run, so the
# sibling modules resolve to their fresh target/ outputs, never to ~/.m2, and prints the
# classpath to run a benchmark class with.
bench_classpath() {
    (cd "$REPO" && mvn -B -q -Dstyle.color=never -Dmaven.test.skip=true -pl bench,proxy -am package \
        dependency:build-classpath -Dmdep.outputFile="$1" >&2) || die "building bench and proxy failed"
    echo "$(cat "$1"):$REPO/bench/target/classes"
}
