"""Shows the suite fails when the server drops a field or changes a status code the SDK depends on.

Not part of `pnpm test` (it runs the suite once per mutation, several minutes). Run it after changing the API:
    .venv/bin/python mutation_check.py            # every mutation
    .venv/bin/python mutation_check.py claim       # only mutations whose name contains "claim"
A proxy sits in front of a fresh stack (whose claim URLs point at the proxy) and breaks one thing in each
answer; the suite runs against it with KUBBI_BASE_URL and must fail. A mutation it survives is printed as SURVIVED.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "tests"))

from support.fault_proxy import FaultProxy  # noqa: E402
from support.stack import UNTHROTTLED, running_stack  # noqa: E402

ROUTES = {
    "create": ("POST", r"^/api/v1/kubbis$"),
    "get": ("GET", r"^/api/v1/kubbis/[^/?]+$"),
    "list": ("GET", r"^/api/v1/kubbis(\?.*)?$"),
    "delete": ("DELETE", r"^/api/v1/kubbis/[^/?]+$"),
    "inspect": ("GET", r"^/r/[^/]+/inspect$"),
    "claim": ("POST", r"^/r/[^/]+/claim$"),
    "error": (None, r".*"),
}

# Every field the SDK's models and error mapping read (kubbi 0.1.0, see README "On the wire").
FIELDS = {
    "create": ["id", "claim_url", "claim_token", "status", "content_type", "file_count", "total_size_bytes",
               "max_retrievals", "metadata", "created_at", "expires_at"],
    "get": ["id", "status", "content_type", "file_count", "total_size_bytes", "max_retrievals", "retrieval_count",
            "first_retrieved_at", "last_retrieved_at", "metadata", "created_at", "expires_at"],
    "list": ["kubbis", "pagination", "pagination.page", "pagination.limit", "pagination.total", "pagination.total_pages",
             "kubbis.*.id", "kubbis.*.status", "kubbis.*.file_count", "kubbis.*.metadata"],
    "delete": ["id", "status"],
    "inspect": ["type", "status", "kubbi_id", "content_type", "file_count", "total_size_bytes", "max_retrievals",
                "retrieval_count", "remaining_reads", "metadata", "files", "files.*.name", "files.*.content_type",
                "files.*.size_bytes", "files.*.role", "created_at", "expires_at"],
    "claim": ["type", "content", "content_type", "file_count", "metadata", "files", "files.*.name",
              "files.*.content_type", "files.*.size_bytes", "files.*.role", "files.*.content", "files.*.encoding",
              "created_at", "expires_at"],
    "error": ["error", "message", "messages"],
}

# The status codes the SDK maps to its error classes, each moved to a neighbour.
STATUS_CHANGES = [(400, 422), (401, 403), (404, 400), (404, 410), (409, 400), (410, 404), (410, 400), (201, 500), (200, 500)]


@dataclass(frozen=True)
class Mutation:
    name: str
    route: str
    field: str | None = None
    status: tuple[int, int] | None = None


def drop(value: Any, path: list[str]) -> None:
    if isinstance(value, list) and path[0] == "*":
        for item in value:
            drop(item, path[1:])
    elif isinstance(value, dict) and len(path) == 1:
        value.pop(path[0], None)
    elif isinstance(value, dict) and path[0] in value:
        drop(value[path[0]], path[1:])


def rewrite_for(mutation: Mutation):
    method, pattern = ROUTES[mutation.route]

    def rewrite(request_method: str, path: str, status: int, body: bytes) -> tuple[int, bytes]:
        if (method is not None and request_method != method) or not re.match(pattern, path):
            return status, body
        if mutation.status is not None:
            return (mutation.status[1], body) if status == mutation.status[0] else (status, body)
        is_error = status >= 400
        if is_error != (mutation.route == "error"):
            return status, body
        document = json.loads(body)
        drop(document, mutation.field.split("."))
        return status, json.dumps(document).encode()

    return rewrite


def mutations(only: str) -> list[Mutation]:
    found = [Mutation(f"drop {route}.{field}", route, field=field) for route, fields in FIELDS.items() for field in fields]
    found += [Mutation(f"status {old}->{new}", "error", status=(old, new)) for old, new in STATUS_CHANGES]
    return [mutation for mutation in found if only in mutation.name]


def run_suite(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"], cwd=HERE, env=env, capture_output=True, text=True
    )


def first_failure(output: str) -> str:
    """The failing test and its first error line, to check a mutation was caught for the right reason."""
    failed = next((line[7:] for line in output.splitlines() if line.startswith("FAILED ")), "")
    error = next((line[2:].strip() for line in output.splitlines() if line.startswith("E ")), "")
    return f"{failed.split(' - ')[0]} | {error[:160]}"


def main() -> int:
    selected = mutations(sys.argv[1] if len(sys.argv) > 1 else "")
    survived = []
    with FaultProxy() as proxy, running_stack(KUBBI_PUBLIC_URL=proxy.base_url, **UNTHROTTLED) as stack:
        proxy.upstream = urlparse(stack.base_url)
        env = {**os.environ, "KUBBI_BASE_URL": proxy.base_url, "KUBBI_API_KEY": stack.api_key}
        # Without a mutation the suite must pass through the proxy, or "caught" below would mean nothing.
        baseline = run_suite(env)
        if baseline.returncode != 0:
            print(baseline.stdout[-3000:])
            print("the suite fails through the proxy without any mutation")
            return 1
        for mutation in selected:
            proxy.rewrite = rewrite_for(mutation)
            result = run_suite(env)
            verdict = "caught" if result.returncode != 0 else "SURVIVED"
            print(f"{verdict:9} {mutation.name:32} {first_failure(result.stdout)}", flush=True)
            if result.returncode == 0:
                survived.append(mutation.name)
    print(f"{len(selected) - len(survived)} of {len(selected)} mutations caught")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
