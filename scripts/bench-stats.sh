#!/usr/bin/env bash
# Listening-statistics benchmarks (issue 15), side by side in one run:
#   1. `stats ingest` of a generated 1,000,000-line combined log against
#      GoAccess (Debian `goaccess`) on the same file;
#   2. server CPU per request with counting on and off (two bench_servers,
#      alternating wrk runs): 1 MiB ranges and whole 50 MB downloads;
#   3. `cargo bench --bench stats`: the HTML report over 10,000 episodes
#      and two years of counts, and the dedupe window's memory per client.
# Installs goaccess and wrk with apt when missing.
#   scripts/bench-stats.sh [LINES] [DURATION] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
duration=${2:-5s}
rounds=${3:-3}
need=()
command -v goaccess >/dev/null || need+=(goaccess)
command -v wrk >/dev/null || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
cargo build --quiet --release --bin podcatalog --example bench_server
bin=$PWD/target/release/podcatalog
dir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }

# 1. Ingest against GoAccess.
mkdir -p "$dir/show"
cp -r feed-config.toml episodes media "$dir/show/"
(cd "$dir/show" && "$bin" list >/dev/null)
python3 scripts/make-access-log.py "$lines" "$dir/show/media" >"$dir/access.log"
cp "$dir/show/podcatalog.db" "$dir/fresh.db"
ours=() theirs=()
for _ in $(seq "$rounds"); do
  cp "$dir/fresh.db" "$dir/show/podcatalog.db"; rm -f "$dir/show/podcatalog.db-wal" "$dir/show/podcatalog.db-shm"
  ours+=("$(cd "$dir/show" && seconds "$bin" stats ingest "$dir/access.log")")
  theirs+=("$(seconds goaccess "$dir/access.log" --log-format=COMBINED --no-global-config -o "$dir/goaccess.json")")
done
a=$(median "${ours[@]}") b=$(median "${theirs[@]}")
printf 'ingest %s lines: podcatalog %.2f s, GoAccess %.2f s, podcatalog/GoAccess time %.2f (runs %s | %s)\n' \
  "$lines" "$a" "$b" "$(echo "$a / $b" | bc -l)" "${ours[*]}" "${theirs[*]}"
# What one run counted (on a fresh catalogue), and that a second run of
# the same file counts nothing.
cp "$dir/fresh.db" "$dir/show/podcatalog.db"; rm -f "$dir/show/podcatalog.db-wal" "$dir/show/podcatalog.db-shm"
(cd "$dir/show" && "$bin" stats ingest "$dir/access.log" && "$bin" stats ingest "$dir/access.log")

# 2. CPU per request, counting on and off.
pin=()
command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]] && pin=(taskset -c 0)
client=()
command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]] && client=(taskset -c 1)
"${pin[@]}" target/release/examples/bench_server "$dir/on" 18490 1000 1 &
pids+=($!)
BENCH_STATS=off "${pin[@]}" target/release/examples/bench_server "$dir/off" 18491 1000 1 &
pids+=($!)
for port in 18490 18491; do
  for _ in $(seq 150); do curl -sf -o /dev/null "http://127.0.0.1:$port/feed.xml" && break; sleep 0.2; done
done
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Prints "REQ/S CPU_US_PER_REQUEST" for one wrk run against the server `pid`.
run() {
  local pid=$1 url=$2 conns=$3 before after out
  shift 3
  before=$(cpu_ticks "$pid")
  out=$("${client[@]}" wrk -t1 -c"$conns" -d"$duration" -H 'User-Agent: AppleCoreMedia/1.0.0.20E247 (iPhone; U; CPU OS 16_4 like Mac OS X; sv_se)' "$@" "$url")
  after=$(cpu_ticks "$pid")
  awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    /requests in/ {n = $1} /Requests\/sec/ {r = $2}
    END {printf "%s %.1f\n", r, t / hz * 1e6 / n}' <<<"$out"
}
compare() {
  local name=$1 conns=$2 on=() off=() r
  shift 2
  for _ in $(seq "$rounds"); do
    r=$(run "${pids[0]}" "http://127.0.0.1:18490/media/big.mp3" "$conns" "$@"); on+=("${r#* }")
    r=$(run "${pids[1]}" "http://127.0.0.1:18491/media/big.mp3" "$conns" "$@"); off+=("${r#* }")
  done
  a=$(median "${on[@]}") b=$(median "${off[@]}")
  printf '%-22s counting on %7.1f us CPU/req, off %7.1f us CPU/req, on/off %.3f (runs %s | %s)\n' \
    "$name" "$a" "$b" "$(echo "$a / $b" | bc -l)" "${on[*]}" "${off[*]}"
}
compare "1 MiB ranges" 64 -H 'Range: bytes=1048576-2097151'
compare "whole 50 MB downloads" 8

# 3. The report and the window's memory.
cargo bench --quiet --bench stats
