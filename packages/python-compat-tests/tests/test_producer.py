"""KubbiClient and AsyncKubbiClient: send, send_files, get, list, delete, every result field checked."""
from __future__ import annotations

import asyncio
import base64
import json
import os

import pytest
from kubbi import KubbiDetail, KubbiGoneError, ListKubbisResult, Pagination, SendFilesResult, SendResult

from support import expect
from support.sdk import Sdk, awaited

TEXT = "Deploy key for build 4711: ssh-ed25519 AAAAC3… ünïcødé ✓"
# Every byte value, so nothing survives by accident of being valid UTF-8.
BINARY = bytes(range(256)) + os.urandom(1024)


def check_send_result(result: SendResult, *, sdk: Sdk, content_type: str, ttl: int, max_retrievals, metadata) -> None:
    assert isinstance(result, SendResult)
    expect.kubbi_id(result.id)
    expect.claim_token(result.claim_token)
    expect.claim_url(result.claim_url, result.claim_token, sdk.base_url)
    assert result.status == "active"
    assert result.content_type == content_type
    assert result.max_retrievals == max_retrievals
    assert result.metadata == metadata
    expect.lifetime(result.created_at, result.expires_at, ttl)


async def test_send_text_with_every_option(sdk: Sdk) -> None:
    metadata = {"source": "billing", "attempt": 2, "tags": ["a", "b"], "nested": {"ok": True}}
    sent = await awaited(sdk.client.send(content=TEXT, content_type="text/plain", ttl_seconds=300, max_retrievals=3, metadata=metadata))
    check_send_result(sent, sdk=sdk, content_type="text/plain", ttl=300, max_retrievals=3, metadata=metadata)

    claimed = await awaited(sdk.claim(sent.claim_url))
    assert (claimed.type, claimed.is_package) == ("kubbi", False)
    assert claimed.content == TEXT
    assert claimed.content_type == "text/plain"
    assert claimed.metadata == metadata
    assert (claimed.created_at, claimed.expires_at) == (sent.created_at, sent.expires_at)
    assert (claimed.file_count, claimed.files) == (None, None)


async def test_send_without_options_is_unlimited_and_has_no_metadata(sdk: Sdk) -> None:
    sent = await awaited(sdk.client.send(content="plain", content_type="text/plain", ttl_seconds=120))
    check_send_result(sent, sdk=sdk, content_type="text/plain", ttl=120, max_retrievals=None, metadata=None)
    for _ in range(3):
        assert (await awaited(sdk.claim(sent.claim_url))).content == "plain"


ORDER = {"order_id": "123", "status": "approved", "lines": [{"sku": "x", "qty": 2}], "paid": True, "note": None}


@pytest.mark.parametrize(
    ("content", "parsed"),
    [
        (ORDER, ORDER),
        ([1, 2.5, "three", False, None], [1, 2.5, "three", False, None]),
        (42, 42),
        # A string sent as application/json is JSON text: the consumer gets the value it encodes.
        (json.dumps(ORDER), ORDER),
    ],
    ids=["object", "array", "number", "json-text"],
)
async def test_send_json_comes_back_parsed(sdk: Sdk, content, parsed) -> None:
    sent = await awaited(sdk.client.send(content=content, content_type="application/json", ttl_seconds=60, max_retrievals=1))
    check_send_result(sent, sdk=sdk, content_type="application/json", ttl=60, max_retrievals=1, metadata=None)

    claimed = await awaited(sdk.claim(sent.claim_url))
    assert claimed.content == parsed
    assert claimed.content_type == "application/json"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# One file for every role, the last one binary.
PACKAGE = [
    {"name": "instructions.md", "content": "# Build\n1. verify\n2. sign\n", "content_type": "text/markdown", "role": "instructions"},
    {"name": "data.csv", "content": "region,total\nnorth,10\nsouth,12\n", "content_type": "text/csv", "role": "data"},
    {"name": "context.txt", "content": TEXT, "content_type": "text/plain; charset=utf-8", "role": "context"},
    {"name": "config.json", "content": '{"model": "gpt-4", "temperature": 0}', "content_type": "application/json", "role": "config"},
    {"name": "artifact.tar.gz", "content": b64(BINARY), "content_type": "application/gzip", "role": "attachment", "encoding": "base64"},
]


def decoded(file: dict) -> bytes:
    return base64.b64decode(file["content"]) if file.get("encoding") == "base64" else file["content"].encode("utf-8")


PACKAGE_BYTES = sum(len(decoded(file)) for file in PACKAGE)


async def test_send_files_with_every_role_and_a_binary_file(sdk: Sdk) -> None:
    metadata = {"pipeline": "deploy", "run": 7}
    sent = await awaited(sdk.client.send_files(files=PACKAGE, ttl_seconds=900, max_retrievals=2, metadata=metadata))
    assert isinstance(sent, SendFilesResult)
    expect.kubbi_id(sent.id)
    expect.claim_token(sent.claim_token)
    expect.claim_url(sent.claim_url, sent.claim_token, sdk.base_url)
    assert sent.status == "active"
    assert sent.file_count == 5
    assert sent.total_size_bytes == PACKAGE_BYTES
    assert sent.max_retrievals == 2
    assert sent.metadata == metadata
    expect.lifetime(sent.created_at, sent.expires_at, 900)

    claimed = await awaited(sdk.claim(sent.claim_url))
    assert (claimed.type, claimed.is_package) == ("kubbi_package", True)
    assert claimed.file_count == 5
    assert claimed.content_type is None and claimed.content is None
    assert claimed.metadata == metadata
    assert (claimed.created_at, claimed.expires_at) == (sent.created_at, sent.expires_at)
    assert [file.name for file in claimed.files] == [file["name"] for file in PACKAGE]
    for got, wanted in zip(claimed.files, PACKAGE):
        assert got.content_type == wanted["content_type"]
        assert got.role == wanted["role"]
        assert got.size_bytes == len(decoded(wanted))
        # Text comes back as text, binary as base64: either way the bytes are the ones sent.
        assert got.encoding == wanted.get("encoding")
        assert got.content == wanted["content"]
    assert base64.b64decode(claimed.files[-1].content) == BINARY


async def test_file_encoding_on_claim_follows_type_and_bytes(sdk: Sdk) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    files = [
        {"name": "notes.txt", "content": b64("héllo".encode()), "content_type": "text/plain", "encoding": "base64"},
        {"name": "logo.png", "content": b64(png), "content_type": "image/png", "encoding": "base64"},
        {"name": "latin1.txt", "content": b64("caf\xe9".encode("latin-1")), "content_type": "text/plain", "encoding": "base64"},
        {"name": "doc.jsonld", "content": '{"@id": "x"}', "content_type": "application/ld+json"},
        {"name": "ascii.bin", "content": "just ascii", "content_type": "application/octet-stream"},
    ]
    sent = await awaited(sdk.client.send_files(files=files, ttl_seconds=60))
    claimed = await awaited(sdk.claim(sent.claim_url))
    got = {file.name: (file.encoding, file.content, file.role) for file in claimed.files}
    assert got == {
        "notes.txt": (None, "héllo", None),
        "logo.png": ("base64", b64(png), None),
        "latin1.txt": ("base64", b64(b"caf\xe9"), None),
        "doc.jsonld": (None, '{"@id": "x"}', None),
        "ascii.bin": ("base64", b64(b"just ascii"), None),
    }


def check_detail(detail: KubbiDetail, sent, **fields) -> None:
    assert isinstance(detail, KubbiDetail)
    assert detail.id == sent.id
    assert (detail.created_at, detail.expires_at) == (sent.created_at, sent.expires_at)
    # A kubbi that is gone keeps no metadata: it is removed with the payload.
    assert detail.metadata == fields.pop("metadata", sent.metadata)
    assert detail.max_retrievals == sent.max_retrievals
    for name, value in fields.items():
        assert getattr(detail, name) == value, name


async def test_get_follows_a_kubbi_through_its_retrievals(sdk: Sdk) -> None:
    sent = await awaited(sdk.client.send(content=TEXT, content_type="text/plain", ttl_seconds=600, max_retrievals=3, metadata={"k": "v"}))
    fresh = await awaited(sdk.client.get(sent.id))
    check_detail(
        fresh, sent, status="active", content_type="text/plain", file_count=None,
        total_size_bytes=len(TEXT.encode()), retrieval_count=0, first_retrieved_at=None, last_retrieved_at=None,
    )

    await awaited(sdk.claim(sent.claim_url))
    once = await awaited(sdk.client.get(sent.id))
    check_detail(once, sent, status="active", retrieval_count=1, content_type="text/plain", total_size_bytes=len(TEXT.encode()))
    assert once.first_retrieved_at == once.last_retrieved_at
    assert expect.timestamp(once.first_retrieved_at) >= expect.timestamp(sent.created_at)

    await awaited(sdk.claim(sent.claim_token, base_url=sdk.base_url))
    await awaited(sdk.claim(sent.claim_url))
    burned = await awaited(sdk.client.get(sent.id))
    check_detail(burned, sent, status="burned", retrieval_count=3, first_retrieved_at=once.first_retrieved_at, metadata=None)
    assert expect.timestamp(burned.last_retrieved_at) >= expect.timestamp(once.last_retrieved_at)


async def test_get_a_package(sdk: Sdk) -> None:
    sent = await awaited(sdk.client.send_files(files=PACKAGE, ttl_seconds=60))
    detail = await awaited(sdk.client.get(sent.id))
    check_detail(
        detail, sent, status="active", content_type=None, file_count=5, total_size_bytes=PACKAGE_BYTES,
        retrieval_count=0, first_retrieved_at=None, last_retrieved_at=None,
    )


async def test_list_pages_newest_first(sdk: Sdk) -> None:
    before = await awaited(sdk.client.list(page=1, limit=1))
    older = await awaited(sdk.client.send(content="older", content_type="text/plain", ttl_seconds=60))
    # The list is ordered by created_at in milliseconds; two kubbis made in the same one have no defined order.
    await asyncio.sleep(0.005)
    newer = await awaited(sdk.client.send_files(files=PACKAGE[:1], ttl_seconds=60, metadata={"n": 2}))

    first = await awaited(sdk.client.list(page=1, limit=1))
    assert isinstance(first, ListKubbisResult) and isinstance(first.pagination, Pagination)
    total = before.pagination.total + 2
    assert first.pagination.model_dump() == {"page": 1, "limit": 1, "total": total, "total_pages": total}
    [listed_newer] = first.kubbis
    assert listed_newer == await awaited(sdk.client.get(newer.id))
    assert (listed_newer.file_count, listed_newer.metadata) == (1, {"n": 2})

    second = await awaited(sdk.client.list(page=2, limit=1))
    assert second.pagination.model_dump() == {"page": 2, "limit": 1, "total": total, "total_pages": total}
    assert [kubbi.id for kubbi in second.kubbis] == [older.id]

    two_per_page = await awaited(sdk.client.list(page=1, limit=2))
    assert two_per_page.pagination.total_pages == (total + 1) // 2
    assert [kubbi.id for kubbi in two_per_page.kubbis] == [newer.id, older.id]

    defaults = await awaited(sdk.client.list())
    assert (defaults.pagination.page, defaults.pagination.limit, defaults.pagination.total) == (1, 20, total)
    assert [kubbi.id for kubbi in defaults.kubbis[:2]] == [newer.id, older.id]


async def test_delete_wipes_at_once(sdk: Sdk) -> None:
    sent = await awaited(sdk.client.send(content="cancel me", content_type="text/plain", ttl_seconds=600))
    assert await awaited(sdk.client.delete(sent.id)) == {"id": sent.id, "status": "deleted"}
    detail = await awaited(sdk.client.get(sent.id))
    check_detail(detail, sent, status="deleted", retrieval_count=0)
    with pytest.raises(KubbiGoneError) as gone:
        await awaited(sdk.claim(sent.claim_url))
    assert gone.value.code == "deleted"
