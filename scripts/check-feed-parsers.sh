#!/usr/bin/env bash
# Reads a feed with two widely used parsers from other ecosystems, Python's
# feedparser (PyPI) and Node's rss-parser (npm), and fails unless both see
# every <item> with its enclosure (url, length, audio type), duration, date
# and guid.
#
#   scripts/check-feed-parsers.sh [FEED.xml]
#
# Without an argument it renders the shipped project's feed (`podcatalog
# feed` on a temporary copy, so the repository gets no database). Installs
# the parsers when missing: feedparser with pip, rss-parser into
# target/feed-parsers/ (git-ignored). A missing python3 or npm is an error,
# never a skip.
set -euo pipefail

cd "$(dirname "$0")/.."
die() { echo "check-feed-parsers: $*" >&2; exit 1; }
command -v python3 >/dev/null || die "python3 is required"
command -v node >/dev/null || die "node is required"
command -v npm >/dev/null || die "npm is required"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
feed=${1:-}
if [[ -z "$feed" ]]; then
    cp -r feed-config.toml episodes media "$tmp/"
    cargo run --quiet -- --config "$tmp/feed-config.toml" feed >"$tmp/feed.xml"
    feed="$tmp/feed.xml"
fi
[[ -s "$feed" ]] || die "$feed is empty or missing"
expected=$(grep -c '<item>' "$feed" || true)
[[ "$expected" -gt 0 ]] || die "$feed has no <item>"

python3 -c 'import feedparser' 2>/dev/null || python3 -m pip install --quiet feedparser
node_dir=target/feed-parsers
if [[ ! -d "$node_dir/node_modules/rss-parser" ]]; then
    mkdir -p "$node_dir"
    npm install --prefix "$node_dir" --silent --no-audit --no-fund rss-parser@3
fi

python3 - "$feed" "$expected" <<'PY'
import sys, feedparser
path, expected = sys.argv[1], int(sys.argv[2])
d = feedparser.parse(path)
assert not d.bozo, f"feedparser: not well-formed: {d.get('bozo_exception')}"
assert len(d.entries) == expected, f"feedparser read {len(d.entries)} of {expected} items"
for e in d.entries:
    title = e.get("title", "?")
    enc = e.get("enclosures", [])
    assert len(enc) == 1, f"{title}: {len(enc)} enclosures"
    assert enc[0].get("href"), f"{title}: enclosure without url"
    assert int(enc[0].get("length", 0)) > 0, f"{title}: enclosure without length"
    assert enc[0].get("type", "").startswith("audio/"), f"{title}: enclosure type"
    assert e.get("itunes_duration", "").isdigit(), f"{title}: itunes:duration"
    assert e.get("published_parsed"), f"{title}: pubDate"
    assert e.get("id"), f"{title}: guid"
print(f"feedparser {feedparser.__version__}: {expected} items, all complete")
PY

NODE_PATH="$node_dir/node_modules" node - "$feed" "$expected" <<'JS'
const fs = require("fs");
const Parser = require("rss-parser");
const [path, expected] = process.argv.slice(2);
new Parser().parseString(fs.readFileSync(path, "utf8")).then((feed) => {
  const fail = (msg) => { console.error(`rss-parser: ${msg}`); process.exit(1); };
  if (feed.items.length !== Number(expected)) fail(`read ${feed.items.length} of ${expected} items`);
  for (const item of feed.items) {
    const e = item.enclosure || {};
    if (!e.url || !(Number(e.length) > 0) || !String(e.type).startsWith("audio/")) fail(`${item.title}: enclosure ${JSON.stringify(e)}`);
    if (!/^\d+$/.test((item.itunes || {}).duration || "")) fail(`${item.title}: itunes:duration`);
    if (!item.isoDate || isNaN(Date.parse(item.isoDate))) fail(`${item.title}: pubDate`);
    if (!item.guid) fail(`${item.title}: guid`);
  }
  console.log(`rss-parser: ${expected} items, all complete`);
}).catch((err) => { console.error(`rss-parser: ${err}`); process.exit(1); });
JS
