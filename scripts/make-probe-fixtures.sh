#!/usr/bin/env bash
# Generates the audio fixtures of the probe tests into tests/fixtures/audio/,
# plus expected.json: for every file its true sample count per channel (cut
# exactly and measured with `soxi -s`), sample rate and the tolerance (in
# samples) the issue allows for it. Needs: sox, lame, ffmpeg, espeak-ng,
# oggenc, opusenc, flac (Debian packages sox libsox-fmt-mp3 lame ffmpeg
# espeak-ng vorbis-tools opus-tools flac).
#
# Variants that are a byte patch of these files (junk before the first frame,
# truncation, zero-frame Xing, large ID3v2 cover, streamed WAV, FLAC with 0
# total samples, hostile files) are derived by the tests themselves.
set -euo pipefail

out="$(cd "$(dirname "$0")/.." && pwd)/tests/fixtures/audio"
for tool in sox soxi lame ffmpeg espeak-ng oggenc opusenc flac; do
  command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
rm -f "$out"/*

# src RATE SAMPLES NAME: speech resampled to RATE, mono, cut to exactly SAMPLES.
src() {
  espeak-ng -w "$tmp/speech.wav" \
    "Welcome to the podcast catalogue. This episode is about exact durations, \
     frame headers and the encoder delay that gapless players remove."
  sox "$tmp/speech.wav" -b 16 "$tmp/$3.wav" channels 1 rate "$1" trim 0 "$2s"
  local got
  got="$(soxi -s "$tmp/$3.wav")"
  [ "$got" = "$2" ] || { echo "cut $3: $got samples, wanted $2" >&2; exit 1; }
}

entries=()
# add FILE SAMPLES RATE TOLERANCE
add() { entries+=("  {\"file\": \"$1\", \"samples\": $2, \"sample_rate\": $3, \"tolerance\": $4}"); }

# Without delay information the issue allows 576 + 2 frames of samples.
mp3_tol() { echo $((576 + 2 * $1)); }

src 44100 145373 s44
src 22050 72689 s22
src 11025 36341 s11
src 48000 158417 s48

printf 'P6 2 2 255\n' > "$tmp/cover.ppm"; head -c 12 /dev/zero >> "$tmp/cover.ppm"
ffmpeg -loglevel error -i "$tmp/cover.ppm" "$tmp/cover.png"

lame --quiet -b 64 -m m --resample 44.1 "$tmp/s44.wav" "$out/cbr.mp3"
add cbr.mp3 145373 44100 0
lame --quiet -V 9 -m m --resample 44.1 --tt "Episode 1: Exact <durations> & \"gaps\"" --ta "Åsa Öberg" \
  --tl "Probe Show" --ti "$tmp/cover.png" "$tmp/s44.wav" "$out/vbr-tagged.mp3"
add vbr-tagged.mp3 145373 44100 0
lame --quiet -V 9 -m m --resample 44.1 -t "$tmp/s44.wav" "$out/vbr-noxing.mp3"
add vbr-noxing.mp3 145373 44100 "$(mp3_tol 1152)"
lame --quiet -V 9 -m m --resample 22.05 "$tmp/s22.wav" "$out/mpeg2-22k.mp3"
add mpeg2-22k.mp3 72689 22050 0
lame --quiet -V 9 -m m --resample 11.025 "$tmp/s11.wav" "$out/mpeg25-11k.mp3"
add mpeg25-11k.mp3 36341 11025 0
# Two files joined with cat: the first Xing header is stale, the second sits
# mid-stream; each part carries its own delay and padding.
cat "$out/cbr.mp3" "$out/cbr.mp3" > "$out/joined.mp3"
add joined.mp3 $((2 * 145373)) 44100 "$(( 2 * $(mp3_tol 1152) ))"

ffmpeg -loglevel error -i "$tmp/s44.wav" -c:a aac -b:a 24k -movflags +faststart \
  -metadata title="M4A title" -metadata artist="M4A artist" "$out/moov-start.m4a"
add moov-start.m4a 145373 44100 0
ffmpeg -loglevel error -i "$tmp/s44.wav" -c:a aac -b:a 24k "$out/moov-end.m4a"
add moov-end.m4a 145373 44100 0
# Raw ADTS has no delay information: 1024 priming plus up to 2 frames.
ffmpeg -loglevel error -i "$tmp/s44.wav" -c:a aac -b:a 24k -f adts "$out/raw.aac"
add raw.aac 145373 44100 $((3 * 1024))

oggenc --quiet -q 0 -t "Vorbis title" -a "Vorbis artist" "$tmp/s44.wav" -o "$out/vorbis.ogg"
add vorbis.ogg 145373 44100 0
opusenc --quiet --bitrate 16 --title "Opus title" --artist "Opus artist" \
  "$tmp/s48.wav" "$out/opus.opus"
add opus.opus 158417 48000 0

flac --silent -5 -T "TITLE=FLAC title" "$tmp/s22.wav" -o "$out/flac.flac"
add flac.flac 72689 22050 0
cp "$tmp/s11.wav" "$out/pcm.wav"
add pcm.wav 36341 11025 0

{
  echo "["
  (IFS=$'\n'; echo "${entries[*]}") | sed '$!s/$/,/'
  echo "]"
} > "$out/expected.json"
du -ch "$out"/* | tail -1
