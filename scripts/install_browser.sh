#!/usr/bin/env bash
# Browser tests drive Debian's chromium through Playwright (executable path, no browser download).
set -euo pipefail
BROWSER="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$BROWSER" ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "chromium is missing and we are not root: install the Debian package 'chromium' or set CHROMIUM_PATH." >&2; exit 1; fi
fi
echo "Installing Debian's chromium for the browser tests..."
DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
[ -x "$BROWSER" ] || { echo "chromium install failed" >&2; exit 1; }
