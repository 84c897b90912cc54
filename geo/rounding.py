"""Whole-person figures that add up: largest-remainder (Hamilton) apportionment.

Exact exposure figures are fractional (partial cells count by the share covered).
Published rows must be whole persons and must sum exactly to the published total,
so each row gets the floor of its exact share and the units still missing go, one
each, to the rows with the largest remainders. Ties go to the earlier row, so the
answer is the same on every run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral


def largest_remainder(
    values: Sequence[float], total: int, *, caps: Sequence[int] | None = None
) -> list[int]:
    """Split ``total`` into whole numbers in proportion to ``values``, summing exactly to it.

    Parameters
    ----------
    values
        Non-negative, finite exact figures (e.g. each county's fractional count).
        The exact share of row ``i`` is ``values[i] * total / sum(values)``.
    total
        The whole number the result must add up to.
    caps
        Optional upper bound per row (e.g. displaced may not exceed affected).
        Without caps every row is its share rounded down or up. A row whose share
        reaches its cap keeps the cap, and what it cannot take is shared among the
        other rows in proportion to their values (alike if those are all zero).

    Raises
    ------
    ValueError
        On negative or non-finite values, a negative total, a positive total over
        all-zero values, caps of the wrong length, or caps too small to hold ``total``.
    """
    if not _is_count(total):
        raise ValueError(f"total must be a non-negative int, got {total!r}")
    total = int(total)
    if any(not math.isfinite(v) or v < 0 for v in values):
        raise ValueError("values must be finite and non-negative")
    limits = _check_caps(caps, len(values), total)
    if total == 0:
        return [0] * len(values)
    if math.fsum(values) == 0:
        raise ValueError(f"cannot apportion {total} over values that are all zero")
    result = [0] * len(values)
    free = list(range(len(values)))
    weights = list(values)
    remaining = total
    while True:
        # A row whose share reaches its cap keeps the cap; the rest is shared again
        # among the other rows, in proportion to their values.
        shares = _shares(weights, free, remaining)
        full = [i for i in free if shares[i] >= limits[i]]
        if not full:
            break
        for i in full:
            result[i] = limits[i]
            remaining -= limits[i]
        free = [i for i in free if i not in set(full)]
        if not any(weights[i] for i in free):
            weights = [1.0] * len(values)  # values left are all zero: share alike
    _hamilton(result, shares, free, remaining)
    return result


def _shares(weights: list[float], free: list[int], total: int) -> dict[int, float]:
    weight = math.fsum(weights[i] for i in free)
    return {i: weights[i] * total / weight if weight else 0.0 for i in free}


def _hamilton(result: list[int], shares: dict[int, float], free: list[int], total: int) -> None:
    """Floors first, then one unit each to the rows with the largest remainders.

    The floors never add up to more than ``total`` (each is at most its share) and the
    units missing are fewer than the rows, so no row gets more than one.
    """
    for i in free:
        result[i] = math.floor(shares[i])
    missing = total - sum(result[i] for i in free)
    by_remainder = sorted(free, key=lambda i: (result[i] - shares[i], i))
    for i in by_remainder[:missing]:
        result[i] += 1


def _check_caps(caps: Sequence[int] | None, size: int, total: int) -> list[int]:
    if caps is None:
        return [total] * size
    if len(caps) != size:
        raise ValueError(f"caps has {len(caps)} entries for {size} values")
    if not all(_is_count(c) for c in caps):
        raise ValueError("caps must be non-negative ints")
    if sum(caps) < total:
        raise ValueError(f"caps add up to {sum(caps)}, less than the total {total}")
    return [int(c) for c in caps]


def _is_count(value: object) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool) and int(value) >= 0
