"""The handoff scenarios through the Python SDK: burn after read, multi-read fan-out, the producer
cancelling early, a multi-file package, and the real-world use cases with their payload sizes and TTLs."""
from __future__ import annotations

import asyncio
import base64
import gzip
import json
import os

import pytest
from kubbi import KubbiGoneError, aclaim

from support import expect
from support.sdk import Sdk, awaited


async def assert_burned(sdk: Sdk, sent) -> None:
    with pytest.raises(KubbiGoneError) as caught:
        await awaited(sdk.claim(sent.claim_url))
    assert caught.value.code == "burned"
    assert (await awaited(sdk.client.get(sent.id))).status == "burned"


# --- Core patterns ---------------------------------------------------------------------------------

async def test_scenario_1_burn_after_read_handoff(sdk: Sdk) -> None:
    credentials = {"username": "deploy-bot", "password": os.urandom(12).hex()}
    sent = await awaited(sdk.client.send(content=credentials, content_type="application/json", ttl_seconds=600, max_retrievals=1))

    # Only the URL travels; B inspects first, which consumes nothing.
    info = await awaited(sdk.inspect(sent.claim_url))
    assert (info.content_type, info.max_retrievals, info.retrieval_count, info.expires_at) == ("application/json", 1, 0, sent.expires_at)

    claimed = await awaited(sdk.claim(sent.claim_url))
    assert claimed.content == credentials
    await assert_burned(sdk, sent)


async def test_scenario_2_multi_read_fan_out_to_3(sdk: Sdk) -> None:
    result = {"rows": list(range(50)), "stage": "intermediate"}
    sent = await awaited(sdk.client.send(content=result, content_type="application/json", ttl_seconds=3600, max_retrievals=3))
    expect.lifetime(sent.created_at, sent.expires_at, 3600)

    for step, expected_count in (("A", 1), ("B", 2), ("C", 3)):
        assert (await awaited(sdk.claim(sent.claim_url))).content == result, step
        if expected_count < 3:
            info = await awaited(sdk.inspect(sent.claim_url))
            assert (info.retrieval_count, info.remaining_reads) == (expected_count, 3 - expected_count), step
    detail = await awaited(sdk.client.get(sent.id))
    assert (detail.status, detail.retrieval_count) == ("burned", 3)
    await assert_burned(sdk, sent)


async def test_scenario_2_fan_out_at_once_serves_exactly_3(sdk: Sdk) -> None:
    """Five steps claiming at the same moment: three get the payload, two get 410, never more than three."""
    sent = await awaited(sdk.client.send(content="shared", content_type="text/plain", ttl_seconds=3600, max_retrievals=3))
    outcomes = await asyncio.gather(*(aclaim(sent.claim_url) for _ in range(5)), return_exceptions=True)
    served = [outcome for outcome in outcomes if not isinstance(outcome, BaseException)]
    gone = [outcome for outcome in outcomes if isinstance(outcome, KubbiGoneError)]
    assert [claimed.content for claimed in served] == ["shared"] * 3
    assert [error.code for error in gone] == ["burned"] * 2


async def test_scenario_3_producer_cancels_early(sdk: Sdk) -> None:
    sent = await awaited(sdk.client.send(content="task input", content_type="text/plain", ttl_seconds=600))
    stored_id = sent.id
    await awaited(sdk.client.delete(stored_id))
    with pytest.raises(KubbiGoneError) as caught:
        await awaited(sdk.claim(sent.claim_url))
    assert (caught.value.status, caught.value.code) == (410, "deleted")
    assert (await awaited(sdk.client.get(stored_id))).status == "deleted"


async def test_scenario_4_multi_file_package_handoff(sdk: Sdk) -> None:
    config = json.dumps({"target": "linux-arm64", "sign": True})
    instructions = "# Build\nRun `make release`, then sign artifact.tar.gz.\n"
    artifact = gzip.compress(os.urandom(2048))
    files = [
        {"name": "config.json", "content": config, "content_type": "application/json", "role": "config"},
        {"name": "instructions.md", "content": instructions, "content_type": "text/markdown", "role": "instructions"},
        {"name": "artifact.tar.gz", "content": base64.b64encode(artifact).decode(), "content_type": "application/gzip", "role": "attachment", "encoding": "base64"},
    ]
    sent = await awaited(sdk.client.send_files(files=files, ttl_seconds=1800, max_retrievals=1))

    manifest = (await awaited(sdk.inspect(sent.claim_url))).files
    assert [(f.name, f.content_type, f.size_bytes, f.role) for f in manifest] == [
        ("config.json", "application/json", len(config), "config"),
        ("instructions.md", "text/markdown", len(instructions), "instructions"),
        ("artifact.tar.gz", "application/gzip", len(artifact), "attachment"),
    ]

    claimed = await awaited(sdk.claim(sent.claim_url))
    by_name = {file.name: file for file in claimed.files}
    assert (by_name["config.json"].encoding, by_name["config.json"].content) == (None, config)
    assert (by_name["instructions.md"].encoding, by_name["instructions.md"].content) == (None, instructions)
    assert by_name["artifact.tar.gz"].encoding == "base64"
    assert base64.b64decode(by_name["artifact.tar.gz"].content) == artifact
    await assert_burned(sdk, sent)


# --- Real-world use cases: each actor pair with its payload, size and TTL ----------------------------

def json_of_size(size: int) -> dict:
    return {"findings": ["x" * 1000 for _ in range(size // 1006)]}


def csv_of_size(size: int) -> str:
    row = "2026-03-28,north,ACME-042,1234.56,approved\n"
    return "date,region,account,amount,status\n" + row * (size // len(row))


PEM = "-----BEGIN PRIVATE KEY-----\n" + "\n".join(base64.b64encode(os.urandom(48)).decode() for _ in range(26)) + "\n-----END PRIVATE KEY-----\n"

USE_CASES = [
    # (id, ttl_seconds, how it is sent)
    ("research-agent-to-summariser", 1800, {"content": json_of_size(80_000), "content_type": "application/json"}),
    ("on-prem-etl-to-cloud-agent", 7200, {"files": [{"name": "dataset.csv", "content": csv_of_size(500_000), "content_type": "text/csv", "role": "data"}]}),
    ("ci-to-air-gapped-build-agent", 300, {"files": [
        {"name": "signing.crt", "content": PEM.replace("PRIVATE KEY", "CERTIFICATE"), "content_type": "application/x-pem-file", "role": "attachment"},
        {"name": "signing.key", "content": PEM, "content_type": "application/x-pem-file", "role": "attachment"},
    ]}),
    ("cron-to-reporting-agent", 14400, {"content": {"week": "2026-W13", "requests": 182_331, "by_key": {"a": 1, "b": 2}}, "content_type": "application/json"}),
    ("analyst-to-triage-agent", 1200, {"content": "Incident 7731\nIOCs: 203.0.113.7, evil.example, 44d88612fea8a8f36de82e1278abb02f\n", "content_type": "text/plain"}),
    ("mobile-app-to-verifier", 90, {"content": "eyJhbGciOiJFUzI1NiJ9." + base64.urlsafe_b64encode(os.urandom(96)).decode(), "content_type": "text/plain"}),
    ("partner-to-onboarding-agent", 3600, {"files": [
        {"name": "api-keys.json", "content": json.dumps({"primary": os.urandom(16).hex()}), "content_type": "application/json", "role": "config"},
        {"name": "tenant.json", "content": json.dumps({"tenant": "acme", "region": "eu"}), "content_type": "application/json", "role": "config"},
        {"name": "tenant.pem", "content": PEM, "content_type": "application/x-pem-file", "role": "attachment"},
    ]}),
    ("agent-to-human-reviewer", 900, {"content": json_of_size(5_000), "content_type": "application/json"}),
]


@pytest.mark.parametrize(("ttl_seconds", "payload"), [case[1:] for case in USE_CASES], ids=[case[0] for case in USE_CASES])
async def test_use_case_single_read_handoff(sdk: Sdk, ttl_seconds: int, payload: dict) -> None:
    if "files" in payload:
        sent = await awaited(sdk.client.send_files(files=payload["files"], ttl_seconds=ttl_seconds, max_retrievals=1))
        expected_size = sum(len(file["content"].encode()) for file in payload["files"])
    else:
        sent = await awaited(sdk.client.send(**payload, ttl_seconds=ttl_seconds, max_retrievals=1))
        content = payload["content"]
        expected_size = len((json.dumps(content, separators=(",", ":")) if payload["content_type"] == "application/json" else content).encode())
    expect.lifetime(sent.created_at, sent.expires_at, ttl_seconds)

    info = await awaited(sdk.inspect(sent.claim_url))
    assert (info.total_size_bytes, info.remaining_reads) == (expected_size, 1)

    claimed = await awaited(sdk.claim(sent.claim_url))
    if "files" in payload:
        # Text types come back as text, others (PEM's application/x-pem-file) as base64: the bytes are what was sent.
        received = [(file.name, base64.b64decode(file.content) if file.encoding == "base64" else file.content.encode()) for file in claimed.files]
        assert received == [(file["name"], file["content"].encode()) for file in payload["files"]]
    else:
        assert claimed.content == payload["content"]
    await assert_burned(sdk, sent)
