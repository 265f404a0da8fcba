#!/usr/bin/env bash
# Load test (issue 6): podcatalog over a synthetic catalogue (the
# bench_server example: EPISODES episodes and a 50 MB media/big.mp3) under
# wrk on loopback, next to nginx serving the very same feed bytes and file.
#
#   DURATION=60 scripts/bench-load.sh
#
# Settings (environment): DURATION (seconds of the mixed run, default 60),
# KIND_DURATION (seconds of each single-kind run, default DURATION/6, at
# least 3), EPISODES (10000), CONNECTIONS (64), WORKERS (1 tokio worker /
# nginx process). Runs, with scripts/bench-load.lua making the requests:
#   1. each request kind alone, for its p99 and the server's CPU time per
#      request (utime+stime from /proc/PID/stat): the feed plain and gzip,
#      a conditional gzip feed request answered 304, 1 MiB ranges at random
#      places of the 50 MB file (each also against nginx), episode pages
#      and searches (podcatalog only);
#   2. the mix of them all for DURATION seconds, with the server's resident
#      memory sampled every second.
# wrk's timeout is 30 s: the plain feed of 10,000 episodes is ~22 MB, and
# 64 clients fetching it at once take longer than wrk's default 2 s each
# (those would count as socket errors although the server is answering).
# Prints requests/s, p99, errors and non-2xx/3xx answers per run, CPU per
# request with the ratio to nginx, and podcatalog's peak RSS (VmHWM).
# Targets: zero errors, RSS < 100 MB, CPU ratio <= 1.0 (feed, 304) and
# <= 1.2 (ranges). Servers share CPU 0 and wrk gets CPU 1 when taskset and
# two CPUs are there.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${DURATION:-60}
kind_duration=${KIND_DURATION:-$((duration / 6 > 3 ? duration / 6 : 3))}
episodes=${EPISODES:-10000}
connections=${CONNECTIONS:-64}
workers=${WORKERS:-1}
ours=18500
theirs=18501

install() {
    local missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
    command -v curl >/dev/null || missing+=(curl)
    ((${#missing[@]} == 0)) && return
    local sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get install -y "${missing[@]}"
}
install
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
tck=$(getconf CLK_TCK)

dir=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

pin_server=() pin_client=()
if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then
    pin_server=(taskset -c 0) pin_client=(taskset -c 1)
fi

cargo build --quiet --release --example bench_server
"${pin_server[@]}" target/release/examples/bench_server "$dir/app" "$ours" "$episodes" "$workers" &
ours_pid=$!
pids+=("$ours_pid")
for _ in $(seq 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$ours/feed.xml" && break
    sleep 0.2
done

# nginx serves the very bytes podcatalog serves; one process, no master,
# so /proc/PID/stat holds all its CPU time.
mkdir -p "$dir/www"
curl -sf "http://127.0.0.1:$ours/feed.xml" -o "$dir/www/feed.xml"
curl -sf -H 'Accept-Encoding: gzip' "http://127.0.0.1:$ours/feed.xml" -o "$dir/www/feed.xml.gz"
ln -s "$dir/app/media" "$dir/www/media"
chmod -R a+rX "$dir"
scripts/nginx-conf.sh "$dir" "$theirs" "$workers" single >"$dir/nginx.conf"
"${pin_server[@]}" "$nginx_bin" -c "$dir/nginx.conf" -p "$dir" &
theirs_pid=$!
pids+=("$theirs_pid")
for _ in $(seq 50); do
    curl -sf -o /dev/null "http://127.0.0.1:$theirs/feed.xml" && break
    sleep 0.1
done

gzip_etag() {
    curl -sfI -H 'Accept-Encoding: gzip' "http://127.0.0.1:$1/feed.xml" |
        awk 'tolower($1) == "etag:" {sub(/\r$/, "", $2); print $2}'
}
ours_etag=$(gzip_etag "$ours")
theirs_etag=$(gzip_etag "$theirs")

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run NAME PORT PID ETAG KIND SECONDS: one wrk run; prints a result line
# and leaves "rps p99 errors cpu_us_per_request" in $dir/last.
run() {
    local name=$1 port=$2 pid=$3 etag=$4 kind=$5 secs=$6
    local before after out
    before=$(cpu_ticks "$pid")
    out=$(KIND=$kind ETAG=$etag EPISODES=$episodes "${pin_client[@]}" \
        wrk -t1 -c"$connections" -d"${secs}s" --timeout 30s --latency -s scripts/bench-load.lua \
        "http://127.0.0.1:$port")
    after=$(cpu_ticks "$pid")
    echo "$out" >"$dir/wrk-$name-$kind.txt"
    local requests rps p99 socket bad cpu
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    socket=$(awk '/Socket errors/ {gsub(/[^0-9 ]/, ""); for (i = 1; i <= NF; i++) n += $i} END {print n + 0}' <<<"$out")
    bad=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    cpu=$(echo "($after - $before) * 1000000 / $tck / $requests" | bc -l)
    printf '%-10s %-7s %9.0f req/s  p99 %9s  errors %s  non-2xx/3xx %s  CPU %7.1f µs/req\n' \
        "$name" "$kind" "$rps" "$p99" "${socket:-0}" "${bad:-0}" "$cpu"
    echo "$rps $p99 ${socket:-0} $cpu" >"$dir/last"
}

size=$(stat -c %s "$dir/www/feed.xml")
gz=$(stat -c %s "$dir/www/feed.xml.gz")
echo "catalogue: $episodes episodes; feed $size bytes plain, $gz gzip; media 50 MB;" \
    "wrk -t1 -c$connections; $workers worker(s); pinned: ${pin_server[*]:-no} / ${pin_client[*]:-no}"
echo "== each kind alone, ${kind_duration}s per run"
declare -A ratio
for kind in feed gzip 304 range; do
    run podcatalog "$ours" "$ours_pid" "$ours_etag" "$kind" "$kind_duration"
    read -r _ _ _ a <"$dir/last"
    run nginx "$theirs" "$theirs_pid" "$theirs_etag" "$kind" "$kind_duration"
    read -r _ _ _ b <"$dir/last"
    ratio[$kind]=$(echo "$a / $b" | bc -l)
done
for kind in page search; do
    run podcatalog "$ours" "$ours_pid" "$ours_etag" "$kind" "$kind_duration"
done

echo "== mixed, ${duration}s"
rss_log="$dir/rss.txt"
(
    while kill -0 "$ours_pid" 2>/dev/null; do
        awk '/VmRSS/ {print $2}' "/proc/$ours_pid/status" >>"$rss_log"
        sleep 1
    done
) &
sampler=$!
run podcatalog "$ours" "$ours_pid" "$ours_etag" mixed "$duration"
kill "$sampler" 2>/dev/null || true
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$ours_pid/status")
rss=$(awk 'NR == 1 {first = $1} {last = $1; if ($1 > max) max = $1} END {printf "%d → %d KiB (max %d)", first, last, max}' "$rss_log")

echo "== summary"
printf 'CPU per request, podcatalog / nginx: feed %.2f (target ≤ 1.0), gzip feed %.2f (≤ 1.0), 304 %.2f (≤ 1.0), 1 MiB ranges %.2f (≤ 1.2)\n' \
    "${ratio[feed]}" "${ratio[gzip]}" "${ratio[304]}" "${ratio[range]}"
echo "podcatalog memory: peak RSS (VmHWM) $((hwm / 1024)) MiB (target < 100); RSS during the mixed run $rss"
errors=$(cat "$dir"/wrk-podcatalog-*.txt | awk '/Socket errors/ {n++} /Non-2xx/ {n++} END {print n + 0}')
echo "podcatalog runs with socket errors or non-2xx/3xx answers: $errors (target 0)"
