#!/usr/bin/env bash
# bench/pgbench.sh — pgbench select-only: Turnout vs direct PostgreSQL vs PgBouncer, in one run.
#
# Starts a throwaway PostgreSQL 15 cluster (fsync off), a private PgBouncer (session mode) and
# the Turnout proxy, runs pgbench -S (scale 10) in simple/extended/prepared mode at -c 16 -j 2
# and -c 1 against each, interleaving targets, and writes the pgbench section of BENCHMARKS.md.
# Everything it starts is stopped and removed on exit (also on Ctrl-C or failure).
#
# Usage: bench/pgbench.sh [--duration S] [--targets direct,pgbouncer,turnout] [--quick]
#                         [--out FILE] [--rounds N] [--warmup S] [--profile] [--jfr] [--rebuild]
# Must run as root (it installs PgBouncer if missing and runs PostgreSQL/PgBouncer as postgres).
# See bench/README.md.

set -euo pipefail

BENCH_NAME=pgbench.sh
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SCALE=10
MODES=(simple extended prepared)
CLIENTS=(16 1)
declare -A JOBS=([16]=2 [1]=1)
ALL_TARGETS=(direct pgbouncer turnout)
declare -A LABEL=([direct]=direct [pgbouncer]=PgBouncer [turnout]=Turnout)

DURATION=""
WARMUP=""
OUT=""
TARGETS_ARG="direct,pgbouncer,turnout"
QUICK=0
ROUNDS=1
JFR=0
PROFILE=0
PROFILE_SECS=""
REBUILD=0

usage() {
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --duration S     seconds per measured pgbench run (default 15; 5 with --quick)
  --targets LIST   comma-separated subset of direct,pgbouncer,turnout (default: all three)
  --quick          smoke run: 5 s runs, 3 s warm-up, writes bench/out/BENCHMARKS.quick.md
  --out FILE       report file (default: BENCHMARKS.md at the repo root)
  --rounds N       repeat every measurement N times, report the median (default 1)
  --warmup S       seconds of warm-up per mode before measuring (default 10; 3 with --quick)
  --profile        after measuring, profile each proxy under load with perf (CPU, syscalls and
                   context switches per transaction; kernel/Java/JVM split; hottest symbols)
  --profile-secs S pgbench seconds per profiled run (default 12; 6 with --quick)
  --jfr            record a JFR profile of Turnout and summarise the hottest Java frames
  --rebuild        rebuild proxy/target/turnout.jar even if it exists
Environment: PG_BIN (default /usr/lib/postgresql/15/bin), TURNOUT_JAVA_OPTS (extra JVM flags).
EOF
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --duration) DURATION=${2:?--duration needs a value}; shift 2 ;;
        --duration=*) DURATION=${1#*=}; shift ;;
        --targets) TARGETS_ARG=${2:?--targets needs a value}; shift 2 ;;
        --targets=*) TARGETS_ARG=${1#*=}; shift ;;
        --quick) QUICK=1; shift ;;
        --out) OUT=${2:?--out needs a value}; shift 2 ;;
        --out=*) OUT=${1#*=}; shift ;;
        --rounds) ROUNDS=${2:?--rounds needs a value}; shift 2 ;;
        --rounds=*) ROUNDS=${1#*=}; shift ;;
        --warmup) WARMUP=${2:?--warmup needs a value}; shift 2 ;;
        --warmup=*) WARMUP=${1#*=}; shift ;;
        --jfr) JFR=1; shift ;;
        --profile) PROFILE=1; shift ;;
        --profile-secs) PROFILE_SECS=${2:?--profile-secs needs a value}; shift 2 ;;
        --profile-secs=*) PROFILE_SECS=${1#*=}; shift ;;
        --rebuild) REBUILD=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done

if [[ $QUICK == 1 ]]; then
    DURATION=${DURATION:-5}; WARMUP=${WARMUP:-3}; OUT=${OUT:-$REPO/bench/out/BENCHMARKS.quick.md}
    PROFILE_SECS=${PROFILE_SECS:-6}
else
    DURATION=${DURATION:-15}; WARMUP=${WARMUP:-10}; OUT=${OUT:-$REPO/BENCHMARKS.md}
    PROFILE_SECS=${PROFILE_SECS:-12}
fi
[[ $PROFILE_SECS =~ ^[0-9]+$ && $PROFILE_SECS -ge 4 ]] || die "--profile-secs must be an integer >= 4"
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "--duration must be a positive integer"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "--warmup must be a non-negative integer"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"
[[ $QUICK == 1 || $DURATION -ge 15 ]] || log "warning: --duration $DURATION is below the 15 s the report is meant for"

TARGETS=()
IFS=',' read -r -a _req <<<"$TARGETS_ARG"
for t in "${ALL_TARGETS[@]}"; do      # keep the canonical order whatever order was given
    for r in "${_req[@]}"; do [[ $r == "$t" ]] && { TARGETS+=("$t"); break; }; done
done
for r in "${_req[@]}"; do
    [[ -n ${LABEL[$r]+x} ]] || die "unknown target '$r' (expected direct, pgbouncer, turnout)"
done
[[ ${#TARGETS[@]} -gt 0 ]] || die "--targets is empty"
has_target() { local t; for t in "${TARGETS[@]}"; do [[ $t == "$1" ]] && return 0; done; return 1; }

require_root_pg
if [[ $PROFILE == 1 ]] && ! perf stat -e task-clock -- true >/dev/null 2>&1; then
    die "--profile needs a working 'perf' (Debian: apt-get install linux-perf)"
fi

# ---------------------------------------------------------------------------------------------
# State for cleanup. Everything below is torn down by cleanup(), whatever happens.
TMP=""
BOUNCER_PID=""
BOUNCER_WRAPPER_PID=""
TURNOUT_PID=""
PERF_PIDS=()

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    local p
    for p in "${PERF_PIDS[@]}"; do kill -INT "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    if [[ -n $TURNOUT_PID ]]; then
        stop_turnout
        rm -f "/tmp/perf-$TURNOUT_PID_SEEN.map"
    fi
    stop_pid PgBouncer "$BOUNCER_PID"
    [[ -n $BOUNCER_WRAPPER_PID ]] && wait "$BOUNCER_WRAPPER_PID" 2>/dev/null
    cleanup_common
    [[ $rc != 0 ]] && log "exit status $rc"
    exit "$rc"
}
TURNOUT_PID_SEEN=""
stop_turnout() {
    stop_pid Turnout "$TURNOUT_PID"
    TURNOUT_PID=""
    return 0
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# ---------------------------------------------------------------------------------------------
# PgBouncer: install if missing; never use (or leave running) the package's own service.
if has_target pgbouncer; then
    if ! command -v pgbouncer >/dev/null && [[ ! -x /usr/sbin/pgbouncer ]]; then
        log "installing PgBouncer (apt-get)"
        export DEBIAN_FRONTEND=noninteractive
        { apt-get update -qq && apt-get install -y -qq pgbouncer; } >&2 || die "apt-get install pgbouncer failed"
        # The package enables (and on a systemd host starts) its own instance: stop and disable it.
        if [[ -d /run/systemd/system ]]; then
            systemctl stop pgbouncer >/dev/null 2>&1 || true
            systemctl disable pgbouncer >/dev/null 2>&1 || true
        else
            service pgbouncer stop >/dev/null 2>&1 || true
            update-rc.d pgbouncer disable >/dev/null 2>&1 || true
        fi
    fi
    PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
fi

# Turnout: build the jar if missing. Failing here is loud: use --targets to leave it out.
if has_target turnout; then
    ensure_jar "run with --targets direct,pgbouncer to leave Turnout out"
fi

# ---------------------------------------------------------------------------------------------
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN_DIR=$REPO/bench/out/pgbench-$STAMP
mkdir -p "$RUN_DIR"
RESULTS=$RUN_DIR/results.tsv
echo "$RESULTS_HEADER" >"$RESULTS"
CMDS=$RUN_DIR/commands.txt
: >"$CMDS"

TMP=$(mktemp -d /tmp/turnout-pgbench.XXXXXX)
chown postgres: "$TMP"
chmod 700 "$TMP"

# ---- PostgreSQL ----
pg_start

PGBENCH=("$PG_BIN/pgbench")
log "pgbench -i -s $SCALE"
"${PGBENCH[@]}" -i -s "$SCALE" -q -h 127.0.0.1 -p "$PGPORT" -U postgres postgres >"$RUN_DIR/init.log" 2>&1 ||
    { tail -20 "$RUN_DIR/init.log" >&2; die "pgbench -i failed"; }
echo "${PGBENCH[*]} -i -s $SCALE -q -h 127.0.0.1 -p $PGPORT -U postgres postgres" >>"$CMDS"

declare -A PORT=([direct]=$PGPORT)
TURNOUT_REV="not measured"

# ---- PgBouncer ----
if has_target pgbouncer; then
    PORT[pgbouncer]=$(free_port)
    mkdir -p "$TMP/pgbouncer"
    cat >"$TMP/pgbouncer/pgbouncer.ini" <<EOF
[databases]
postgres = host=127.0.0.1 port=$PGPORT dbname=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${PORT[pgbouncer]}
unix_socket_dir =
pool_mode = session
auth_type = trust
auth_file = $TMP/pgbouncer/userlist.txt
max_client_conn = 200
default_pool_size = 32
logfile = $TMP/pgbouncer.log
pidfile = $TMP/pgbouncer/pgbouncer.pid
log_connections = 0
log_disconnections = 0
log_stats = 0
ignore_startup_parameters = extra_float_digits
EOF
    echo '"postgres" ""' >"$TMP/pgbouncer/userlist.txt"
    chown -R postgres: "$TMP/pgbouncer"
    log "starting PgBouncer (session mode) on 127.0.0.1:${PORT[pgbouncer]}"
    as_pg "$PGBOUNCER" "$TMP/pgbouncer/pgbouncer.ini" >"$TMP/pgbouncer.stdout.log" 2>&1 &
    BOUNCER_WRAPPER_PID=$!
    for _ in $(seq 1 100); do [[ -s $TMP/pgbouncer/pgbouncer.pid ]] && break; sleep 0.1; done
    BOUNCER_PID=$(cat "$TMP/pgbouncer/pgbouncer.pid" 2>/dev/null || true)
    wait_sql "${PORT[pgbouncer]}" 30 "$BOUNCER_WRAPPER_PID" ||
        { tail -20 "$TMP/pgbouncer.log" "$TMP/pgbouncer.stdout.log" >&2 2>/dev/null; die "PgBouncer did not accept connections"; }
fi

# ---- Turnout ----
if has_target turnout; then
    PORT[turnout]=$(free_port)
    JAVA_ARGS=("${TURNOUT_JAVA_ARGS[@]}")
    if [[ $JFR == 1 ]]; then
        JAVA_ARGS+=("-XX:StartFlightRecording=filename=$RUN_DIR/turnout.jfr,settings=profile,dumponexit=true")
    fi
    if [[ $PROFILE == 1 ]]; then   # /tmp/perf-PID.map at exit, so perf can name JIT-compiled methods
        JAVA_ARGS+=(-XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit)
    fi
    turnout_copy
    TURNOUT_CMD=(java "${JAVA_ARGS[@]}" -jar "$TURNOUT_JAR" serve --listen "127.0.0.1:${PORT[turnout]}"
                 --backend "postgresql://postgres@127.0.0.1:$PGPORT/postgres")
    log "starting Turnout on 127.0.0.1:${PORT[turnout]}: ${TURNOUT_CMD[*]}"
    echo "${TURNOUT_CMD[*]}    # private copy of proxy/target/turnout.jar" >>"$CMDS"
    "${TURNOUT_CMD[@]}" >"$TMP/turnout.log" 2>&1 &
    TURNOUT_PID=$!
    TURNOUT_PID_SEEN=$TURNOUT_PID
    if ! wait_sql "${PORT[turnout]}" 60 "$TURNOUT_PID"; then
        tail -30 "$TMP/turnout.log" >&2
        die "Turnout did not accept connections (log above); run with --targets direct,pgbouncer to leave it out"
    fi
fi

# ---------------------------------------------------------------------------------------------
pgbench_cmd() {   # pgbench_cmd TARGET MODE CLIENTS SECONDS -> prints the argv, one per line
    local target=$1 mode=$2 c=$3 secs=$4
    printf '%s\n' "${PGBENCH[@]}" -n -S -M "$mode" -c "$c" -j "${JOBS[$c]:-1}" -T "$secs" \
        -h 127.0.0.1 -p "${PORT[$target]}" -U postgres postgres
}

proxy_pid() {
    case $1 in pgbouncer) echo "$BOUNCER_PID" ;; turnout) echo "$TURNOUT_PID" ;; *) echo "" ;; esac
}

OUR_PIDS=("$BOUNCER_PID" "$TURNOUT_PID")   # counted as ours in the other-processes CPU
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
{ date; echo; top -b -n 1 | head -20; } >"$RUN_DIR/top-before.txt" 2>&1 || true

n_runs=$(( ${#CLIENTS[@]} * ${#MODES[@]} * ROUNDS * ${#TARGETS[@]} ))
eta=$(( n_runs * (DURATION + 1) + WARMUP * (1 + ${#MODES[@]}) ))
log "measuring: targets=${TARGETS[*]} duration=${DURATION}s rounds=$ROUNDS ($n_runs runs, ~$((eta / 60)) min $((eta % 60)) s)"

# Warm-up: pull the data set into shared_buffers once, then let the JVM JIT each protocol path.
log "warm-up (${WARMUP}s each, not measured)"
warmup direct simple
if has_target turnout; then for m in "${MODES[@]}"; do warmup turnout "$m"; done; fi

measure_interleaved

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
{ date; echo; top -b -n 1 | head -20; } >"$RUN_DIR/top-after.txt" 2>&1 || true

# ---- perf profile of the proxies (optional, after the measured runs) ----
PROFILE_TSV=$RUN_DIR/profile.tsv
proc_user_sys() {   # "utime stime" in ticks
    local s f
    s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo "0 0"; return 0; }
    s=${s##*) }; read -r -a f <<<"$s"; echo "${f[11]} ${f[12]}"
}
profile_one() {   # profile_one TARGET MODE CLIENTS
    local t=$1 m=$2 c=$3 pid argv logf win base us0 us1 ps pr
    pid=$(proxy_pid "$t")
    base=$RUN_DIR/profile-$t-$m-c$c
    logf=$base.pgbench.log
    win=$((PROFILE_SECS - 3))
    mapfile -t argv < <(pgbench_cmd "$t" "$m" "$c" "$PROFILE_SECS")
    "${argv[@]}" >"$logf" 2>&1 &
    CUR_PGBENCH_PID=$!
    sleep 1.5   # connections up, steady state
    us0=$(proc_user_sys "$pid")
    perf stat -x, -o "$base.stat.csv" -e "$PERF_STAT_EVENTS" -p "$pid" -- sleep "$win" >/dev/null 2>&1 &
    ps=$!
    perf record -q -e cpu-clock -F 499 -p "$pid" -o "$base.perf.data" -- sleep "$win" >/dev/null 2>&1 &
    pr=$!
    PERF_PIDS=("$ps" "$pr")
    wait "$ps" || true; wait "$pr" || true
    PERF_PIDS=()
    us1=$(proc_user_sys "$pid")
    wait "$CUR_PGBENCH_PID" || log "  profile run $t $m -c $c: pgbench failed (see $logf)"
    CUR_PGBENCH_PID=""
    local tps
    tps=$(awk '/^tps = /{print $3; exit}' "$logf")
    # tps, window, utime/stime deltas, then "event=value" pairs from perf stat
    awk -F, -v t="$t" -v m="$m" -v c="$c" -v tps="${tps:-0}" -v win="$win" -v u0="${us0% *}" -v s0="${us0#* }" \
        -v u1="${us1% *}" -v s1="${us1#* }" '
        /^#/ || NF < 3 { next }
        { ev = $3; sub(/^syscalls:sys_enter_/, "", ev); sub(/^raw_syscalls:sys_enter$/, "syscalls", ev); v[ev] = $1 }
        END {
            line = t "\t" m "\t" c "\t" tps "\t" win "\t" (u1 - u0) "\t" (s1 - s0)
            for (k in v) line = line "\t" k "=" v[k]
            print line
        }' "$base.stat.csv" >>"$PROFILE_TSV"
    log "  profiled $t $m -c $c (tps under perf ${tps:-?})"
}
dso_class() {   # map a perf dso name to a class
    case $1 in
        "[kernel.kallsyms]"|"[kernel.vmlinux]"|"[vdso]") echo kernel ;;
        perf-*.map|"[unknown]"|"[JIT]"*) echo java ;;
        libjvm.so) echo jvm ;;
        *) echo user ;;
    esac
}
perf_breakdown() {   # perf_breakdown DATAFILE -> "kernel% java% jvm% user%" and DATAFILE.dso.txt / .sym.txt
    local df=$1 line pct dso cls
    perf report -i "$df" --stdio --sort dso 2>/dev/null | grep -v '^#' | grep '%' >"$df.dso.txt" || true
    perf report -i "$df" --stdio --sort dso,sym 2>/dev/null | grep -v '^#' | grep '%' | head -60 >"$df.sym.txt" || true
    declare -A acc=([kernel]=0 [java]=0 [jvm]=0 [user]=0)
    while IFS= read -r line; do
        pct=$(awk '{ sub(/%/, "", $1); print $1 }' <<<"$line")
        dso=$(sed -E 's/^[[:space:]]*[0-9.]+%[[:space:]]+//; s/[[:space:]]+$//' <<<"$line")
        cls=$(dso_class "$dso")
        acc[$cls]=$(awk -v a="${acc[$cls]}" -v b="$pct" 'BEGIN { print a + b }')
    done <"$df.dso.txt"
    echo "${acc[kernel]} ${acc[java]} ${acc[jvm]} ${acc[user]}"
}

PROFILED=0
if [[ $PROFILE == 1 ]] && { has_target pgbouncer || has_target turnout; }; then
    PERF_STAT_EVENTS="task-clock,context-switches,raw_syscalls:sys_enter"
    avail=$(perf list tracepoint 2>/dev/null)
    for sc in read readv recvfrom recvmsg write writev sendto sendmsg epoll_wait epoll_pwait epoll_pwait2 epoll_ctl futex; do
        grep -q "syscalls:sys_enter_$sc " <<<"$avail" && PERF_STAT_EVENTS+=",syscalls:sys_enter_$sc"
    done
    log "profiling the proxies with perf (${PROFILE_SECS}s per run, not part of the measurements above)"
    printf 'target\tmode\tclients\ttps\twindow_s\tutime_ticks\tstime_ticks\tevents...\n' >"$PROFILE_TSV"
    for c in "${CLIENTS[@]}"; do
        for m in "${MODES[@]}"; do
            for t in pgbouncer turnout; do
                has_target "$t" && profile_one "$t" "$m" "$c"
            done
        done
    done
    PROFILED=1
fi

# Stop Turnout now if its exit writes something we need (JFR recording, perf map for JIT symbols).
if [[ ($JFR == 1 || $PROFILED == 1) && -n $TURNOUT_PID ]]; then
    stop_turnout
fi

PROFILE_MD=$RUN_DIR/profile.md
if [[ $PROFILED == 1 ]]; then
    log "summarising the perf profiles"
    BREAKDOWN=$RUN_DIR/profile-breakdown.tsv
    : >"$BREAKDOWN"
    for f in "$RUN_DIR"/profile-*.perf.data; do
        [[ -s $f ]] || continue
        b=${f##*/profile-}; b=${b%.perf.data}        # TARGET-MODE-cN
        printf '%s\t%s\n' "$b" "$(perf_breakdown "$f")" >>"$BREAKDOWN"
    done
    [[ -n $TURNOUT_PID_SEEN && -f /tmp/perf-$TURNOUT_PID_SEEN.map ]] &&
        mv -f "/tmp/perf-$TURNOUT_PID_SEEN.map" "$RUN_DIR/turnout-perf.map"
    {
        echo "### Where the time goes (\`--profile\`: perf on each proxy process, separate ${PROFILE_SECS} s runs)"
        echo
        echo "Per transaction, measured on the proxy process only. CPU = utime+stime over the perf window divided by"
        echo "TPS × window; the kernel/Java/JVM/other split applies perf's cpu-clock samples (499 Hz) to that CPU time."
        echo "\"Java\" is JIT-compiled and interpreted code, \"JVM\" is libjvm (GC, compiler threads, runtime), \"other\""
        echo "is every other user-space library or binary (for PgBouncer: pgbouncer, libevent, libc). Counting syscalls with perf"
        echo "tracepoints adds a few µs per syscall, so CPU here is higher than in the measured runs: compare the proxies"
        echo "with each other, not with the tables above. In a VM without a PMU, cpu-clock samples pile up where interrupts"
        echo "are re-enabled (finish_task_switch, _raw_spin_unlock_irqrestore): read those as \"scheduler/wakeups\"."
        echo
        awk -F'\t' -v hz="$CLK_TCK" '
            FNR == NR { split($2, a, " "); bd[$1] = $2; next }
            FNR == 1 { next }
            {
                t = $1; m = $2; c = $3; tps = $4; win = $5; u = $6 / hz; s = $7 / hz
                delete e; for (i = 8; i <= NF; i++) { split($i, kv, "="); e[kv[1]] = kv[2] }
                n = tps * win; if (n <= 0) next
                cpu = (u + s) * 1e6 / n
                rd = e["read"] + e["readv"] + e["recvfrom"] + e["recvmsg"]
                wr = e["write"] + e["writev"] + e["sendto"] + e["sendmsg"]
                wt = e["epoll_wait"] + e["epoll_pwait"] + e["epoll_pwait2"]
                split(bd[t "-" m "-c" c], p, " ")
                tot = p[1] + p[2] + p[3] + p[4]; if (tot <= 0) tot = 100
                name = (t == "turnout") ? "Turnout" : "PgBouncer"
                if (c != lastc) {
                    if (lastc != "") print ""
                    printf "-c %s:\n\n", c
                    print "| proxy | mode | TPS (under perf) | CPU µs/txn | sys % | kernel µs | Java µs | JVM µs | other µs | syscalls/txn | reads | writes | epoll waits | epoll_ctl | futex | ctx switches/txn |"
                    print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
                    lastc = c
                }
                printf "| %s | %s | %.0f | %.1f | %.0f | %.1f | %s | %s | %.1f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", \
                    name, m, tps, cpu, (u + s > 0 ? 100 * s / (u + s) : 0), cpu * p[1] / tot, \
                    (t == "turnout" ? sprintf("%.1f", cpu * p[2] / tot) : "—"), (t == "turnout" ? sprintf("%.1f", cpu * p[3] / tot) : "—"), \
                    cpu * p[4] / tot, e["syscalls"] / n, rd / n, wr / n, wt / n, e["epoll_ctl"] / n, e["futex"] / n, e["context-switches"] / n
            }' "$BREAKDOWN" "$PROFILE_TSV"
        echo
        for t in pgbouncer turnout; do
            has_target "$t" || continue
            echo "Hottest symbols in ${LABEL[$t]} at -c 16 (cpu-clock samples, mean over the three modes; full lists in \`bench/out/pgbench-$STAMP/profile-*.sym.txt\`):"
            echo
            echo '```'
            for m in "${MODES[@]}"; do
                f=$RUN_DIR/profile-$t-$m-c16.perf.data.sym.txt
                [[ -s $f ]] && cat "$f"
            done | awk -v nm="${#MODES[@]}" '
                { pct = $1; sub(/%/, "", pct); $1 = ""; sub(/^ +/, ""); key = $0; sum[key] += pct }
                END { for (k in sum) printf "%6.2f%%  %s\n", sum[k] / nm, k }' | sort -rn | head -15
            echo '```'
            echo
        done
    } >"$PROFILE_MD"
fi

# ---- JFR summary (optional) ----
if [[ $JFR == 1 ]]; then
    if [[ -s $RUN_DIR/turnout.jfr ]] && command -v jfr >/dev/null; then
        jfr print --events jdk.ExecutionSample "$RUN_DIR/turnout.jfr" >"$RUN_DIR/turnout-samples.txt" 2>&1 || true
        awk '
            /stackTrace = \[/ { top = 1; next }
            top && /^[ \t]*\]/ { top = 0; n++; next }
            top == 1 {
                f = $0; sub(/^[ \t]+/, "", f); sub(/[ \t]+line:.*/, "", f)
                self[f]++
                p = f; sub(/\(.*/, "", p); k = split(p, parts, ".")
                p = parts[1]; for (i = 2; i <= 3 && i < k - 1; i++) p = p "." parts[i]
                pkg[p]++
                top = 2
            }
            END {
                for (p in pkg) printf "P\t%.1f\t%s\n", 100 * pkg[p] / n, p
                for (f in self) printf "F\t%.1f\t%s\n", 100 * self[f] / n, f
                printf "N\t%d\n", n
            }' "$RUN_DIR/turnout-samples.txt" >"$RUN_DIR/turnout-samples.agg" 2>/dev/null || true
        {
            echo "JFR execution samples (Java code only; threads in syscalls are not sampled): $(awk -F'\t' '$1 == "N" { print $2 }' "$RUN_DIR/turnout-samples.agg")"
            echo
            echo "Self time by package:"
            awk -F'\t' '$1 == "P" { printf "%6.1f%%  %s\n", $2, $3 }' "$RUN_DIR/turnout-samples.agg" | sort -rn | head -12
            echo
            echo "Hottest frames (self time):"
            awk -F'\t' '$1 == "F" { printf "%6.1f%%  %s\n", $2, $3 }' "$RUN_DIR/turnout-samples.agg" | sort -rn | head -25
        } >"$RUN_DIR/turnout-hot.txt"
        log "JFR: $RUN_DIR/turnout.jfr, summary in $RUN_DIR/turnout-hot.txt"
    else
        log "JFR recording missing or no 'jfr' tool; skipping the summary"
    fi
fi

# ---------------------------------------------------------------------------------------------
# Report
first_line() { "$@" 2>&1 | head -1; }
PG_VERSION=$(first_line "$PG_BIN/postgres" --version)
PGB_VERSION=$(has_target pgbouncer && first_line "$PGBOUNCER" --version || echo "not measured")
JAVA_VERSION=$(first_line java -version 2>/dev/null || echo "n/a")

SECTION=$RUN_DIR/section.md
{
    echo "<!-- pgbench:start -->"
    echo "## pgbench: Turnout vs direct PostgreSQL vs PgBouncer"
    echo
    echo "Generated by \`bench/pgbench.sh$( [[ $QUICK == 1 ]] && echo " --quick")$( [[ $TARGETS_ARG != "direct,pgbouncer,turnout" ]] && echo " --targets $TARGETS_ARG")$( [[ $ROUNDS != 1 ]] && echo " --rounds $ROUNDS")\` — do not edit by hand."
    [[ $QUICK == 1 ]] && echo && echo "**Quick smoke run (${DURATION} s per run): not a measurement to quote.**"
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- Machine: $(machine_summary); load average before/after: $LOAD_BEFORE / $LOAD_AFTER"
    echo "- PostgreSQL: $PG_VERSION ($PG_CONF_SUMMARY)"
    echo "- PgBouncer: $PGB_VERSION (session mode, default_pool_size=32)"
    echo "- Java: $JAVA_VERSION${TURNOUT_JAVA_OPTS:+ (TURNOUT_JAVA_OPTS=$TURNOUT_JAVA_OPTS)}"
    echo "- Turnout: $TURNOUT_REV"
    echo "- Workload: pgbench select-only (\`-S\`), scale $SCALE, ${DURATION} s per run, $ROUNDS round(s) (median reported), all over TCP to 127.0.0.1;"
    echo "  targets interleaved per mode in rotating order; ${WARMUP} s unmeasured warm-up per mode for Turnout's JVM."
    echo "  pgbench, PostgreSQL and the proxies share the same $(nproc) CPUs; proxy CPU is the proxy process's own CPU time per transaction."
    echo
    echo "Commands (raw outputs in \`bench/out/pgbench-$STAMP/\`):"
    echo
    echo '```'
    cat "$CMDS"
    echo '```'
    echo
    awk -F'\t' -v targets="${TARGETS[*]}" -v modes="${MODES[*]}" -v clients="${CLIENTS[*]}" "$AWK_MEDIAN"'
    NR == 1 { next }
    { if ($10 != "" && $10 + 0 > maxother) { maxother = $10 + 0; maxrun = $1 " " $2 " -c " $3 } ; sumother += $10; nother++ }
    {
        k = $1 SUBSEP $2 SUBSEP $3
        if ($9 == "ok") { add("tps" SUBSEP k, $5); add("lat" SUBSEP k, $6); if ($8 != "") add("cpu" SUBSEP k, $8) }
        else failed[k] = 1
    }
    END {
        nt = split(targets, T, " "); nm = split(modes, M, " "); nc = split(clients, C, " ")
        for (i = 1; i <= nt; i++) have[T[i]] = 1
        name["direct"] = "direct"; name["pgbouncer"] = "PgBouncer"; name["turnout"] = "Turnout"
        verdict_ok = 1; verdict = ""; incomplete = ""
        for (ci = 1; ci <= nc; ci++) {
            c = C[ci]
            printf "### -c %s -j %s\n\n", c, (c == 16 ? 2 : 1)
            hdr = "| mode |"; sep = "|---|"
            for (i = 1; i <= nt; i++) { hdr = hdr " " name[T[i]] " TPS |"; sep = sep "---:|" }
            for (i = 1; i <= nt; i++) { hdr = hdr " " name[T[i]] " avg ms |"; sep = sep "---:|" }
            if (have["turnout"] && have["direct"]) { hdr = hdr " Turnout/direct |"; sep = sep "---:|" }
            if (have["pgbouncer"] && have["direct"]) { hdr = hdr " PgBouncer/direct |"; sep = sep "---:|" }
            if (have["turnout"] && have["pgbouncer"]) { hdr = hdr " Turnout/PgBouncer |"; sep = sep "---:|" }
            if (have["direct"]) for (i = 1; i <= nt; i++) if (T[i] != "direct") { hdr = hdr " " name[T[i]] " added µs |"; sep = sep "---:|" }
            for (i = 1; i <= nt; i++) if (T[i] != "direct") { hdr = hdr " " name[T[i]] " CPU µs/txn |"; sep = sep "---:|" }
            print hdr; print sep
            for (mi = 1; mi <= nm; mi++) {
                m = M[mi]; row = "| " m " |"
                for (i = 1; i <= nt; i++) {
                    k = T[i] SUBSEP m SUBSEP c
                    tps[T[i]] = median("tps" SUBSEP k); lat[T[i]] = median("lat" SUBSEP k); cpu[T[i]] = median("cpu" SUBSEP k)
                    if (tps[T[i]] == "") incomplete = incomplete " " T[i] "/" m "/c" c
                    row = row " " ((tps[T[i]] == "" && (k in failed)) ? "FAILED" : fmt(tps[T[i]], "%.0f")) " |"
                }
                for (i = 1; i <= nt; i++) row = row " " fmt(lat[T[i]], "%.3f") " |"
                if (have["turnout"] && have["direct"]) row = row " " fmt(ratio(tps["turnout"], tps["direct"]), "%.2f×") " |"
                if (have["pgbouncer"] && have["direct"]) row = row " " fmt(ratio(tps["pgbouncer"], tps["direct"]), "%.2f×") " |"
                if (have["turnout"] && have["pgbouncer"]) row = row " " fmt(ratio(tps["turnout"], tps["pgbouncer"]), "%.2f×") " |"
                for (i = 1; i <= nt; i++) {
                    t = T[i]; added[t] = ""
                    if (t != "direct" && lat[t] != "" && lat["direct"] != "") added[t] = (lat[t] - lat["direct"]) * 1000
                    if (t != "direct" && have["direct"]) row = row " " fmt(added[t], "%+.0f") " |"
                }
                for (i = 1; i <= nt; i++) if (T[i] != "direct") row = row " " fmt(cpu[T[i]], "%.1f") " |"
                print row
                # verdict inputs
                if (have["turnout"] && have["pgbouncer"]) {
                    if (c == 16) {
                        r = ratio(tps["turnout"], tps["pgbouncer"])
                        if (r == "") { verdict_ok = 0 }
                        else if (r < 1.0) { verdict_ok = 0; verdict = verdict sprintf("; -c 16 %s: %.3f× PgBouncer TPS", m, r) }
                    }
                    if (c == 1) {
                        if (added["turnout"] == "" || added["pgbouncer"] == "") { verdict_ok = 0 }
                        else if (added["turnout"] > added["pgbouncer"]) {
                            verdict_ok = 0
                            verdict = verdict sprintf("; -c 1 %s: +%.0f µs added vs PgBouncer +%.0f µs", m, added["turnout"], added["pgbouncer"])
                        }
                    }
                }
            }
            print ""
        }
        printf "TPS and average latency are pgbench'"'"'s (`tps = … without initial connection time`, `latency average`); "
        printf "ratios are TPS ratios; \"added µs\" is the average latency minus direct'"'"'s for the same mode and client count.\n"
        printf "CPU used by processes outside this benchmark during the measured runs: mean %.0f%%, max %.0f%% of the machine (%s)%s.\n\n", \
            (nother ? sumother / nother : 0), maxother, (maxrun == "" ? "—" : maxrun), (maxother >= 10 ? " — **noisy: numbers may be skewed**" : "")
        if (!(have["turnout"] && have["pgbouncer"] && have["direct"])) {
            print "**Verdict: not evaluated** — the target compares Turnout with PgBouncer and direct; this run measured only: " targets "."
        } else if (incomplete != "") {
            print "**Verdict: NOT MET (incomplete run)** — missing or failed:" incomplete "."
        } else if (verdict_ok) {
            print "**Verdict: MET** — Turnout ≥ 1.0× PgBouncer TPS in every mode at -c 16, and its added latency at -c 1 is no worse than PgBouncer'"'"'s in every mode."
        } else {
            print "**Verdict: NOT MET** — target: Turnout ≥ 1.0× PgBouncer TPS in every mode at -c 16 and added latency at -c 1 ≤ PgBouncer'"'"'s; misses" substr(verdict, 2) "."
        }
    }' "$RESULTS"
    if [[ -s $PROFILE_MD ]]; then
        echo
        cat "$PROFILE_MD"
    fi
    if [[ -s $RUN_DIR/turnout-hot.txt ]]; then
        echo
        echo "Turnout profile (JFR, whole run incl. warm-up; \`bench/out/pgbench-$STAMP/turnout.jfr\`):"
        echo
        echo '```'
        cat "$RUN_DIR/turnout-hot.txt"
        echo '```'
    fi
    echo "<!-- pgbench:end -->"
} >"$SECTION"

# ---- write the section into the report (replace only our section) ----
write_section pgbench "$SECTION" "$OUT"
log "wrote $OUT (raw outputs: $RUN_DIR)"
sed -n '/^### /,$p' "$SECTION" | grep -v '^<!--' >&2

if grep -q 'fail(' "$RESULTS"; then
    log "some runs failed (see $RESULTS)"
    exit 1
fi
