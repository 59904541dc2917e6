#!/usr/bin/env bash
# Runs the suite in a venv of its own holding the SDK exactly as PyPI serves it (requirements.txt).
set -euo pipefail
cd "$(dirname "$0")"
source node_modules/@kubbi/test-utils/python-venv.sh python-compat-tests

exec "$venv/bin/python" -m pytest "$@"
