"""Drives the TypeScript SDK through the small scripts in ../node, for the cross-language tests."""
from __future__ import annotations

import json
import subprocess
from typing import Any

from .stack import PACKAGE_DIR

NODE_DIR = PACKAGE_DIR / "node"


def _run(script: str, args: list[str], stdin: str = "") -> Any:
    completed = subprocess.run(
        ["node", str(NODE_DIR / script), *args], input=stdin, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 0, f"node {script} failed ({completed.returncode}):\n{completed.stderr}"
    return json.loads(completed.stdout)


def ts_send(base_url: str, api_key: str, request: dict[str, Any]) -> Any:
    return _run("send.mjs", [base_url, api_key], json.dumps(request))


def ts_claim(claim_url: str) -> Any:
    return _run("claim.mjs", [claim_url])
