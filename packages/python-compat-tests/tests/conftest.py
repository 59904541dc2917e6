"""Fixtures: real API stacks, and the SDK called the sync way or the async way."""
from __future__ import annotations

from typing import AsyncIterator, Iterator

import kubbi
import pytest
from kubbi import AsyncKubbiClient, KubbiClient

from support.fault_proxy import FaultProxy
from support.sdk import Sdk
from support.stack import UNTHROTTLED, Stack, running_stack, stack_from_environment


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """The server most tests talk to: KUBBI_BASE_URL + KUBBI_API_KEY when given, else a fresh one."""
    external = stack_from_environment()
    if external is not None:
        yield external
        return
    with running_stack(**UNTHROTTLED) as started:
        yield started


@pytest.fixture(scope="session")
def proxy(stack: Stack) -> Iterator[FaultProxy]:
    """A proxy in front of the main stack that records every request and fails the ones it is told to."""
    with FaultProxy(stack.base_url) as running:
        yield running


@pytest.fixture(scope="session")
def quota_stack() -> Iterator[Stack]:
    """A server whose keys may hold at most 2 active kubbis."""
    with running_stack(KUBBI_MAX_ACTIVE_KUBBIS="2") as started:
        yield started


@pytest.fixture(scope="session")
def limits_stack() -> Iterator[Stack]:
    """A server with tiny plan limits: 1 KiB per kubbi, 2 files per package, 2 consumer requests a minute."""
    with running_stack(
        KUBBI_MAX_KUBBI_BYTES="1024", KUBBI_MAX_FILES="2", KUBBI_CONSUMER_RATE_LIMIT_PER_MINUTE="2"
    ) as started:
        yield started


@pytest.fixture(scope="session")
def stopped_stack() -> Iterator[tuple[Stack, str]]:
    """A server that was up long enough to hand out a claim URL, then shut down: (its address, that URL)."""
    with running_stack() as started:
        sent = KubbiClient(api_key=started.api_key, base_url=started.base_url).send(
            content="never claimed", content_type="text/plain", ttl_seconds=600
        )
    yield started, sent.claim_url


@pytest.fixture(params=["sync", "async"])
async def sdk(request: pytest.FixtureRequest, stack: Stack) -> AsyncIterator[Sdk]:
    # Entered as a context manager, as the SDK's docs show it.
    if request.param == "sync":
        with KubbiClient(api_key=stack.api_key, base_url=stack.base_url) as client:
            assert isinstance(client, KubbiClient)
            yield Sdk("sync", client, kubbi.inspect, kubbi.claim, stack.base_url, stack.api_key)
    else:
        async with AsyncKubbiClient(api_key=stack.api_key, base_url=stack.base_url) as client:
            assert isinstance(client, AsyncKubbiClient)
            yield Sdk("async", client, kubbi.ainspect, kubbi.aclaim, stack.base_url, stack.api_key)
