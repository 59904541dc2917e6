#!/usr/bin/env bash
# Runs the suite in a venv of its own holding the SDK exactly as PyPI serves it (requirements.txt).
set -euo pipefail
cd "$(dirname "$0")"

venv=.venv
stamp="$venv/.requirements.sha256"

if ! command -v python3 >/dev/null 2>&1; then
  echo "python-compat-tests: python3 is not installed (on Debian: apt-get install -y python3 python3-venv)" >&2
  exit 1
fi

if [ ! -x "$venv/bin/python" ]; then
  if ! python3 -m venv "$venv"; then
    rm -rf "$venv"
    echo "python-compat-tests: 'python3 -m venv' failed; on Debian install python3-venv (apt-get install -y python3-venv)" >&2
    exit 1
  fi
fi

# Reinstall only when the pins change, so repeated runs stay fast.
wanted="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet --requirement requirements.txt
  echo "$wanted" > "$stamp"
fi

exec "$venv/bin/python" -m pytest "$@"
