#!/usr/bin/env bash
# Serving benchmark: podcatalog vs nginx on loopback, same bytes, same
# worker count, measured with wrk (apt packages `wrk` and `nginx`).
#
#   scripts/bench-serve.sh [EPISODES] [WORKERS] [DURATION] [ROUNDS]
#
# Defaults: 1000 episodes, 1 worker (tokio worker thread / nginx worker
# process), 5s per run, 3 alternating rounds, 64 connections on one wrk
# thread. Runs:
#   1. GET /feed.xml (plain)
#   2. GET /feed.xml with Accept-Encoding: gzip (nginx: gzip_static)
#   3. GET /media/big.mp3 with Range: bytes=1048576-2097151 (1 MiB of 50 MB)
#   4. 256 clients downloading the whole 50 MB file: podcatalog's peak RSS
# and prints wrk's Requests/sec and Transfer/sec for each server.
#
# PODCATALOG_PORTABLE_IO=1 runs podcatalog on its portable path (plain
# reads and writes, as on Windows and macOS) instead of sendfile: run the
# script both ways to see what the portable path costs.
set -euo pipefail

cd "$(dirname "$0")/.."
episodes=${1:-1000}
workers=${2:-1}
duration=${3:-5s}
rounds=${4:-3}
ours=18480
theirs=18481
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || { echo "nginx is required" >&2; exit 1; }
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

dir=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

# With taskset, servers share CPU 0 and wrk gets CPU 1, so the client does
# not steal the server's core (both servers are pinned the same way).
pin_server=() pin_client=()
if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then
    pin_server=(taskset -c 0) pin_client=(taskset -c 1)
fi

cargo build --quiet --release --example bench_server
"${pin_server[@]}" target/release/examples/bench_server "$dir/app" "$ours" "$episodes" "$workers" &
pids+=($!)
for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$ours/feed.xml" && break
    sleep 0.2
done

# nginx serves the very bytes podcatalog serves.
mkdir -p "$dir/www"
curl -sf "http://127.0.0.1:$ours/feed.xml" -o "$dir/www/feed.xml"
curl -sf -H 'Accept-Encoding: gzip' "http://127.0.0.1:$ours/feed.xml" -o "$dir/www/feed.xml.gz"
ln -s "$dir/app/media" "$dir/www/media"
# nginx workers run as an unprivileged user: let them read the files.
chmod -R a+rX "$dir"
scripts/nginx-conf.sh "$dir" "$theirs" "$workers" >"$dir/nginx.conf"
"${pin_server[@]}" "$nginx_bin" -c "$dir/nginx.conf" -p "$dir" &
pids+=($!)
sleep 0.5
nginx_worker=$(pgrep -P "${pids[1]}" | head -1)

size=$(stat -c %s "$dir/www/feed.xml")
io=sendfile
[[ -n ${PODCATALOG_PORTABLE_IO:-} && ${PODCATALOG_PORTABLE_IO} != 0 ]] && io=portable
echo "podcatalog on its $io path"
echo "feed: $episodes episodes, $size bytes plain; $workers worker(s); wrk -t1 -c64 -d$duration x $rounds rounds, alternating; pinned: ${pin_server[*]:-no} / ${pin_client[*]:-no}"
# Each case runs podcatalog and nginx alternately, $rounds times, and
# reports the median, so a burst of load from elsewhere hits both alike.
# Also prints each server's CPU time per request (user + system, from
# /proc): steadier than req/s when other work shares the machine.
compare() {
    local path=$1
    shift
    local ours_rps=() theirs_rps=() ours_cpu=() theirs_cpu=() r
    for _ in $(seq "$rounds"); do
        r=$(rps "${pids[0]}" "http://127.0.0.1:$ours$path" "$@")
        ours_rps+=("${r% *}") ours_cpu+=("${r#* }")
        r=$(rps "$nginx_worker" "http://127.0.0.1:$theirs$path" "$@")
        theirs_rps+=("${r% *}") theirs_cpu+=("${r#* }")
    done
    local a b
    a=$(median "${ours_rps[@]}")
    b=$(median "${theirs_rps[@]}")
    printf '%-34s podcatalog %9.0f req/s %5.0f us CPU/req   nginx %9.0f req/s %5.0f us CPU/req   ratio %.2f   (runs: %s | %s)\n' \
        "$path ${*:2}" "$a" "$(median "${ours_cpu[@]}")" "$b" "$(median "${theirs_cpu[@]}")" \
        "$(echo "$a / $b" | bc -l)" "${ours_rps[*]}" "${theirs_rps[*]}"
}
# Prints "REQ/S CPU_US_PER_REQUEST" for one wrk run against the server `pid`.
rps() {
    local pid=$1 url=$2
    shift 2
    local before after out
    before=$(cpu_ticks "$pid")
    out=$("${pin_client[@]}" wrk -t1 -c64 -d"$duration" "$@" "$url")
    after=$(cpu_ticks "$pid")
    awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" '
        /requests in/ {n = $1} /Requests\/sec/ {r = $2}
        END {printf "%s %.0f\n", r, t / hz * 1e6 / n}' <<<"$out"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

compare /feed.xml
compare /feed.xml -H 'Accept-Encoding: gzip'
compare /media/big.mp3 -H 'Range: bytes=1048576-2097151'

# Memory while 256 clients download the whole 50 MB file at once.
rss_max=0
("${pin_client[@]}" wrk -t1 -c256 -d"$duration" "http://127.0.0.1:$ours/media/big.mp3" >"$dir/wrk-big.txt") &
wrk_pid=$!
while kill -0 "$wrk_pid" 2>/dev/null; do
    rss=$(ps -o rss= -p "${pids[0]}" | tr -d ' ')
    ((rss > rss_max)) && rss_max=$rss
    sleep 0.2
done
echo "podcatalog: 256 clients downloading the whole 50 MB file:" \
    "$(awk '/Transfer\/sec/ {print $2}' "$dir/wrk-big.txt")/s, peak RSS ${rss_max} KiB"
