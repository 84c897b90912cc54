"""Symbology of the footprint on every map: one palette, a fixed shade per class."""

from __future__ import annotations

import pytest

from web import footprint_style, labels


@pytest.mark.parametrize(("text", "value"), [("VIII", 8), ("XII", 12), ("IV", 4), ("high", None)])
def test_roman_numerals(text, value):
    assert footprint_style.roman(text) == value


def test_footprint_colours_are_fixed_per_class_and_darkest_when_most_severe():
    flood = footprint_style.class_colours([">1.5m", "0.7-1.5m", "0.1-0.7m"])
    assert flood == {">1.5m": "#54278f", "0.7-1.5m": "#807dba", "0.1-0.7m": "#bcbddc"}
    # the same class keeps its colour when the others are absent
    assert footprint_style.class_colours(["0.1-0.7m"]) == {"0.1-0.7m": "#bcbddc"}
    quake = footprint_style.class_colours(["VIII", "VII", "VI"])
    assert quake == {"VIII": "#9e9ac8", "VII": "#bcbddc", "VI": "#dadaeb"}
    assert footprint_style.class_colours(["high"]) == {"high": "#54278f"}


def test_unknown_classes_spread_over_the_palette():
    colours = footprint_style.class_colours(["a", "b", "c"])
    palette = labels.FOOTPRINT_PALETTE
    assert colours == {"a": palette[0], "b": palette[3], "c": palette[-1]}


def _rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def test_no_footprint_shade_is_near_a_hazard_zone_colour():
    # The 风险四色图 colours and the footprint palette must not be confused: every pair is
    # at least 80 apart in RGB (red #d7191c to orange #fdae61 is 175; low blue to the
    # nearest purple shade is the closest pair).
    for shade in labels.FOOTPRINT_PALETTE:
        for risk in labels.RISK_COLORS.values():
            distance = (
                sum((a - b) ** 2 for a, b in zip(_rgb(shade), _rgb(risk), strict=True)) ** 0.5
            )
            assert distance > 80, (shade, risk)
