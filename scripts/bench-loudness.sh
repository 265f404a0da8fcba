#!/usr/bin/env bash
# Benchmarks EBU R128 measurement of a 60-minute stereo MP3: `podcatalog
# probe --loudness` (symphonia + ebur128, release build) against ffmpeg's
# `ebur128=peak=true` filter, side by side in one hyperfine run, and prints
# both meters' figures so the run also shows they agree.
# Then a batch of 8 ten-minute files, to show a batch keeps every core busy.
# Needs: ffmpeg, hyperfine (Debian: ffmpeg hyperfine). Run it when nothing
# else is compiling: it is a wall-time comparison.
# Usage: scripts/bench-loudness.sh   (BENCH_DIR=dir keeps the generated audio)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
for tool in ffmpeg hyperfine; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool (apt-get install $tool)" >&2; exit 1; }
done
work="${BENCH_DIR:-$(mktemp -d)}"
[ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$work"' EXIT
mp3="$work/hour.mp3"
runs="${RUNS:-3}"

if [ ! -s "$mp3" ]; then
  echo "generating a 60-minute stereo MP3 (pink noise, slow tremolo, 128 kbps) in $work ..." >&2
  ffmpeg -hide_banner -loglevel error -y \
    -f lavfi -i "anoisesrc=color=pink:sample_rate=44100:amplitude=0.25:duration=3600:seed=1" \
    -f lavfi -i "anoisesrc=color=pink:sample_rate=44100:amplitude=0.25:duration=3600:seed=2" \
    -filter_complex "[0][1]amerge=inputs=2,tremolo=f=0.3:d=0.7" -c:a libmp3lame -b:a 128k "$mp3"
fi
ls -l "$mp3"

cargo build --release --manifest-path "$root/Cargo.toml" --quiet
bin="$root/target/release/podcatalog"

echo "== figures"
"$bin" probe --loudness "$mp3"
ffmpeg -hide_banner -nostats -i "$mp3" -af ebur128=peak=true -f null - 2>&1 |
  sed -n '/Summary:/,$p' | grep -E '^\s+(I|LRA|Peak):'

echo "== one 60-minute file, wall time"
hyperfine --warmup 1 --runs "$runs" -N \
  "$bin probe --loudness $mp3" \
  "ffmpeg -nostats -i $mp3 -af ebur128=peak=true -f null -"

echo "== a batch: 8 ten-minute files, one per core at a time"
for i in 1 2 3 4 5 6 7 8; do
  [ -s "$work/part$i.mp3" ] ||
    ffmpeg -hide_banner -loglevel error -y -ss $(( (i - 1) * 400 )) -t 600 -i "$mp3" -c copy "$work/part$i.mp3"
done
/usr/bin/env time -f "podcatalog, 8 files: %e s wall, %U s user (%P CPU)" \
  "$bin" probe --loudness "$work"/part?.mp3 >/dev/null
