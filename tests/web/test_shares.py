"""Shares read as percentages and gaps as percentage points."""

from __future__ import annotations

import pytest

from web.shares import percent, point_gap


@pytest.mark.parametrize(
    ("fraction", "text"),
    [
        (0.19543973941368079, "19.5%"),
        (0.25, "25%"),
        (0.3, "30%"),
        (0.007, "0.7%"),
        (0.00396, "0.40%"),  # below 乐清's 0.4% threshold: never shown as 0.4%
        (0, "0%"),
        (1, "100%"),
    ],
)
def test_percent(fraction, text):
    assert percent(fraction) == text


def test_gap_in_points_as_the_issue_reads_it():
    value = 0.19543973941368079
    assert f"{percent(value)}（距三级还差 {point_gap(0.2 - value, value=value)}）" == (
        "19.5%（距三级还差 0.5 个百分点）"
    )


def test_a_tiny_gap_is_never_shown_as_nought():
    assert point_gap(0.0004, value=0.1996) == "0.04 个百分点"
    assert point_gap(1e-9, value=0.2) == "<0.0001 个百分点"
