"""Largest-remainder apportionment: whole numbers that add up exactly, caps respected."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.rounding import largest_remainder


@pytest.mark.parametrize(
    ("values", "total", "expected"),
    [
        pytest.param([1.5, 1.5, 1.0], 4, [2, 1, 1], id="tie-goes-to-first"),
        pytest.param([0.4, 0.4, 0.2], 1, [1, 0, 0], id="one-unit"),
        pytest.param([2.2, 3.3, 4.5], 10, [2, 3, 5], id="largest-remainder-wins"),
        pytest.param([1.0, 3.0], 8, [2, 6], id="scaled-to-total"),
        pytest.param([0.0, 2.6, 0.0], 3, [0, 3, 0], id="zeros-stay-zero"),
        pytest.param([0.0, 0.0], 0, [0, 0], id="nothing-to-share"),
        pytest.param([], 0, [], id="empty"),
    ],
)
def test_literal_apportionments(values, total, expected):
    assert largest_remainder(values, total) == expected


@pytest.mark.parametrize(
    ("values", "total", "caps", "expected"),
    [
        pytest.param([2.5, 2.5], 5, [2, 5], [2, 3], id="capped-row-passes-its-unit"),
        pytest.param([0.6, 0.6, 0.3], 2, [0, 2, 2], [0, 1, 1], id="cap-zero"),
        pytest.param([1.0, 0.0, 0.0], 3, [1, 5, 5], [1, 1, 1], id="zeros-share-alike"),
        pytest.param([9.0, 1.0], 10, [2, 20], [2, 8], id="redistributed-in-proportion"),
        pytest.param([3.9, 0.1], 4, [3, 4], [3, 1], id="cap-below-floor"),
    ],
)
def test_caps_are_respected(values, total, caps, expected):
    assert largest_remainder(values, total, caps=caps) == expected


@pytest.mark.parametrize(
    ("values", "total", "caps", "message"),
    [
        pytest.param([1.0, -1.0], 0, None, "finite and non-negative", id="negative"),
        pytest.param([math.nan], 1, None, "finite and non-negative", id="nan"),
        pytest.param([1.0], -1, None, "non-negative int", id="negative-total"),
        pytest.param([1.0], 1.5, None, "non-negative int", id="float-total"),
        pytest.param([1.0], True, None, "non-negative int", id="bool-total"),
        pytest.param([0.0, 0.0], 2, None, "all zero", id="nothing-to-share-out"),
        pytest.param([1.0, 1.0], 2, [1], "caps has 1 entries for 2 values", id="caps-length"),
        pytest.param([1.0, 1.0], 3, [1, 1], "less than the total 3", id="caps-too-small"),
        pytest.param([1.0], 1, [-1], "non-negative ints", id="negative-cap"),
    ],
)
def test_refusals(values, total, caps, message):
    with pytest.raises(ValueError, match=message):
        largest_remainder(values, total, caps=caps)


_values = st.lists(
    st.floats(min_value=0, max_value=1e7, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=30,
)


@given(values=_values, total=st.integers(min_value=0, max_value=10**8))
def test_sums_exactly_and_stays_within_one_of_each_share(values, total):
    if total and not sum(values):
        values = [*values[:-1], 1.0]
    result = largest_remainder(values, total)
    assert sum(result) == total
    weight = math.fsum(values)
    for value, whole in zip(values, result, strict=True):
        share = value * total / weight if weight else 0.0
        assert abs(whole - share) < 1 + 1e-6 * max(1.0, share)
        assert whole >= 0


@given(data=st.data(), values=_values)
def test_caps_hold_and_the_sum_is_exact(data, values):
    caps = data.draw(st.lists(st.integers(0, 10**6), min_size=len(values), max_size=len(values)))
    total = data.draw(st.integers(0, sum(caps)))
    if total and not sum(values):
        values = [*values[:-1], 1.0]
    result = largest_remainder(values, total, caps=caps)
    assert sum(result) == total
    assert all(0 <= whole <= cap for whole, cap in zip(result, caps, strict=True))
