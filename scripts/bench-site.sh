#!/usr/bin/env bash
# Website benchmark (issue 5): a synthetic catalogue of 10,000 episodes,
# 30,000 people and 100 themes. Reports
#   1. the median in-process render time of each page type (target < 2 ms)
#      and of a few searches (no HTTP);
#   2. each page type's weight: HTML plus the CSS and JS it links, before
#      artwork (target < 50 kB);
#   3. search over HTTP on loopback under wrk, p50 and p99 per query kind
#      (target p99 < 5 ms), against /api/search and the /sok page.
#
#   scripts/bench-site.sh [EPISODES] [PEOPLE] [THEMES] [DURATION] [CONNECTIONS]
#
# Defaults: 10000 30000 100 10s 4 (one wrk thread). Needs `wrk` (apt).
# The catalogue is kept in target/bench-site/ and reused while the
# generator and the sizes are unchanged (writing it takes minutes).
# BENCH_URL=http://127.0.0.1:PORT measures a server already running on
# that catalogue instead (e.g. an older build, to compare in one run).
# ONLY=REGEX times only the query kinds whose names match (e.g.
# ONLY=UNCACHED-broad), to repeat one figure without the others.
# ROUNDS=N times every kind N times, round after round, and reports the
# medians and the range of p99 (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
episodes=${1:-10000}
people=${2:-30000}
themes=${3:-100}
duration=${4:-10s}
connections=${5:-4}
port=18490
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }

pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup EXIT

if [ -n "${BENCH_URL:-}" ]; then
    url=${BENCH_URL%/}
else
    url="http://127.0.0.1:$port"
    dir=target/bench-site/$episodes-$people-$themes
    mkdir -p "$dir"
    nice cargo build --quiet --release --example bench_site
    target/release/examples/bench_site "$dir" "$port" "$episodes" "$people" "$themes" >"$dir/render.txt" &
    pid=$!
    for _ in $(seq 3000); do
        curl -sf -o /dev/null "$url/" && break
        kill -0 "$pid" 2>/dev/null || { echo "bench_site exited" >&2; exit 1; }
        sleep 0.2
    done
    echo "== render, in process (median)"
    cat "$dir/render.txt"
fi

echo
echo "== page weight: HTML + linked CSS and JS, uncompressed, before artwork"
printf '%-26s %8s %8s %8s\n' page html css+js total
for path in / /avsnitt/samtal-5000 /personer/anna-berg-20 /teman/tema-7 /personer "/sok?q=samtal"; do
    html=$(curl -sf "$url$path")
    page=$(printf '%s' "$html" | wc -c)
    assets=0
    for a in $(printf '%s' "$html" | grep -oE '(href|src)="/assets/[^"]+\.(css|js)"' | sed -E 's/^[a-z]+="([^"]+)"$/\1/' | sort -u); do
        assets=$((assets + $(curl -sf "$url$a" | wc -c)))
    done
    printf '%-26s %8d %8d %8d\n' "$path" "$page" "$assets" $((page + assets))
done

# Query kinds: what a listener types, from the rarest to the broadest.
# Every synthetic episode has "samtal" and "demokrati" in its title and the
# host Nils Munthe, so those match all 10,000; "s" is a one-letter prefix
# of thousands of words; a person plus a theme must combine; the hostile
# ones are FTS5 syntax, 7.8 kB of words (just under the 8 KiB URL limit:
# searched) and 15 kB (over it: the friendly 414, timed as such).
long=$(printf 'ord%%20%.0s' $(seq 1300))
longer=$(printf 'ord%%20%.0s' $(seq 2500))
kinds=(
    "rare-name|/api/search?q=marta+noren"
    "name-and-theme|/api/search?q=oberg&theme=tema-7"
    "person-and-theme|/api/search?person=anna-berg-20&theme=tema-45"
    "host-and-theme|/api/search?person=nils-munthe&theme=tema-7"
    "common-word|/api/search?q=samtal"
    "common-words|/api/search?q=samtal+demokrati"
    "common-deep-page|/api/search?q=samtal&page=400"
    "prefix-1-letter|/api/search?q=s"
    "prefix-typing|/api/search?q=munt&page=3"
    "word-and-theme|/api/search?q=samtal&theme=tema-7"
    "hostile-syntax|/api/search?q=%22+AND+%28+*+OR+%22samtal"
    "hostile-7.8kB|/api/search?q=$long"
    "hostile-15kB-414|/api/search?q=$longer"
    "empty-filters-only|/api/search?theme=tema-42"
    "page-rare|/sok?q=marta+noren"
    "page-common|/sok?q=samtal"
    "page-prefix-1|/sok?q=s"
)

# Uncached: each request a page the server has not answered yet. The
# common word in a random mix of cases on a random page: the server ranks
# a query once per catalogue revision (ASCII case folded, every page cut
# from that ranking), so after the first request this measures cutting
# and building pages, not ranking. A random guest number (selective): a
# new ranking for nearly every request. Three words drawn from ones every
# synthetic episode has (broad): a new ranking of all 10,000 episodes for
# nearly every request, the worst case (bm25 inside FTS5, ~10 ms each).
lua=$(mktemp --suffix=.lua)
trap 'cleanup; rm -f "$lua" "$lua.rare" "$lua.broad"' EXIT
cat >"$lua" <<'LUA'
math.randomseed(os.time())
request = function()
  local q = ("samtal"):gsub("%a", function(c) if math.random() < 0.5 then return c:upper() end return c end)
  return wrk.format("GET", "/api/search?q=" .. q .. "&page=" .. math.random(1, 500))
end
LUA
cat >"$lua.rare" <<'LUA'
math.randomseed(os.time() + 1)
request = function()
  return wrk.format("GET", "/api/search?q=" .. math.random(1000, 29999))
end
LUA
cat >"$lua.broad" <<'LUA'
math.randomseed(os.time() + 2)
local words = {"samtal", "demokrati", "medborgardialog", "kommuner", "regioner",
  "invanare", "paverka", "fortroendevalda", "lar", "hander", "efterat",
  "medverkande", "programledare", "skr", "gaster", "erfarenhet", "arbetet",
  "rapporten", "dialog", "avsnittet", "samtalar", "vara", "med", "och", "vad"}
request = function()
  local q = {}
  for i = 1, 3 do q[i] = words[math.random(#words)] end
  return wrk.format("GET", "/api/search?q=" .. table.concat(q, "+"))
end
LUA
uncached=(
    "UNCACHED-common|$lua|/api/search?q=sAmTaL&page=N"
    "UNCACHED-rare|$lua.rare|/api/search?q=N (a guest number)"
    "UNCACHED-broad|$lua.broad|/api/search?q=W+W+W (3 of 25 common words)"
)

# wrk's latency line ("99%  12.34ms") in milliseconds.
ms() {
    awk -v p="$1" '$1 == p {
        v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000;
        printf "%.2f", v }'
}

# Every kind as name|script|path (no script: the path is requested as is).
all=()
for kind in "${kinds[@]}"; do all+=("${kind%%|*}||${kind#*|}"); done
all+=("${uncached[@]}")

# ROUNDS=N runs every kind N times, one round of all kinds after another,
# and reports each figure's median: a noisy spell on a shared machine then
# spoils one round of every kind rather than every round of one.
rounds=${ROUNDS:-1}
declare -A p50s p99s rates
for _ in $(seq "$rounds"); do
    for i in "${!all[@]}"; do
        IFS='|' read -r name script path <<<"${all[$i]}"
        [[ $name =~ ${ONLY:-.} ]] || continue
        if [ -n "$script" ]; then
            out=$(wrk -t1 -c"$connections" -d"$duration" --latency -s "$script" "$url/")
        else
            out=$(wrk -t1 -c"$connections" -d"$duration" --latency "$url$path")
        fi
        # Kinds named *-414 expect that answer.
        if [[ $name != *-414 ]] && printf '%s' "$out" | grep -qE 'Non-2xx|Socket errors'; then
            echo "$name: errors" >&2
            printf '%s\n' "$out" | grep -E 'Non-2xx|Socket errors' >&2
        fi
        p50s[$i]+="$(printf '%s' "$out" | ms 50%) "
        p99s[$i]+="$(printf '%s' "$out" | ms 99%) "
        rates[$i]+="$(printf '%s' "$out" | awk '/Requests\/sec/ {printf "%.0f", $2}') "
    done
done

# The median (the lower middle) and the range of a list of numbers.
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {if (NR) print a[int((NR + 1) / 2)]}'; }
range() { tr ' ' '\n' | grep -v '^$' | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {if (NR) print lo "-" hi}'; }

echo
echo "== search under load: wrk -t1 -c$connections -d$duration --latency (ms), median of $rounds round(s)"
printf '%-20s %8s %8s %13s %9s  %s\n' kind p50 p99 'p99 range' req/s path
for i in "${!all[@]}"; do
    IFS='|' read -r name script path <<<"${all[$i]}"
    [[ -n ${p99s[$i]:-} ]] || continue
    printf '%-20s %8s %8s %13s %9s  %.60s\n' "$name" \
        "$(median <<<"${p50s[$i]}")" "$(median <<<"${p99s[$i]}")" \
        "$(range <<<"${p99s[$i]}")" "$(median <<<"${rates[$i]}")" "$path"
done
