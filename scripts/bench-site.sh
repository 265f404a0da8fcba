#!/usr/bin/env bash
# Website benchmark (issue 5): a synthetic catalogue of 10,000 episodes,
# 30,000 people and 100 themes; prints the median in-process render time
# of each page type and of searches, then measures search and pages over
# HTTP on loopback with wrk (latency percentiles).
#
#   scripts/bench-site.sh [EPISODES] [PEOPLE] [THEMES] [DURATION] [CONNECTIONS]
#
# Defaults: 10000 30000 100 10s 4 (one wrk thread). Needs `wrk` (apt).
set -euo pipefail
cd "$(dirname "$0")/.."
episodes=${1:-10000}
people=${2:-30000}
themes=${3:-100}
duration=${4:-10s}
connections=${5:-4}
port=18490
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }

dir=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

cargo build --quiet --release --example bench_site
target/release/examples/bench_site "$dir/app" "$port" "$episodes" "$people" "$themes" &
pid=$!
for _ in $(seq 3000); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.2
done

# Selective searches (a guest's name, name + theme, a person filter), then
# searches whose words are in every synthetic episode (the title's
# "samtal", the host's name), then pages.
for path in "/api/search?q=anna+berg" "/api/search?q=oberg&theme=tema-7" "/api/search?person=anna-berg-20" \
    "/api/search?q=kommun+275" "/api/search?q=samtal+demokrati" "/api/search?q=munt&page=3" \
    "/sok?q=oberg" "/" "/avsnitt/samtal-5000" "/personer/anna-berg-20" "/teman/tema-7"; do
    echo "== GET $path (wrk -t1 -c$connections -d$duration)"
    wrk -t1 -c"$connections" -d"$duration" --latency "http://127.0.0.1:$port$path" |
        grep -E "Requests/sec|^ +(50|90|99)%|Non-2xx|errors"
done
