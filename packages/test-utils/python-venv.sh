# Sourced by the Python suites' run-tests.sh (python-compat-tests, schemathesis-tests), from their own
# directory: makes .venv there and installs requirements.txt into it, again only when the pins change.
# Usage: source node_modules/@kubbi/test-utils/python-venv.sh <suite name>; then "$venv/bin/python" ...
suite="$1"
venv=.venv
stamp="$venv/.requirements.sha256"

if ! command -v python3 >/dev/null 2>&1; then
  echo "$suite: python3 is not installed (on Debian: apt-get install -y python3 python3-venv)" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  if ! python3 -m venv "$venv"; then
    rm -rf "$venv"
    echo "$suite: 'python3 -m venv' failed; on Debian install python3-venv (apt-get install -y python3-venv)" >&2
    exit 1
  fi
fi
# Reinstall only when the pins change, so repeated runs stay fast.
wanted="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet --requirement requirements.txt
  echo "$wanted" > "$stamp"
fi
