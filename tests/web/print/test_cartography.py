"""Symbology of the situation map: footprint colours and supply reasons, literal values."""

from __future__ import annotations

import pytest

from web import labels
from web.print import cartography as carto


@pytest.mark.parametrize(("text", "value"), [("VIII", 8), ("XII", 12), ("IV", 4), ("high", None)])
def test_roman_numerals(text, value):
    assert carto.roman(text) == value


def test_footprint_colours_are_fixed_per_class_and_darkest_when_most_severe():
    flood = carto.class_colours("flood", [">1.5m", "0.7-1.5m", "0.1-0.7m"])
    assert flood == {">1.5m": "#08519c", "0.7-1.5m": "#4292c6", "0.1-0.7m": "#9ecae1"}
    # the same class keeps its colour when the others are absent
    assert carto.class_colours("flood", ["0.1-0.7m"]) == {"0.1-0.7m": "#9ecae1"}
    quake = carto.class_colours("earthquake", ["VIII", "VII", "VI"])
    assert quake == {"VIII": "#dd3497", "VII": "#f768a1", "VI": "#fa9fb5"}
    assert carto.class_colours("landslide", ["high"]) == {"high": "#8c510a"}


def test_unknown_classes_spread_over_the_palette():
    colours = carto.class_colours("other", ["a", "b", "c"])
    palette = labels.PRINT_PALETTES["other"]
    assert colours == {"a": palette[0], "b": palette[3], "c": palette[-1]}
