#!/usr/bin/env bash
# Schemathesis (pinned in requirements.txt, in a venv of its own) against a live API on a real
# redis-server, with every check, a fixed seed and a bounded number of examples per operation.
set -euo pipefail
cd "$(dirname "$0")"

venv=.venv
stamp="$venv/.requirements.sha256"

if ! command -v python3 >/dev/null 2>&1; then
  echo "schemathesis-tests: python3 is not installed (on Debian: apt-get install -y python3 python3-venv)" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  if ! python3 -m venv "$venv"; then
    rm -rf "$venv"
    echo "schemathesis-tests: 'python3 -m venv' failed; on Debian install python3-venv (apt-get install -y python3-venv)" >&2
    exit 1
  fi
fi
# Reinstall only when the pins change, so repeated runs stay fast.
wanted="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  "$venv/bin/python" -m pip install --disable-pip-version-check --quiet --requirement requirements.txt
  echo "$wanted" > "$stamp"
fi

# The API with limits no run reaches (the limits have suites of their own), and /metrics served behind a
# token so its authentication is checked too. The stack stops when its stdin closes (this script's end).
export KUBBI_METRICS_TOKEN="schemathesis-metrics-token"
coproc STACK { exec node ../test-utils/dist/stack-cli.js \
  KUBBI_RATE_LIMIT_PER_MINUTE=1000000 KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE=1000000 KUBBI_MAX_FILES=100 KUBBI_METRICS_TOKEN="$KUBBI_METRICS_TOKEN"; }
read -r stack <&"${STACK[0]}"
KUBBI_BASE_URL="$(node -e 'console.log(JSON.parse(process.argv[1]).baseUrl)' "$stack")"
KUBBI_API_KEY="$(node -e 'console.log(JSON.parse(process.argv[1]).apiKey)' "$stack")"
export KUBBI_API_KEY

# Examples per operation and the seed can be raised or changed for a deeper local run.
PYTHONPATH=. "$venv/bin/python" st.py --config-file schemathesis.toml run ../openapi/openapi.yaml \
  --url "$KUBBI_BASE_URL" \
  --checks all \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-100}" \
  --seed "${SCHEMATHESIS_SEED:-20261201}" \
  --workers 2 \
  --no-color \
  --report junit --report-dir schemathesis-report \
  "$@"
