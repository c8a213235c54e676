#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter, or explain how to get one and fail.
set -euo pipefail
is_310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }
for candidate in "${PYTHON310:-}" python3.10; do
  if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 && is_310 "$candidate"; then
    command -v "$candidate"; exit 0
  fi
done
if command -v pyenv >/dev/null 2>&1; then
  prefix="$(pyenv prefix 3.10 2>/dev/null || true)"
  if [ -z "$prefix" ]; then
    version="$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | tail -1 || true)"
    [ -n "$version" ] && prefix="$(PYENV_VERSION="$version" pyenv prefix 2>/dev/null || true)"
  fi
  if [ -n "$prefix" ] && is_310 "$prefix/bin/python"; then echo "$prefix/bin/python"; exit 0; fi
fi
cat >&2 <<'MSG'
Python 3.10 is required (Rasa 3.6 does not run on 3.11+) and none was found.
Install it with one of:
  pyenv install 3.10.13                      (then run make again)
  apt-get install python3.10 python3.10-venv (Debian/Ubuntu with a 3.10 package)
or point PYTHON310=/path/to/python3.10 at an existing interpreter.
MSG
exit 1
