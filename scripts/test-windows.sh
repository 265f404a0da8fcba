#!/usr/bin/env bash
# The Windows build's CLI smoke test under Debian's wine: create (the first
# command), import, add, list, feed and build in a copy of the shipped
# project, with Windows paths (`Z:\...`) for --config and the audio, and an
# episode file with CRLF line endings. Installs mingw-w64, wine and the
# Rust target when missing; any failure fails the run.
#
# Not part of scripts/test.sh: linking the Windows binary and installing
# wine cost several minutes on the 2-core CI machine, while the
# `clippy --target x86_64-pc-windows-gnu` in scripts/test.sh already proves
# the code compiles for Windows. Run it after changing platform code.
set -euo pipefail
cd "$(dirname "$0")/.."
windows=x86_64-pc-windows-gnu

missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(mingw-w64)
[ -x /usr/lib/wine/wine64 ] || missing+=(wine wine64)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
rustup target list --installed | grep -qx "$windows" || rustup target add "$windows"

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
pc() { (cd "$proj" && /usr/lib/wine/wine64 "$work/podcatalog.exe" "$@") >"$work/out" 2>"$work/err" || {
  echo "FAILED: podcatalog $*"; cat "$work/err"; exit 1; }; }
winpath() { echo "Z:${1//\//\\}"; }
expect() { grep -q -- "$1" "$work/out" || { echo "FAILED: no '$1' in the output of $2"; cat "$work/out"; exit 1; }; }

pc list;                                               expect "Mänskliga rättigheter" "list (create)"
# An episode file as a Windows editor saves it: CRLF line endings.
sed 's/$/\r/' "$proj/episodes/$(ls "$proj/episodes" | head -1)" >"$work/crlf.toml"
mv "$work/crlf.toml" "$proj/episodes/$(ls "$proj/episodes" | head -1)"
pc import;                                             expect "" "import"
pc --config "$(winpath "$proj/feed-config.toml")" add --number 90 --title "Vinterresan" \
  --published 2023-01-10 --host "Nils Munthe" --theme medborgardialog \
  --audio "$(winpath "$work/inspelning.mp3")"
pc list --json;                                        expect '"title": "Vinterresan"' "list --json"
pc show 90;                                            expect "Vinterresan" "show"
pc feed;                                               expect "<title>Vinterresan</title>" "feed"
grep -q $'\r' "$work/out" && { echo "FAILED: a CR in the feed"; exit 1; }
pc build "$(winpath "$work/site")"
[ -s "$work/site/feed.xml" ] || { echo "FAILED: build wrote no feed.xml"; exit 1; }
ls "$work/site/media" | grep -q '^90-vinterresan-.*\.mp3$' || { echo "FAILED: no audio in the build"; exit 1; }
echo "windows smoke test: 7 passed, 0 failed"
