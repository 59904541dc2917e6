"""Handoffs across SDKs: the TypeScript SDK (@kubbi.ai/sdk) on one side, the Python SDK on the other, byte-exact."""
from __future__ import annotations

import base64
import hashlib
import os

import pytest
from kubbi import KubbiGoneError

from support.node_sdk import ts_claim, ts_send
from support.sdk import Sdk, awaited

BINARY = bytes(range(256)) + os.urandom(4096)
TEXT = "Résumé of the run ✓\nline two\n"
CONFIG = '{"retries": 3, "name": "ünïcødé"}'


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_typescript_sends_a_package_python_claims_it(sdk: Sdk) -> None:
    sent = ts_send(sdk.base_url, sdk.api_key, {
        "ttlSeconds": 300, "maxRetrievals": 1, "metadata": {"from": "typescript"},
        "files": [
            {"name": "artifact.bin", "contentType": "application/octet-stream", "role": "attachment", "base64": b64(BINARY)},
            {"name": "notes.txt", "contentType": "text/plain", "role": "context", "text": TEXT},
            {"name": "config.json", "contentType": "application/json", "role": "config", "text": CONFIG},
        ],
    })

    info = await awaited(sdk.inspect(sent["claimUrl"]))
    assert info.kubbi_id == sent["id"]
    assert [(f.name, f.content_type, f.size_bytes, f.role) for f in info.files] == [
        (f["name"], f["contentType"], f["sizeBytes"], f["role"]) for f in sent["files"]
    ]

    claimed = await awaited(sdk.claim(sent["claimUrl"]))
    assert claimed.metadata == {"from": "typescript"}
    artifact, notes, config = claimed.files
    assert artifact.encoding == "base64" and base64.b64decode(artifact.content) == BINARY
    assert (notes.encoding, notes.content) == (None, TEXT)
    assert (config.encoding, config.content) == (None, CONFIG)
    # The hashes the TypeScript side was given match the bytes Python received.
    received = [base64.b64decode(artifact.content), notes.content.encode(), config.content.encode()]
    assert [sha256(data) for data in received] == [f["sha256"] for f in sent["files"]]

    with pytest.raises(KubbiGoneError):
        await awaited(sdk.claim(sent["claimUrl"]))


async def test_typescript_sends_json_python_claims_it(sdk: Sdk) -> None:
    content = {"order_id": "123", "amounts": [1, 2.5], "ok": True, "none": None, "text": "ünïcødé"}
    sent = ts_send(sdk.base_url, sdk.api_key, {"ttlSeconds": 60, "contentType": "application/json", "content": content})
    claimed = await awaited(sdk.claim(sent["claimToken"], base_url=sdk.base_url))
    assert (claimed.type, claimed.content_type, claimed.content) == ("kubbi", "application/json", content)
    assert (claimed.created_at, claimed.expires_at) == (sent["createdAt"], sent["expiresAt"])


async def test_python_sends_a_package_typescript_claims_it(sdk: Sdk) -> None:
    files = [
        {"name": "artifact.bin", "content": b64(BINARY), "content_type": "application/octet-stream", "role": "attachment", "encoding": "base64"},
        {"name": "notes.txt", "content": TEXT, "content_type": "text/plain", "role": "instructions"},
        {"name": "config.json", "content": CONFIG, "content_type": "application/json"},
    ]
    sent = await awaited(sdk.client.send_files(files=files, ttl_seconds=300, max_retrievals=1, metadata={"from": "python"}))

    claimed = ts_claim(sent.claim_url)
    assert (claimed["type"], claimed["kubbiId"], claimed["metadata"]) == ("kubbi_package", sent.id, {"from": "python"})
    assert (claimed["retrievalCount"], claimed["remainingReads"], claimed["burned"]) == (1, 0, True)
    assert (claimed["createdAt"], claimed["expiresAt"]) == (sent.created_at, sent.expires_at)
    expected = [BINARY, TEXT.encode(), CONFIG.encode()]
    assert [base64.b64decode(f["bytes"]) for f in claimed["files"]] == expected
    assert [f["sha256"] for f in claimed["files"]] == [sha256(data) for data in expected]
    assert [(f["name"], f["contentType"], f["role"], f["text"]) for f in claimed["files"]] == [
        ("artifact.bin", "application/octet-stream", "attachment", None),
        ("notes.txt", "text/plain", "instructions", TEXT),
        ("config.json", "application/json", None, CONFIG),
    ]
    assert (await awaited(sdk.client.get(sent.id))).status == "burned"


async def test_python_sends_text_typescript_claims_it(sdk: Sdk) -> None:
    sent = await awaited(sdk.client.send(content=TEXT, content_type="text/plain", ttl_seconds=60, max_retrievals=2))
    claimed = ts_claim(sent.claim_url)
    assert (claimed["type"], claimed["contentType"], claimed["content"]) == ("kubbi", "text/plain", TEXT)
    assert (claimed["retrievalCount"], claimed["remainingReads"], claimed["burned"]) == (1, 1, False)
