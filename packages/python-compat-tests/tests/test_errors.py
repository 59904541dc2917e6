"""Every error the SDK maps, each from the real server case that produces it: status → class, code, message."""
from __future__ import annotations

import asyncio
import base64
import secrets
import uuid

import httpx
import pytest
from kubbi import (
    KubbiApiError,
    KubbiAuthenticationError,
    KubbiConflictError,
    KubbiError,
    KubbiGoneError,
    KubbiNetworkError,
    KubbiNotFoundError,
    KubbiQuotaExceededError,
    KubbiRateLimitError,
    KubbiValidationError,
    ainspect,
    claim,
    inspect,
)

from support.sdk import Sdk, awaited
from support.stack import Stack


def check_api_error(error: KubbiApiError, kind: type, status: int, code: str) -> None:
    assert type(error) is kind
    assert isinstance(error, KubbiError)
    assert (error.status, error.code) == (status, code)
    # The server's own message, not the "HTTP <status>" the SDK falls back to when the body has none.
    assert isinstance(error.args[0], str) and error.args[0] not in ("", f"HTTP {status}")


# --- 404 → KubbiNotFoundError ---------------------------------------------------------------------

@pytest.mark.parametrize("kubbi_id", [str(uuid.uuid4()), "not-a-uuid", "../../healthz"], ids=["unknown-uuid", "not-a-uuid", "dot-dot-path"])
async def test_get_or_delete_an_unknown_id_is_not_found(sdk: Sdk, kubbi_id: str) -> None:
    for call in (sdk.client.get, sdk.client.delete):
        with pytest.raises(KubbiNotFoundError) as caught:
            await awaited(call(kubbi_id))
        check_api_error(caught.value, KubbiNotFoundError, 404, "not_found")


async def test_inspect_or_claim_an_unknown_token_is_not_found(sdk: Sdk) -> None:
    token = secrets.token_urlsafe(32)
    for call in (sdk.inspect, sdk.claim):
        for target in (f"{sdk.base_url}/r/{token}", token):
            with pytest.raises(KubbiNotFoundError) as caught:
                await awaited(call(target, base_url=sdk.base_url))
            check_api_error(caught.value, KubbiNotFoundError, 404, "not_found")


# --- 410 → KubbiGoneError, with the reason as its code ---------------------------------------------

async def assert_gone(sdk: Sdk, sent, reason: str) -> None:
    for call in (sdk.inspect, sdk.claim):
        with pytest.raises(KubbiGoneError) as caught:
            await awaited(call(sent.claim_url))
        check_api_error(caught.value, KubbiGoneError, 410, reason)
    assert (await awaited(sdk.client.get(sent.id))).status == reason


async def test_gone_after_burn(sdk: Sdk) -> None:
    sent = await awaited(sdk.client.send(content="once", content_type="text/plain", ttl_seconds=60, max_retrievals=1))
    assert (await awaited(sdk.claim(sent.claim_url))).content == "once"
    await assert_gone(sdk, sent, "burned")


async def test_gone_after_expiry(sdk: Sdk) -> None:
    # The test stack lowers the minimum TTL to 1 s.
    sent = await awaited(sdk.client.send(content="brief", content_type="text/plain", ttl_seconds=1))
    await asyncio.sleep(1.5)
    await assert_gone(sdk, sent, "expired")


async def test_gone_after_delete(sdk: Sdk) -> None:
    sent = await awaited(sdk.client.send_files(files=[{"name": "a.txt", "content": "a", "content_type": "text/plain"}], ttl_seconds=60))
    await awaited(sdk.client.delete(sent.id))
    await assert_gone(sdk, sent, "deleted")


# --- 409 → KubbiConflictError ------------------------------------------------------------------------

async def test_deleting_a_kubbi_that_is_no_longer_active_conflicts(sdk: Sdk) -> None:
    deleted = await awaited(sdk.client.send(content="x", content_type="text/plain", ttl_seconds=60))
    await awaited(sdk.client.delete(deleted.id))
    burned = await awaited(sdk.client.send(content="x", content_type="text/plain", ttl_seconds=60, max_retrievals=1))
    await awaited(sdk.claim(burned.claim_url))
    for kubbi_id in (deleted.id, burned.id):
        with pytest.raises(KubbiConflictError) as caught:
            await awaited(sdk.client.delete(kubbi_id))
        check_api_error(caught.value, KubbiConflictError, 409, "conflict")


# --- 400 → KubbiValidationError with every message --------------------------------------------------

def check_messages(error: KubbiValidationError, expected: dict[str, list[str]]) -> None:
    """One message per problem, each "<field>: <what is wrong>"; expected maps a field to fragments of its messages."""
    check_api_error(error, KubbiValidationError, 400, "validation_error")
    assert error.args[0] == "; ".join(error.messages)
    by_field: dict[str, list[str]] = {}
    for message in error.messages:
        field, _, problem = message.partition(": ")
        assert problem, f"message without a field: {message!r}"
        by_field.setdefault(field, []).append(problem)
    assert sorted(by_field) == sorted(expected), error.messages
    for field, fragments in expected.items():
        assert len(by_field[field]) == len(fragments), by_field[field]
        for problem, fragment in zip(by_field[field], fragments):
            assert fragment in problem, (field, problem)


async def test_send_validation_lists_every_problem(sdk: Sdk) -> None:
    with pytest.raises(KubbiValidationError) as caught:
        await awaited(sdk.client.send(
            content="x", content_type="text/plain", ttl_seconds=86401, max_retrievals=0, metadata={"pad": "y" * 2000},
        ))
    check_messages(caught.value, {"ttl_seconds": ["86400"], "max_retrievals": ["1"], "metadata": ["1024"]})


@pytest.mark.parametrize(
    ("content", "content_type", "expected"),
    [
        ("not json", "application/json", {"content": ["JSON"]}),
        ({"a": 1}, "text/plain", {"content": ["string"]}),
        ("<p>", "text/html", {"content_type": ["text/plain"]}),
    ],
    ids=["bad-json-text", "object-as-text", "unsupported-type"],
)
async def test_send_content_must_match_its_type(sdk: Sdk, content, content_type: str, expected) -> None:
    with pytest.raises(KubbiValidationError) as caught:
        await awaited(sdk.client.send(content=content, content_type=content_type, ttl_seconds=60))
    check_messages(caught.value, expected)


async def test_send_files_validation_names_the_file(sdk: Sdk) -> None:
    files = [
        {"name": "a/b", "content": "x", "content_type": "text/plain", "role": "boss"},
        {"name": "b", "content": "***", "content_type": "not a type", "encoding": "base64"},
    ]
    with pytest.raises(KubbiValidationError) as caught:
        await awaited(sdk.client.send_files(files=files, ttl_seconds=60))
    check_messages(caught.value, {
        "files[0].name": ["separator"],
        "files[0].role": ["instructions"],
        "files[1].content_type": ["MIME"],
        "files[1].content": ["base64"],
    })


async def test_send_files_names_must_be_unique(sdk: Sdk) -> None:
    files = [{"name": "same.txt", "content": "x", "content_type": "text/plain"} for _ in range(2)]
    with pytest.raises(KubbiValidationError) as caught:
        await awaited(sdk.client.send_files(files=files, ttl_seconds=60))
    check_messages(caught.value, {"files[1].name": ["unique"]})


async def test_send_files_needs_a_file(sdk: Sdk) -> None:
    with pytest.raises(KubbiValidationError) as caught:
        await awaited(sdk.client.send_files(files=[], ttl_seconds=60))
    check_messages(caught.value, {"files": ["at least one"]})


async def test_list_validation(sdk: Sdk) -> None:
    with pytest.raises(KubbiValidationError) as caught:
        await awaited(sdk.client.list(page=0, limit=101))
    check_messages(caught.value, {"page": ["at least 1"], "limit": ["at most 100"]})


# --- 401 → KubbiAuthenticationError ------------------------------------------------------------------

@pytest.mark.parametrize(
    "api_key",
    [f"kb_{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('=')}", "kb_short", "not-a-kubbi-key"],
    ids=["unknown", "malformed", "wrong-prefix"],
)
async def test_an_unauthorised_key(sdk: Sdk, api_key: str) -> None:
    client = sdk.client_for(api_key, sdk.base_url)
    for call in (
        lambda: client.send(content="x", content_type="text/plain", ttl_seconds=60),
        lambda: client.list(),
        lambda: client.get(str(uuid.uuid4())),
    ):
        with pytest.raises(KubbiAuthenticationError) as caught:
            await awaited(call())
        check_api_error(caught.value, KubbiAuthenticationError, 401, "unauthorized")


# --- 429 → KubbiQuotaExceededError / KubbiRateLimitError ---------------------------------------------

async def test_quota_exceeded_at_the_active_kubbi_cap(sdk: Sdk, quota_stack: Stack) -> None:
    client = sdk.client_for(quota_stack.api_key, quota_stack.base_url)
    held = [await awaited(client.send(content=str(n), content_type="text/plain", ttl_seconds=60, max_retrievals=1)) for n in range(2)]
    with pytest.raises(KubbiQuotaExceededError) as caught:
        await awaited(client.send_files(files=[{"name": "a", "content": "a", "content_type": "text/plain"}], ttl_seconds=60))
    check_api_error(caught.value, KubbiQuotaExceededError, 429, "quota_exceeded")

    # A claimed-out kubbi and a deleted one are no longer active: both slots come back.
    await awaited(sdk.claim(held[0].claim_url))
    await awaited(client.send(content="reuses the first slot", content_type="text/plain", ttl_seconds=60, max_retrievals=1))
    await awaited(client.delete(held[1].id))
    replacement = await awaited(client.send(content="reuses the second slot", content_type="text/plain", ttl_seconds=60))
    with pytest.raises(KubbiQuotaExceededError):
        await awaited(client.send(content="over", content_type="text/plain", ttl_seconds=60))
    # Leave no active kubbi behind for the other SDK flavour.
    for kubbi in (await awaited(client.list(limit=100))).kubbis:
        if kubbi.status == "active":
            await awaited(client.delete(kubbi.id))
    assert (await awaited(client.get(replacement.id))).status == "deleted"


async def test_rate_limited_consumer(limits_stack: Stack) -> None:
    token = secrets.token_urlsafe(32)
    # The limits stack allows 2 consumer requests a minute from one address; both count, found or not.
    for _ in range(2):
        with pytest.raises(KubbiNotFoundError):
            inspect(token, base_url=limits_stack.base_url)
    with pytest.raises(KubbiRateLimitError) as sync_caught:
        claim(token, base_url=limits_stack.base_url)
    check_api_error(sync_caught.value, KubbiRateLimitError, 429, "rate_limited")
    with pytest.raises(KubbiRateLimitError) as async_caught:
        await ainspect(token, base_url=limits_stack.base_url)
    check_api_error(async_caught.value, KubbiRateLimitError, 429, "rate_limited")


# --- 413 → KubbiApiError (the SDK has no class of its own for it) ------------------------------------

async def test_payload_over_the_plan_byte_limit(sdk: Sdk, limits_stack: Stack) -> None:
    client = sdk.client_for(limits_stack.api_key, limits_stack.base_url)
    await awaited(client.send(content="x" * 1000, content_type="text/plain", ttl_seconds=60))  # under 1 KiB: fine
    oversized = [
        lambda: client.send(content="x" * 1025, content_type="text/plain", ttl_seconds=60),
        lambda: client.send_files(
            files=[{"name": "big.bin", "content": base64.b64encode(bytes(1025)).decode(), "content_type": "application/octet-stream", "encoding": "base64"}],
            ttl_seconds=60,
        ),
    ]
    for call in oversized:
        with pytest.raises(KubbiApiError) as caught:
            await awaited(call())
        check_api_error(caught.value, KubbiApiError, 413, "payload_too_large")


async def test_more_files_than_the_plan_allows(sdk: Sdk, limits_stack: Stack) -> None:
    client = sdk.client_for(limits_stack.api_key, limits_stack.base_url)
    files = [{"name": f"{n}.txt", "content": "x", "content_type": "text/plain"} for n in range(3)]
    with pytest.raises(KubbiApiError) as caught:
        await awaited(client.send_files(files=files, ttl_seconds=60))
    check_api_error(caught.value, KubbiApiError, 413, "file_limit_exceeded")


# --- no server → KubbiNetworkError ---------------------------------------------------------------------

async def test_server_down_is_a_network_error(sdk: Sdk, stopped_stack: tuple[Stack, str]) -> None:
    down, claim_url = stopped_stack
    client = sdk.client_for(down.api_key, down.base_url, max_retries=0)
    for call in (
        lambda: client.send(content="x", content_type="text/plain", ttl_seconds=60),
        lambda: client.list(),
        lambda: client.delete(str(uuid.uuid4())),
        lambda: sdk.inspect(claim_url, max_retries=0),
        lambda: sdk.claim(claim_url.rsplit("/", 1)[1], base_url=down.base_url, max_retries=0),
    ):
        with pytest.raises(KubbiNetworkError) as caught:
            await awaited(call())
        assert not isinstance(caught.value, KubbiApiError)
        assert isinstance(caught.value.cause, httpx.ConnectError)
