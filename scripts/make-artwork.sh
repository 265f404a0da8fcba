#!/usr/bin/env bash
# Generates the stand-in show artwork media/demokratiresan.png: 1400×1400
# (Apple's minimum), the show's name on a plain background. Replace it with
# SKR's real artwork before publishing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
font=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
[ -f "$font" ] || { echo "missing $font: apt-get install -y fonts-dejavu-core" >&2; exit 1; }
ffmpeg -loglevel error -y -f lavfi -i "color=c=0x1d3a6e:s=1400x1400" -frames:v 1 \
  -vf "drawtext=fontfile=$font:text='Demokratiresan':fontcolor=white:fontsize=128:x=(w-text_w)/2:y=(h-text_h)/2-60,\
drawtext=fontfile=$font:text='En podcast från SKR':fontcolor=0xdfe8f5:fontsize=70:x=(w-text_w)/2:y=(h/2)+90" \
  -pix_fmt rgb24 "$root/media/demokratiresan.png"
echo media/demokratiresan.png
