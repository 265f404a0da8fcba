#!/usr/bin/env bash
# The project's test command: installs what the tests need beyond cargo
# (when missing), then runs the whole test suite. CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use (none is optional: a missing tool fails the
# run instead of skipping tests).
apt_packages=()
need_apt() { command -v "$1" >/dev/null 2>&1 || apt_packages+=("$2"); }
# (tools are added here as test suites need them)

if [ ${#apt_packages[@]} -gt 0 ]; then
  echo "installing: ${apt_packages[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi

cargo test "$@"
