"""The SDK's retries on 502/503/504 and dropped connections, against real faults from a proxy in front of the API.

The SDK waits 1 s before its first retry and 2 s before its second, so each test injects as few faults as it can.
"""
from __future__ import annotations

import secrets
import pytest
from kubbi import KubbiApiError, KubbiNotFoundError, KubbiClient, claim, inspect

from support.fault_proxy import DROP, FaultProxy
from support.sdk import Sdk, awaited
from support.stack import Stack


def answers(proxy: FaultProxy) -> list:
    """What the proxy did with each request it saw: the injected fault, or None when it forwarded it."""
    return [seen.answered_with for seen in proxy.seen]


def one_request_repeated(proxy: FaultProxy) -> bool:
    return len({(seen.method, seen.path, seen.body) for seen in proxy.seen}) == 1


async def test_send_is_retried_after_503(sdk: Sdk, proxy: FaultProxy) -> None:
    client = sdk.client_for(sdk.api_key, proxy.base_url)
    before = (await awaited(sdk.client.list(limit=1))).pagination.total
    proxy.fail_next([503])
    sent = await awaited(client.send(content="through a flaky proxy", content_type="text/plain", ttl_seconds=60))
    assert answers(proxy) == [503, None]
    assert one_request_repeated(proxy)
    # The faulted attempt never reached the API, so exactly one kubbi exists.
    assert (await awaited(sdk.client.list(limit=1))).pagination.total == before + 1
    assert (await awaited(sdk.claim(sent.claim_url))).content == "through a flaky proxy"


async def test_claim_is_retried_after_502_then_504(stack: Stack, proxy: FaultProxy) -> None:
    sent = KubbiClient(api_key=stack.api_key, base_url=stack.base_url).send(
        content="claimed once", content_type="text/plain", ttl_seconds=60, max_retrievals=1
    )
    proxy.fail_next([502, 504])
    claimed = claim(sent.claim_token, base_url=proxy.base_url)
    assert claimed.content == "claimed once"
    assert answers(proxy) == [502, 504, None]
    assert one_request_repeated(proxy)


async def test_a_dropped_connection_is_retried(sdk: Sdk, proxy: FaultProxy) -> None:
    sent = await awaited(sdk.client.send(content="x", content_type="text/plain", ttl_seconds=60, max_retrievals=2))
    proxy.fail_next([DROP])
    info = await awaited(sdk.inspect(sent.claim_token, base_url=proxy.base_url))
    assert (info.kubbi_id, info.retrieval_count) == (sent.id, 0)
    assert answers(proxy) == [DROP, None]


async def test_retries_stop_at_max_retries(stack: Stack, proxy: FaultProxy) -> None:
    client = KubbiClient(api_key=stack.api_key, base_url=proxy.base_url, max_retries=1)
    proxy.fail_next([503, 503, 503])
    with pytest.raises(KubbiApiError) as caught:
        client.list()
    assert (type(caught.value), caught.value.status, caught.value.code) == (KubbiApiError, 503, "service_unavailable")
    assert answers(proxy) == [503, 503]


async def test_max_retries_zero_makes_one_attempt(stack: Stack, proxy: FaultProxy) -> None:
    proxy.fail_next([504])
    with pytest.raises(KubbiApiError) as caught:
        inspect(secrets.token_urlsafe(32), base_url=proxy.base_url, max_retries=0)
    assert (caught.value.status, caught.value.code) == (504, "gateway_timeout")
    assert answers(proxy) == [504]


async def test_other_errors_are_not_retried(sdk: Sdk, proxy: FaultProxy) -> None:
    client = sdk.client_for(sdk.api_key, proxy.base_url)
    proxy.fail_next([500])
    with pytest.raises(KubbiApiError) as caught:
        await awaited(client.list())
    assert (caught.value.status, caught.value.code) == (500, "internal_error")
    assert answers(proxy) == [500]

    proxy.fail_next([])
    with pytest.raises(KubbiNotFoundError):
        await awaited(sdk.claim(secrets.token_urlsafe(32), base_url=proxy.base_url))
    assert answers(proxy) == [None]
