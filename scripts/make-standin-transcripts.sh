#!/usr/bin/env bash
# Writes a WebVTT transcript next to each stand-in clip that
# scripts/make-standin-media.sh made, saying exactly what the clip says
# (the episode's number and title, and that it is a stand-in), one cue per
# sentence, timed in proportion to the sentence's length over the clip's
# probed duration. Adds `transcript = "…vtt"` to the episode file when missing.
# These describe the stand-in audio only: replace them with the real
# transcripts together with the real recordings.
# Usage: scripts/make-standin-transcripts.sh   (run from anywhere)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build --quiet
bin=target/debug/podcatalog
stamp() { printf '%02d:%02d.%03d' $(($1 / 60000)) $(($1 / 1000 % 60)) $(($1 % 1000)); }
for f in episodes/*.toml; do
  audio=$(sed -n 's/^audio = "\(.*\)"$/\1/p' "$f")
  [ -n "$audio" ] || continue
  title=$(sed -n 's/^title = "\(.*\)"$/\1/p' "$f" | head -n 1)
  number=$(sed -n 's/^number = \([0-9]*\)$/\1/p' "$f")
  vtt="${audio%.*}.vtt"
  duration=$("$bin" probe "media/$audio" --json | sed -n 's/.*"duration_ms":\([0-9]*\).*/\1/p')
  sentences=("Demokratiresan${number:+, avsnitt $number}." "$title."
    "Det här är en kort ersättningsinspelning."
    "Det riktiga avsnittet kommer från Sveriges Kommuner och Regioner.")
  total=0
  for s in "${sentences[@]}"; do total=$((total + ${#s})); done
  {
    printf 'WEBVTT\n\nNOTE Transcript of the stand-in clip %s, not of the real episode.\n' "$audio"
    at=0
    for s in "${sentences[@]}"; do
      end=$((at + duration * ${#s} / total))
      printf '\n%s --> %s\n%s\n' "$(stamp "$at")" "$(stamp "$end")" "$s"
      at=$end
    done
  } > "media/$vtt"
  grep -q '^transcript = ' "$f" ||
    sed -i "s|^audio = \"$audio\"\$|&\ntranscript = \"$vtt\"|" "$f"
  echo "media/$vtt"
done
