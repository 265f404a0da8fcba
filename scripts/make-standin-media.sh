#!/usr/bin/env bash
# Generates the stand-in audio for the shipped episodes: a short spoken
# Swedish clip per episode file (espeak-ng reads the title and a sentence
# saying it is a stand-in), encoded as mono 32 kbps MP3 with lame.
# The real recordings are SKR's; these only let the service run out of the box.
# Usage: scripts/make-standin-media.sh   (run from anywhere; writes media/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
for tool in espeak-ng lame; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y espeak-ng lame" >&2; exit 1; }
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for f in "$root"/episodes/*.toml; do
  audio=$(sed -n 's/^audio = "\(.*\)"$/\1/p' "$f")
  [ -n "$audio" ] || continue
  title=$(sed -n 's/^title = "\(.*\)"$/\1/p' "$f" | head -n 1)
  number=$(sed -n 's/^number = \([0-9]*\)$/\1/p' "$f")
  intro="Demokratiresan${number:+, avsnitt $number}."
  text="$intro $title. Det här är en kort ersättningsinspelning. Det riktiga avsnittet kommer från Sveriges Kommuner och Regioner."
  espeak-ng -v sv -s 150 -w "$tmp/a.wav" "$text"
  lame --quiet -m m -b 32 --resample 22.05 --tt "$title" --ta "Demokratiresan" --tl "Demokratiresan" \
    "$tmp/a.wav" "$root/media/$audio"
  echo "media/$audio"
done
