#!/usr/bin/env bash
# Benchmarks the probe against ffprobe on a 60-minute VBR MP3 without a
# Xing header (the case where header-based probing is wrong by minutes):
#   1. `podcatalog probe` vs `ffprobe` (default, inexact) vs
#      `ffprobe -count_packets` (exact), side by side in one hyperfine run;
#   2. `probe_file` in process (benches/probe.rs), median of 50 runs;
#   3. 1,000 files on one thread vs all cores.
# Needs: sox, lame, ffprobe, hyperfine, GNU time (Debian: sox lame ffmpeg
# hyperfine time).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
for tool in sox lame ffprobe hyperfine; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool (apt-get install ${tool/ffprobe/ffmpeg})" >&2; exit 1; }
done
work="${BENCH_DIR:-$(mktemp -d)}"
[ -n "${BENCH_DIR:-}" ] || trap 'rm -rf "$work"' EXIT
mp3="$work/long.mp3"

if [ ! -s "$mp3" ]; then
  echo "generating a 60-minute VBR MP3 without Xing header in $work ..." >&2
  sox -n -r 44100 -c 2 -b 16 "$work/long.wav" synth 3600 pinknoise tremolo 0.3 80 vol 0.5
  lame --quiet -V 1 -t "$work/long.wav" "$mp3"
  rm -f "$work/long.wav"
fi
ls -l "$mp3"

cargo build --release --manifest-path "$root/Cargo.toml" --quiet
bin="$root/target/release/podcatalog"

echo "== durations reported"
echo "podcatalog:            $("$bin" probe --json "$mp3" | grep -o '"duration_ms":[0-9]*')"
echo "ffprobe default:       $(ffprobe -v error -show_entries format=duration -of csv=p=0 "$mp3") s"
echo "ffprobe -count_packets: $(ffprobe -v error -count_packets -select_streams a:0 \
  -show_entries stream=nb_read_packets -of csv=p=0 "$mp3") packets x 1152 samples"

echo "== whole process, side by side"
hyperfine --warmup 3 --runs 20 -N \
  "$bin probe $mp3" \
  "ffprobe -v error -show_entries format=duration $mp3" \
  "ffprobe -v error -count_packets -show_entries stream=nb_read_packets $mp3"

echo "== in process"
cargo bench --manifest-path "$root/Cargo.toml" --quiet --bench probe -- "$mp3" 50

echo "== 1,000 files (hard links to a 1-minute cut), one thread vs all cores"
mkdir -p "$work/many"
head -c $(( $(stat -c %s "$mp3") / 60 )) "$mp3" > "$work/minute.mp3"
for i in $(seq 1 1000); do ln -f "$work/minute.mp3" "$work/many/$i.mp3"; done
hyperfine --warmup 1 --runs 10 \
  "env RAYON_NUM_THREADS=1 $bin probe --json $work/many/*.mp3" \
  "$bin probe --json $work/many/*.mp3"
echo "cores: $(nproc); CPU use of one all-core run (GNU time, Debian package time):"
/usr/bin/time -o "$work/time.txt" -f "  %P of one core, %e s wall" "$bin" probe --json "$work"/many/*.mp3 > /dev/null
cat "$work/time.txt"
