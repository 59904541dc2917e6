#!/usr/bin/env bash
# Schemathesis (pinned in requirements.txt, in a venv of its own) against a live API on a real
# redis-server, with every check, a fixed seed and a bounded number of examples per operation.
set -euo pipefail
cd "$(dirname "$0")"

source node_modules/@kubbi/test-utils/python-venv.sh schemathesis-tests

# The API with limits no run reaches (the limits have suites of their own), and /metrics served behind a
# token so its authentication is checked too. The stack stops when its stdin closes (this script's end).
export KUBBI_METRICS_TOKEN="schemathesis-metrics-token"
coproc STACK { exec node node_modules/@kubbi/test-utils/dist/stack-cli.js \
  KUBBI_RATE_LIMIT_PER_MINUTE=1000000 KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE=1000000 KUBBI_MAX_FILES=100 KUBBI_METRICS_TOKEN="$KUBBI_METRICS_TOKEN"; }
read -r stack <&"${STACK[0]}"
KUBBI_BASE_URL="$(node -e 'console.log(JSON.parse(process.argv[1]).baseUrl)' "$stack")"
KUBBI_API_KEY="$(node -e 'console.log(JSON.parse(process.argv[1]).apiKey)' "$stack")"
export KUBBI_API_KEY

# Live kubbis for the consumer routes (/r/{token}...), which Schemathesis cannot create on its own: claim
# URLs carry the token inside a URL. Unlimited retrievals, so claims during the run do not burn them.
mkdir -p schemathesis-report
node claim-tokens.mjs "$KUBBI_BASE_URL" "$KUBBI_API_KEY" > schemathesis-report/claim-tokens.txt

# Examples per operation and the seed can be raised or changed for a deeper local run.
PYTHONPATH=. "$venv/bin/python" st.py --config-file schemathesis.toml run ../openapi/openapi.yaml \
  --url "$KUBBI_BASE_URL" \
  --checks all \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-300}" \
  --seed "${SCHEMATHESIS_SEED:-20261201}" \
  --workers 2 \
  --no-color \
  --report junit --report-dir schemathesis-report \
  "$@"
