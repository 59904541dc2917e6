"""The SDK called the sync way or the async way, so one test body covers both."""
from __future__ import annotations

import inspect as pyinspect
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, TypeVar, Union

from kubbi import AsyncKubbiClient, KubbiClient

T = TypeVar("T")


async def awaited(value: Union[T, Awaitable[T]]) -> T:
    """The result of a sync SDK call as is, or of an async one once awaited: one test body serves both."""
    if pyinspect.isawaitable(value):
        return await value
    return value


@dataclass(frozen=True)
class Sdk:
    """One way of using the SDK: KubbiClient with claim/inspect, or AsyncKubbiClient with aclaim/ainspect."""

    name: str
    client: Union[KubbiClient, AsyncKubbiClient]
    inspect: Callable[..., Any]
    claim: Callable[..., Any]
    base_url: str
    api_key: str

    def client_for(self, api_key: str, base_url: str, **options: Any) -> Union[KubbiClient, AsyncKubbiClient]:
        """Another client of the same kind, e.g. with another key or address."""
        kind = KubbiClient if self.name == "sync" else AsyncKubbiClient
        return kind(api_key=api_key, base_url=base_url, **options)
