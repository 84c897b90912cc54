"""The one label, colour and width table: what every product shows from it."""

from __future__ import annotations

import pytest

from web import labels


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("VIII", "烈度 VIII 度"),
        (">1.5m", "水深 >1.5m"),
        ("high", "危险程度：高"),
        ("extreme", "危险程度：极高"),
        ("x", "x"),
    ],
)
def test_class_labels(name, label):
    assert labels.class_label(name) == label


def test_the_browser_gets_every_table_it_draws_with():
    config = labels.as_json()
    assert config["overlays"] == dict(labels.OVERLAYS)
    assert config["widths"]["roads"] == dict(labels.ROAD_WIDTHS)
    assert config["widths"]["shelter_radii"] == dict(labels.SHELTER_RADII)
    assert config["styles"]["counties"]["color"] == labels.COUNTY_EDGE_COLOR
    assert config["colors"]["level_text"] == {
        str(k): v for k, v in labels.LEVEL_TEXT_COLORS.items()
    }


def test_every_status_and_level_has_a_colour_and_a_word():
    assert set(labels.STATUS_COLORS) == set(labels.SHELTER_STATUS) == set(labels.SHELTER_LEGEND)
    assert set(labels.LEVEL_COLORS) == set(labels.LEVELS) == set(labels.LEVEL_TEXT_COLORS)
    assert set(labels.RISK_COLORS) == set(labels.RISKS)
    assert set(labels.PRINT_ROADS) == {*labels.ROAD_TIERS.values(), "minor"}
