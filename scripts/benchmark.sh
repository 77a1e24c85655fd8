#!/usr/bin/env bash
# One node under load: the capacity curve of one sportello server on this machine.
#
# Builds release binaries, starts the server (release, demo mode, loopback only) and runs
# sportello-loadtest for 1, 2, 4, 8, … meetings of 2 participants (audio + video), stopping
# when loss exceeds 1%, the CPU saturates, a participant fails, or the time budget is spent.
# Prints one table row per step; the JSON and HTML reports of every step are kept in $OUT.
#
# Environment (all optional):
#   BENCH_STEPS="1 2 4 8 16 32 64 128"  meetings per step
#   BENCH_DURATION=20                   steady window per step, seconds
#   BENCH_RAMP=10                       joins per second
#   BENCH_MEDIA="--media video --video-kbps 300 --fps 15"
#   BENCH_BUDGET=540                    stop before a step that would end after this many seconds
#   BENCH_OUT=target/benchmark/<time>   where reports and logs go
#   BENCH_NO_BUILD=1                    use the existing release binaries
set -euo pipefail
cd "$(dirname "$0")/.."

STEPS=${BENCH_STEPS:-"1 2 4 8 16 32 64 128"}
DURATION=${BENCH_DURATION:-20}
RAMP=${BENCH_RAMP:-10}
MEDIA=${BENCH_MEDIA:-"--media video --video-kbps 300 --fps 15"}
BUDGET=${BENCH_BUDGET:-540}
OUT=${BENCH_OUT:-target/benchmark/$(date -u +%Y%m%dT%H%M%SZ)}
PER_MEETING=2

for tool in jq awk; do
    command -v "$tool" >/dev/null || { echo "benchmark.sh needs $tool" >&2; exit 1; }
done

if [[ -z "${BENCH_NO_BUILD:-}" ]]; then
    cargo build --release -p sportello --bin sportello -p sportello-loadtest --bin sportello-loadtest
fi
SERVER_BIN=target/release/sportello
LOADTEST_BIN=target/release/sportello-loadtest

mkdir -p "$OUT/data"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT INT TERM

"$SERVER_BIN" --demo --listen 127.0.0.1:0 --media-listen 127.0.0.1:0 --data-dir "$OUT/data" \
    >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
URL=""
for _ in $(seq 1 300); do
    URL=$(grep -o 'READY http://[0-9.:]*' "$OUT/server.log" | head -n1 | cut -d' ' -f2 || true)
    [[ -n "$URL" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited:" >&2; cat "$OUT/server.log" >&2; exit 1; }
    sleep 0.1
done
[[ -n "$URL" ]] || { echo "server did not print READY within 30 s" >&2; exit 1; }

# The server's media UDP port, to read the drops of its socket from /proc/net/udp.
MEDIA_PORT=$(sed 's/\x1b\[[0-9;]*m//g' "$OUT/server.log" | grep -o 'media=[0-9.]*:[0-9]*' | head -n1 | cut -d: -f2)
server_socket_drops() {
    awk -v port="$(printf '%04X' "${MEDIA_PORT:-0}")" \
        'NR > 1 { split($2, a, ":"); if (a[2] == port) { print $NF; found = 1 } } END { if (!found) print 0 }' \
        /proc/net/udp | head -n1
}

NPROC=$(nproc)
MODEL=$(lscpu | grep 'Model name' | sed 's/Model name:[[:space:]]*//' || echo unknown)
{
    echo "machine: nproc=$NPROC, model: $MODEL, kernel $(uname -r)"
    echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "server: $SERVER_BIN (pid $SERVER_PID) at $URL; generator: $LOADTEST_BIN"
    echo "per step: $PER_MEETING participants/meeting, $MEDIA, ramp-up $RAMP/s, steady window ${DURATION}s"
    echo
} | tee "$OUT/summary.txt"

# UDP datagrams the kernel dropped because a receiving socket's buffer was full (this network
# namespace; on a loopback-only machine that is this benchmark and little else).
rcvbuf_errors() { awk '/^Udp:/ { n++ } /^Udp:/ && n == 2 { print $6 }' /proc/net/snmp; }

header=$(printf '%8s %6s %7s %7s %8s %8s %9s %8s %8s %8s %8s %8s %8s %9s %9s %8s %8s %s' \
    meetings parts streams loss% srv_cpu gen_cpu cpu_s/sm us/pkt join50 join95 join99 \
    lat50 lat99 rss_MiB KiB/part udp_drop srv_drop stop)
echo "$header" | tee -a "$OUT/summary.txt"

START=$(date +%s)
for m in $STEPS; do
    participants=$((m * PER_MEETING))
    # Worst case of this step: ramp-up + window + settling/draining/leaving slack.
    estimate=$(awk -v p="$participants" -v r="$RAMP" -v d="$DURATION" 'BEGIN { printf "%d", p / r + d + 25 }')
    elapsed=$(( $(date +%s) - START ))
    if (( elapsed + estimate > BUDGET )); then
        echo "(stopping: the next step would exceed the ${BUDGET}s budget)" | tee -a "$OUT/summary.txt"
        break
    fi
    json="$OUT/meetings-$m.json"
    drops_before=$(rcvbuf_errors)
    server_drops_before=$(server_socket_drops)
    set +e
    # shellcheck disable=SC2086 # $MEDIA holds several arguments
    "$LOADTEST_BIN" "$URL" --meetings "$m" --participants "$PER_MEETING" --ramp-up "$RAMP" \
        --duration "$DURATION" $MEDIA --server-pid "$SERVER_PID" \
        --room-prefix "bench-$m" --json "$json" --html "$OUT/meetings-$m.html" \
        >"$OUT/meetings-$m.txt" 2>"$OUT/meetings-$m.err"
    status=$?
    set -e
    drops=$(( $(rcvbuf_errors) - drops_before ))
    server_drops=$(( $(server_socket_drops) - server_drops_before ))
    if [[ ! -s "$json" ]]; then
        echo "step $m: no report (exit $status):" | tee -a "$OUT/summary.txt"
        tail -n 5 "$OUT/meetings-$m.err" | tee -a "$OUT/summary.txt"
        break
    fi
    row=$(jq -r --argjson nproc "$NPROC" '
        def r(n): if . == null then "-" else (. * pow(10; n) | round / pow(10; n) | tostring) end;
        [ .config.meetings,
          .outcome.connected,
          .window.forwarded_streams,
          (.window.loss_fraction * 100 | r(3)),
          (.server.cpu_cores | r(3)),
          (.generator.cpu_cores | r(3)),
          (.server.cpu_seconds_per_stream_minute | r(4)),
          (.server.cpu_us_per_forwarded_packet | r(1)),
          (.percentiles.join.p50_ms | r(1)),
          (.percentiles.join.p95_ms | r(1)),
          (.percentiles.join.p99_ms | r(1)),
          (.percentiles.latency.p50_ms | r(2)),
          (.percentiles.latency.p99_ms | r(2)),
          ((.server.rss_end_bytes // null) | if . == null then null else . / 1048576 end | r(1)),
          ((.server.rss_per_participant_bytes // null) | if . == null then null else . / 1024 end | r(0))
        ] | @tsv' "$json")
    stop=$(jq -r --argjson nproc "$NPROC" '
        if .outcome.connected < .outcome.participants then "participants failed"
        elif .window.loss_fraction > 0.01 then "loss > 1%"
        elif ((.server.cpu_cores // 0) >= 0.9 * $nproc) then "server CPU saturated"
        elif ((.server.cpu_cores // 0) + (.generator.cpu_cores // 0) >= 0.9 * $nproc) then "machine CPU saturated"
        else "" end' "$json")
    # shellcheck disable=SC2086 # split the TSV row into printf arguments
    printf '%8s %6s %7s %7s %8s %8s %9s %8s %8s %8s %8s %8s %8s %9s %9s %8s %8s %s\n' $row "$drops" "$server_drops" "$stop" \
        | tee -a "$OUT/summary.txt"
    [[ -n "$stop" ]] && break
    sleep 2
done
{
    echo
    echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg); total $(( $(date +%s) - START ))s"
    echo "reports: $OUT/meetings-*.{json,html,txt}"
    echo "columns: loss% in the steady window; srv_cpu/gen_cpu = mean cores of server/load generator;"
    echo "cpu_s/sm = server CPU-seconds per forwarded stream-minute; us/pkt = server CPU µs per"
    echo "forwarded packet; join = ms to 'joined'; lat = one-way ms generator→server→generator;"
    echo "rss = server RSS at the end of the window; KiB/part = RSS growth per participant;"
    echo "udp_drop = UDP datagrams dropped on full receive buffers during the step (all sockets,"
    echo "/proc/net/snmp RcvbufErrors); srv_drop = of those, on the server's media socket (/proc/net/udp)."
} | tee -a "$OUT/summary.txt"
