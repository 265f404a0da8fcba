#!/usr/bin/env bash
# The other systems producers use, checked from Linux (scripts/test.sh runs
# this; any failure fails the run, nothing is skipped):
#  1. Windows: `cargo clippy --all-targets` for x86_64-pc-windows-gnu, with
#     Debian's mingw-w64 compiling the C parts (bundled SQLite, aws-lc).
#  2. macOS: the same for x86_64-apple-darwin, Rust code only: the C parts
#     need Apple's SDK, which Debian lacks, so the C compiler and archiver
#     are stubbed with `true` (a check links nothing).
#  3. The Windows build's CLI smoke test under Debian's wine: create (the
#     first command), import, add, list, show, feed, backup (twice: the
#     second replaces the first), export (twice), serve (a big feed and a
#     big file, whole and ranged) and build in a copy of
#     the shipped project, with Windows paths (`Z:\...`) for --config, the
#     audio and the build folder, and an episode file with CRLF endings.
# Installs mingw-w64, wine and the Rust targets when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
windows=x86_64-pc-windows-gnu
macos=x86_64-apple-darwin

missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(mingw-w64)
[ -x /usr/lib/wine/wine64 ] || missing+=(wine wine64)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for target in "$windows" "$macos"; do
  rustup target list --installed | grep -qx "$target" || rustup target add "$target"
done

# 1 and 2: it compiles, lints and all.
cargo clippy --all-targets --target "$windows" -- -D warnings
CC_x86_64_apple_darwin=true AR_x86_64_apple_darwin=true \
  cargo clippy --all-targets --target "$macos" -- -D warnings

# 3: the Windows CLI under wine. Debian's wine 8 lacks bcryptprimitives.dll,
# where Rust's standard library gets random bytes: a stand-in goes beside
# the binary (scripts/windows/).
cargo build --target "$windows" --bin podcatalog
work=$(mktemp -d)
trap '/usr/lib/wine/wineserver -k 2>/dev/null || true; rm -rf "$work"' EXIT
cp "target/$windows/debug/podcatalog.exe" "$work/"
x86_64-w64-mingw32-gcc -O2 -shared -o "$work/bcryptprimitives.dll" \
  scripts/windows/bcryptprimitives.c -ladvapi32
export WINEPREFIX="$work/wine" WINEDEBUG=-all
proj="$work/project"
mkdir "$proj"
cp -r feed-config.toml episodes media "$proj/"
cp tests/fixtures/audio/cbr.mp3 "$work/inspelning.mp3"

# `podcatalog ARGS` under wine in the project folder; output in $work/out.
passed=0
pc() { (cd "$proj" && /usr/lib/wine/wine64 "$work/podcatalog.exe" "$@") >"$work/out" 2>"$work/err" || {
  echo "FAILED: podcatalog $*"; cat "$work/err"; exit 1; }; }
winpath() { echo "Z:${1//\//\\}"; }
fail() { echo "FAILED: $1"; cat "$work/out"; exit 1; }
expect() { grep -q -- "$1" "$work/out" || fail "no '$1' in the output of $2"; passed=$((passed + 1)); }
refuse() { ! grep -q -- "$1" "$work/out" || fail "'$1' in the output of $2"; passed=$((passed + 1)); }

pc list;                       expect "Mänskliga rättigheter" "list (creates and imports)"
# An episode file as a Windows editor saves it: CRLF line endings.
first="$proj/episodes/$(ls "$proj/episodes" | head -1)"
sed 's/$/\r/' "$first" >"$work/crlf.toml" && mv "$work/crlf.toml" "$first"
pc import;                     expect "0 updated, 9 unchanged" "import of a CRLF file"
pc show 9 --json;              refuse '\\r' "show of the CRLF file"
pc --config "$(winpath "$proj/feed-config.toml")" add --number 90 --title "Vinterresan" \
  --published 2023-01-10 --host "Nils Munthe" --theme medborgardialog \
  --audio "$(winpath "$work/inspelning.mp3")"
pc list --json;                expect '"title": "Vinterresan"' "list --json"
pc show 90;                    expect "Vinterresan" "show"
pc feed;                       expect "<title>Vinterresan</title>" "feed"
refuse $'\r' "feed"
# Replacing an existing file (rename over it), which Windows does its own way.
pc backup "$(winpath "$work/copy.db")"
pc backup --force "$(winpath "$work/copy.db")"
[ -s "$work/copy.db" ] || fail "no backup"
passed=$((passed + 1))
pc export "$(winpath "$work/exported")"
pc export "$(winpath "$work/exported")"
ls "$work/exported" | grep -q '^090-vinterresan\.toml$' || fail "export wrote no 090-vinterresan.toml"
passed=$((passed + 1))
# The server on the portable path: a feed over 64 KiB (kept in a
# delete-on-close file and read back) and a 2.5 MB file, whole and ranged.
{ printf 'title = "Långa anteckningar"\npublished = 2023-02-01\nthemes = ["medborgardialog"]\n'
  printf 'description = """\n'
  for i in $(seq 900); do printf 'Rad %d: om medborgardialog i kommuner och regioner.\n' "$i"; done
  printf '"""\n'; } >"$work/lang.toml"
cp tests/fixtures/audio/mpeg2-22k.mp3 "$work/lang.mp3"
pc add --file "$(winpath "$work/lang.toml")" --number 91 --audio "$(winpath "$work/lang.mp3")"
pc feed
cp "$work/out" "$work/feed.xml"
[ "$(wc -c <"$work/feed.xml")" -gt 65536 ] || fail "the feed is not over 64 KiB"
head -c 2500000 /dev/urandom >"$proj/media/stor.bin"
# Debug logs of the bodies module say when a feed could not go to a file.
(cd "$proj" && RUST_LOG=warn,podcatalog::web::bodies=debug \
  exec /usr/lib/wine/wine64 "$work/podcatalog.exe" serve --addr 127.0.0.1:0 \
  --base-url http://127.0.0.1:8080/) >/dev/null 2>"$work/serve.err" &
base=
for _ in $(seq 120); do
  base=$(sed -n 's|^serving on \(http://[^ ]*/\) .*|\1|p' "$work/serve.err")
  [ -n "$base" ] && break
  sleep 0.5
done
[ -n "$base" ] || { cat "$work/serve.err"; fail "serve did not start"; }
curl -sf "${base}feed.xml" -o "$work/served.xml" || fail "GET feed.xml"
cmp -s "$work/served.xml" "$work/feed.xml" || fail "the served feed differs from podcatalog feed"
curl -sf -H 'Accept-Encoding: gzip' "${base}feed.xml" | gunzip | cmp -s - "$work/feed.xml" \
  || fail "the gzip feed is not the feed"
grep -q "kept in memory\|cannot keep the feed" "$work/serve.err" && fail "the feed was not kept in a file"
curl -sf "${base}media/stor.bin" | cmp -s - "$proj/media/stor.bin" || fail "whole file"
curl -sf -H 'Range: bytes=1000000-2200000' "${base}media/stor.bin" \
  | cmp -s - <(tail -c +1000001 "$proj/media/stor.bin" | head -c 1200001) || fail "range"
passed=$((passed + 1))
pc build "$(winpath "$work/site")"
[ -s "$work/site/feed.xml" ] || fail "build wrote no feed.xml"
ls "$work/site/media" | grep -q '^90-vinterresan-.*\.mp3$' || fail "no audio in the build"
passed=$((passed + 1))
echo "windows smoke test: $passed passed, 0 failed"
