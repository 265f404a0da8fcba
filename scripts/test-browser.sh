#!/usr/bin/env bash
# The website in a real browser (issue 5): Debian's chromium driven by
# playwright-core, axe-core accessibility checks, html-validate on every
# page type, screenshots at 375 and 1280 px in target/screenshots/.
# Installs what is missing (apt: chromium; npm: the packages pinned in
# tests/browser/package-lock.json, into the git-ignored
# tests/browser/node_modules) and fails, never skips, when it cannot.
# Usage: scripts/test-browser.sh
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=()
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
command -v node >/dev/null 2>&1 || apt_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_packages+=(npm)
if [ ${#apt_packages[@]} -gt 0 ]; then
  echo "installing: ${apt_packages[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi
# npm ci only when the lock file changed since the last install.
(
  cd tests/browser
  if ! cmp -s package-lock.json node_modules/.installed-lock.json; then
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.installed-lock.json
  fi
)

cargo build --quiet
node tests/browser/site.test.mjs "$PWD/target/debug/podcatalog" "$PWD"
