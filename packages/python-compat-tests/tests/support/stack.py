"""A real API on a real Redis, started through @kubbi/test-utils' stack-cli (built by turbo before the tests)."""
from __future__ import annotations

import json
import os
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

PACKAGE_DIR = Path(__file__).resolve().parents[2]
STACK_CLI = PACKAGE_DIR.parent / "test-utils" / "dist" / "stack-cli.js"
# The suite makes a few hundred requests a minute from one address; the default rate limits would answer 429.
UNTHROTTLED = {"KUBBI_RATE_LIMIT_PER_MINUTE": "1000000", "KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE": "1000000"}


@dataclass(frozen=True)
class Stack:
    base_url: str
    api_key: str


def stack_from_environment() -> Stack | None:
    """An already running server named by KUBBI_BASE_URL and KUBBI_API_KEY, if both are set."""
    base_url = os.environ.get("KUBBI_BASE_URL")
    api_key = os.environ.get("KUBBI_API_KEY")
    if base_url and api_key:
        return Stack(base_url=base_url.rstrip("/"), api_key=api_key)
    return None


@contextmanager
def running_stack(**api_env: str) -> Iterator[Stack]:
    """Starts redis-server and the API with a fresh key (plus api_env) and stops both on exit."""
    if not STACK_CLI.is_file():
        raise RuntimeError(
            f"{STACK_CLI} is missing: run `pnpm --filter @kubbi/api build && pnpm --filter @kubbi/test-utils build` first"
        )
    args = ["node", str(STACK_CLI), *(f"{key}={value}" for key, value in api_env.items())]
    # stack-cli runs until its stdin closes, so closing the pipe is how it is told to stop.
    process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"stack-cli exited with {process.wait()} before printing its address")
        started = json.loads(line)
        yield Stack(base_url=started["baseUrl"], api_key=started["apiKey"])
    finally:
        stop(process)


def stop(process: subprocess.Popen[str]) -> None:
    if process.stdin is not None and not process.stdin.closed:
        process.stdin.close()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
