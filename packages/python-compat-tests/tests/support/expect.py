"""Checks on values the server hands the SDK, shared by the tests."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
CLAIM_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
# Generous: the server and the tests share one clock; this only catches values that are not "now" at all.
CLOCK_SLACK = timedelta(minutes=2)


def timestamp(value: str) -> datetime:
    """Parses an ISO 8601 UTC timestamp with milliseconds, as the wire promises."""
    assert isinstance(value, str) and TIMESTAMP.match(value), f"not an ISO 8601 UTC timestamp with ms: {value!r}"
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def recent_timestamp(value: str) -> datetime:
    parsed = timestamp(value)
    now = datetime.now(timezone.utc)
    assert now - CLOCK_SLACK <= parsed <= now + CLOCK_SLACK, f"{value} is not the current time"
    return parsed


def lifetime(created_at: str, expires_at: str, ttl_seconds: int) -> None:
    """created_at is now and expires_at is exactly ttl_seconds later."""
    assert timestamp(expires_at) - recent_timestamp(created_at) == timedelta(seconds=ttl_seconds)


def kubbi_id(value: str) -> None:
    assert uuid.UUID(value).version == 4 and str(uuid.UUID(value)) == value, f"not a UUID v4: {value!r}"


def claim_token(value: str) -> None:
    assert CLAIM_TOKEN.match(value), f"not a 43-char base64url token: {value!r}"


def claim_url(value: str, token: str, base_url: str) -> None:
    """<origin>/r/<token> with no path prefix: the only form the Python SDK can split into origin and token."""
    url, base = urlparse(value), urlparse(base_url)
    assert (url.scheme, url.port) == (base.scheme, base.port), f"{value} is not on {base_url}"
    assert url.path == f"/r/{token}" and not url.query and not url.fragment, value
