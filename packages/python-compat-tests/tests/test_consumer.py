"""inspect/claim and ainspect/aclaim, each with a full claim URL and with a bare token plus base_url."""
from __future__ import annotations

import base64

import pytest
from kubbi import ClaimFile, ClaimResult, FileDescriptor, InspectResult

from support.sdk import Sdk, awaited

ADDRESSING = ["claim-url", "token+base_url"]


async def consume(function, sent, addressing: str, base_url: str):
    """Calls inspect or claim the way the test names: with the whole URL, or the token and where to send it."""
    if addressing == "claim-url":
        return await awaited(function(sent.claim_url))
    return await awaited(function(sent.claim_token, base_url=base_url))


@pytest.mark.parametrize("addressing", ADDRESSING)
async def test_inspect_a_payload_never_counts(sdk: Sdk, addressing: str) -> None:
    metadata = {"source": "agent-a"}
    sent = await awaited(sdk.client.send(content={"k": 1}, content_type="application/json", ttl_seconds=300, max_retrievals=2, metadata=metadata))

    for _ in range(2):
        info = await consume(sdk.inspect, sent, addressing, sdk.base_url)
        assert isinstance(info, InspectResult)
        assert (info.type, info.is_package) == ("kubbi", False)
        assert info.status == "active"
        assert info.kubbi_id == sent.id
        assert info.content_type == "application/json"
        assert (info.file_count, info.files) == (None, None)
        assert info.total_size_bytes == len(b'{"k":1}')
        assert info.max_retrievals == 2
        assert info.retrieval_count == 0
        assert info.remaining_reads == 2
        assert info.metadata == metadata
        assert (info.created_at, info.expires_at) == (sent.created_at, sent.expires_at)

    await awaited(sdk.claim(sent.claim_url))
    after = await consume(sdk.inspect, sent, addressing, sdk.base_url)
    assert (after.retrieval_count, after.remaining_reads, after.status) == (1, 1, "active")


@pytest.mark.parametrize("addressing", ADDRESSING)
async def test_inspect_a_package_shows_its_manifest(sdk: Sdk, addressing: str) -> None:
    files = [
        {"name": "prompt.txt", "content": "Summarize.", "content_type": "text/plain", "role": "instructions"},
        {"name": "blob.bin", "content": base64.b64encode(b"\x00\x01\x02").decode(), "content_type": "application/octet-stream", "encoding": "base64"},
    ]
    sent = await awaited(sdk.client.send_files(files=files, ttl_seconds=120))
    info = await consume(sdk.inspect, sent, addressing, sdk.base_url)
    assert (info.type, info.is_package, info.status) == ("kubbi_package", True, "active")
    assert info.kubbi_id == sent.id
    assert (info.content_type, info.file_count, info.total_size_bytes) == (None, 2, 13)
    assert (info.max_retrievals, info.retrieval_count, info.remaining_reads, info.metadata) == (None, 0, None, None)
    assert info.files == [
        FileDescriptor(name="prompt.txt", content_type="text/plain", size_bytes=10, role="instructions"),
        FileDescriptor(name="blob.bin", content_type="application/octet-stream", size_bytes=3, role=None),
    ]
    assert (info.created_at, info.expires_at) == (sent.created_at, sent.expires_at)


@pytest.mark.parametrize("addressing", ADDRESSING)
async def test_claim_a_payload(sdk: Sdk, addressing: str) -> None:
    sent = await awaited(sdk.client.send(content="one time secret", content_type="text/plain", ttl_seconds=60, max_retrievals=1, metadata={"m": 1}))
    claimed = await consume(sdk.claim, sent, addressing, sdk.base_url)
    assert claimed == ClaimResult(
        type="kubbi", content="one time secret", content_type="text/plain", file_count=None,
        metadata={"m": 1}, files=None, created_at=sent.created_at, expires_at=sent.expires_at,
    )


@pytest.mark.parametrize("addressing", ADDRESSING)
async def test_claim_a_package(sdk: Sdk, addressing: str) -> None:
    raw = bytes(range(255, -1, -1))
    files = [
        {"name": "a.txt", "content": "alpha", "content_type": "text/plain", "role": "data"},
        {"name": "b.bin", "content": base64.b64encode(raw).decode(), "content_type": "application/octet-stream", "role": "attachment", "encoding": "base64"},
    ]
    sent = await awaited(sdk.client.send_files(files=files, ttl_seconds=60, max_retrievals=1))
    claimed = await consume(sdk.claim, sent, addressing, sdk.base_url)
    assert claimed == ClaimResult(
        type="kubbi_package", content=None, content_type=None, file_count=2, metadata=None,
        files=[
            ClaimFile(name="a.txt", content_type="text/plain", size_bytes=5, role="data", content="alpha", encoding=None),
            ClaimFile(name="b.bin", content_type="application/octet-stream", size_bytes=256, role="attachment",
                      content=base64.b64encode(raw).decode(), encoding="base64"),
        ],
        created_at=sent.created_at, expires_at=sent.expires_at,
    )


async def test_claim_url_with_inspect_or_claim_suffix_still_works(sdk: Sdk) -> None:
    """The SDK accepts /r/<token>/inspect and /r/<token>/claim URLs too (its URL parser strips the suffix)."""
    sent = await awaited(sdk.client.send(content="suffix", content_type="text/plain", ttl_seconds=60))
    info = await awaited(sdk.inspect(f"{sent.claim_url}/inspect"))
    assert info.kubbi_id == sent.id
    assert (await awaited(sdk.claim(f"{sent.claim_url}/claim"))).content == "suffix"
