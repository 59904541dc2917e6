"""What the SDK puts on the wire, recorded by the proxy and accepted by the server (README "On the wire")."""
from __future__ import annotations

import json

from support.fault_proxy import FaultProxy
from support.sdk import Sdk, awaited


def header(seen, name: str) -> str | None:
    return {key.lower(): value for key, value in seen.headers.items()}.get(name.lower())


async def test_producer_requests(sdk: Sdk, proxy: FaultProxy) -> None:
    client = sdk.client_for(sdk.api_key, proxy.base_url)
    proxy.fail_next([])
    sent = await awaited(client.send(content={"a": 1}, content_type="application/json", ttl_seconds=60, max_retrievals=1, metadata={"m": 1}))
    await awaited(client.send_files(files=[{"name": "f.txt", "content": "x", "content_type": "text/plain"}], ttl_seconds=60))
    await awaited(client.send(content="x", content_type="text/plain", ttl_seconds=60))
    await awaited(client.get(sent.id))
    await awaited(client.list(page=2, limit=3))
    await awaited(client.list())
    await awaited(client.delete(sent.id))

    assert [(seen.method, seen.path) for seen in proxy.seen] == [
        ("POST", "/api/v1/kubbis"),
        ("POST", "/api/v1/kubbis"),
        ("POST", "/api/v1/kubbis"),
        ("GET", f"/api/v1/kubbis/{sent.id}"),
        ("GET", "/api/v1/kubbis?page=2&limit=3"),
        ("GET", "/api/v1/kubbis"),
        ("DELETE", f"/api/v1/kubbis/{sent.id}"),
    ]
    single, package, minimal = (json.loads(seen.body) for seen in proxy.seen[:3])
    assert single == {"content": {"a": 1}, "content_type": "application/json", "ttl_seconds": 60, "max_retrievals": 1, "metadata": {"m": 1}}
    assert package == {"files": [{"name": "f.txt", "content": "x", "content_type": "text/plain"}], "ttl_seconds": 60}
    # Unset options are left out, never sent as null.
    assert minimal == {"content": "x", "content_type": "text/plain", "ttl_seconds": 60}
    for seen in proxy.seen:
        assert header(seen, "Authorization") == f"Bearer {sdk.api_key}"
        assert header(seen, "Content-Type") == "application/json"
        assert header(seen, "Accept") == "application/json"
        # The SDK never sends an Idempotency-Key: a retried send is a new request to the server.
        assert header(seen, "Idempotency-Key") is None
    assert [seen.body for seen in proxy.seen[3:]] == [b"", b"", b"", b""]


async def test_consumer_requests(sdk: Sdk, proxy: FaultProxy) -> None:
    sent = await awaited(sdk.client.send(content="c", content_type="text/plain", ttl_seconds=60))
    proxy.fail_next([])
    await awaited(sdk.inspect(sent.claim_token, base_url=proxy.base_url))
    await awaited(sdk.claim(sent.claim_token, base_url=proxy.base_url))

    inspect_request, claim_request = proxy.seen
    assert (inspect_request.method, inspect_request.path) == ("GET", f"/r/{sent.claim_token}/inspect")
    assert (claim_request.method, claim_request.path) == ("POST", f"/r/{sent.claim_token}/claim")
    # A claim is a POST with no body, yet labelled JSON: the server must accept exactly that.
    assert claim_request.body == b""
    assert header(claim_request, "Content-Type") == "application/json"
    assert header(claim_request, "Content-Length") == "0"
    for seen in proxy.seen:
        assert header(seen, "Authorization") is None
