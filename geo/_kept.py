"""Values derived from a pack's layers, made once while the layers live.

Every assessment reads the same layers (3,000 shelters, their hazard-zone conflicts, their
positions in the metric CRS); what follows from them alone is made at the first request
and kept with them. A layer is read-only once loaded (`layers.pack.LayerPack`), and so is
what is kept: callers never modify either. An entry is found by the identity of its
sources, checked on every read, and dropped when any source is collected.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

_KEPT: dict[tuple[Hashable, ...], tuple[tuple[weakref.ref[Any], ...], Any]] = {}


def derived(sources: tuple[object, ...], purpose: Hashable, build: Callable[[], T]) -> T:
    """``build()``, made once while every one of ``sources`` (read-only objects) lives.

    ``purpose`` names what is built from them (with any hashable argument it depends on,
    e.g. the CRS); the same sources and purpose give the object built the first time.
    """
    key = (purpose, *map(id, sources))
    found = _KEPT.get(key)
    if found is not None and all(
        ref() is source for ref, source in zip(found[0], sources, strict=True)
    ):
        value: T = found[1]
        return value
    value = build()

    def forget(_: weakref.ref[Any]) -> None:
        _KEPT.pop(key, None)

    _KEPT[key] = (tuple(weakref.ref(source, forget) for source in sources), value)
    return value
