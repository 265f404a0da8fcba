#!/usr/bin/env bash
# The project's test command: installs what the tests need beyond cargo
# (when missing), then runs the whole test suite. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use (none is optional: a missing tool fails the
# run instead of skipping tests).
apt_packages=()
need_apt() { command -v "$1" >/dev/null 2>&1 || apt_packages+=("$2"); }
need_apt python3 python3
need_apt node nodejs
need_apt npm npm
need_apt chromium chromium
need_apt ffmpeg ffmpeg

if [ ${#apt_packages[@]} -gt 0 ]; then
  echo "installing: ${apt_packages[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

# mutagen writes ID3 and Vorbis chapters independently of us (tests/integration/analysis).
python3 -c 'import mutagen' 2>/dev/null || python3 -m pip install --quiet mutagen

# 1. Unit and integration tests: the real binary, server, SQLite and audio.
#    The server tests run each way of sending big bodies themselves
#    (sendfile, and the portable path other systems use).
cargo test "$@"
# 2. Windows and macOS: clippy for both targets, and the Windows CLI's
#    smoke test under wine (see the script; installs what it needs).
scripts/test-platforms.sh
# 3. The shipped feed read by two independent parsers (Python feedparser, npm rss-parser).
scripts/check-feed-parsers.sh
# 4. The website in Debian's chromium: flows, axe-core, html-validate, screenshots.
scripts/test-browser.sh
