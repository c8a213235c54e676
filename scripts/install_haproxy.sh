#!/usr/bin/env bash
# The production profile puts its replicas behind HAProxy, started by the launcher as a child
# process (never as a system service): install Debian's haproxy package when it is missing.
set -euo pipefail
HAPROXY="${HAPROXY_PATH:-haproxy}"
if command -v "$HAPROXY" >/dev/null 2>&1; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "haproxy is missing and we are not root: install the Debian package 'haproxy' or set HAPROXY_PATH." >&2; exit 1; fi
fi
echo "Installing Debian's haproxy for the production profile..."
DEBIAN_FRONTEND=noninteractive $SUDO apt-get update -qq
# policy-rc.d 101: the package must not start (or enable) a system-wide haproxy on port 80.
POLICY=/usr/sbin/policy-rc.d
CREATED=""
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null && $SUDO chmod +x "$POLICY" && CREATED=1
fi
STATUS=0
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends haproxy >/dev/null \
  || STATUS=$?
if [ -n "$CREATED" ]; then $SUDO rm -f "$POLICY"; fi
[ "$STATUS" -eq 0 ] || { echo "haproxy install failed" >&2; exit 1; }
command -v "$HAPROXY" >/dev/null 2>&1 || { echo "haproxy install failed" >&2; exit 1; }
