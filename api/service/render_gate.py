"""Maps and files made from a stored assessment: made once, kept, and rationed per client.

A printed map or an export of a large assessment can cost seconds of a compute process.
Stored assessments never change (they are insert-only), and the same assessment with the
same options gives the same bytes, so each product is made once and kept in a cache
bounded in megabytes (least recently used out first). Concurrent requests for the same
product share one rendering. Each client (its API key's name, else its address) may have
a few renderings running and a few waiting; beyond that it is answered 429 with
``Retry-After``, so no viewer can occupy the compute processes with maps.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from geo.errors import TooBusy

T = TypeVar("T")


@dataclass(frozen=True)
class GateLimits:
    """How much each client may render at once, and how much is kept."""

    per_client: int = 2
    queue: int = 4
    retry_after_s: int = 10
    cache_bytes: int = 256 * 2**20


class ByteCache(Generic[T]):
    """A least-recently-used cache bounded by the total size of what it holds."""

    def __init__(self, max_bytes: int, size: Callable[[T], int]) -> None:
        self.max_bytes = max_bytes
        self._size = size
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self.bytes = 0

    def get(self, key: Hashable) -> T | None:
        """The kept product, or None; a hit makes it the most recently used."""
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: Hashable, value: T) -> None:
        """Keep ``value`` unless it alone is larger than the cache; evict the oldest."""
        size = self._size(value)
        if size > self.max_bytes:
            return
        if key in self._items:
            self.bytes -= self._size(self._items.pop(key))
        self._items[key] = value
        self.bytes += size
        while self.bytes > self.max_bytes:
            _, oldest = self._items.popitem(last=False)
            self.bytes -= self._size(oldest)

    def __len__(self) -> int:
        """How many products are kept."""
        return len(self._items)


class RenderGate(Generic[T]):
    """One rendering per product, a few per client, the rest kept or refused with 429."""

    def __init__(self, limits: GateLimits, size: Callable[[T], int]) -> None:
        self.limits = limits
        self.cache: ByteCache[T] = ByteCache(limits.cache_bytes, size)
        self._running: dict[Hashable, asyncio.Future[T]] = {}
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._waiting: dict[str, int] = {}
        self.rendered = 0

    async def get(self, client: str, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
        """The product ``key``: kept, being made for someone, or made now for ``client``.

        Raises
        ------
        TooBusy
            When ``client`` already has as many renderings running and waiting as allowed.
        """
        while True:
            kept = self.cache.get(key)
            if kept is not None:
                return kept
            running = self._running.get(key)
            if running is None:
                return await self._make(client, key, make)
            try:
                return await asyncio.shield(running)
            except asyncio.CancelledError:
                if not running.cancelled():
                    raise  # this request was cancelled, not the rendering it waited for
                # the client that started it went away: start it again for this one

    async def _make(self, client: str, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
        """Make ``key`` for ``client`` within its share; others asking meanwhile wait on it."""
        limits = self.limits
        if self._waiting.get(client, 0) >= limits.per_client + limits.queue:
            raise TooBusy(
                f"too many maps or files being made for this client "
                f"({limits.per_client} at a time, {limits.queue} waiting); "
                f"retry in {limits.retry_after_s} s",
                retry_after_s=limits.retry_after_s,
            )
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        self._waiting[client] = self._waiting.get(client, 0) + 1
        try:
            slot = self._slots.setdefault(client, asyncio.Semaphore(limits.per_client))
            async with slot:
                value = await make()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when none waits
            raise
        else:
            self.rendered += 1
            self.cache.put(key, value)
            future.set_result(value)
            return value
        finally:
            del self._running[key]
            self._waiting[client] -= 1
            if not self._waiting[client]:  # nothing of this client's left: forget it
                del self._waiting[client]
                del self._slots[client]
