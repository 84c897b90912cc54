"""The one label, colour, width and words table: what every product shows from it."""

from __future__ import annotations

import re

import pytest

from geo import reasons
from geo.reasons import Reason
from web import labels, served_labels


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
    config = served_labels.as_json()
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


@pytest.mark.parametrize(
    ("reason", "chinese"),
    [
        ("no path over open roads from any depot", "开放道路无法从任一储备库到达"),
        ("no road within 500 m", "500 m 内无道路"),
        (Reason(reasons.NO_ROAD_NEAR, metres=500.0), "500 m 内无道路"),
        ("something new", "something new"),
    ],
)
def test_supply_reasons_are_printed_in_chinese_when_known(reason: object, chinese: str) -> None:
    assert labels.reason_label(reason) == chinese


def test_every_code_has_words_and_its_english_leads_back_to_it() -> None:
    assert set(labels.REASONS) == set(reasons.CODES)
    for code in reasons.CODES:
        english = labels.REASONS[code][0]
        reason = Reason(code, metres=250.0 if "{metres}" in english else None)
        text = labels.reason_text(reason)
        assert labels.reason_code(text) == reason
        assert labels.reason_label(text) == labels.reason_label(reason)


def test_the_api_english_is_unchanged() -> None:
    assert labels.reason_text(Reason(reasons.NO_ROAD_NEAR, metres=500.0)) == "no road within 500 m"
    assert labels.reason_text(Reason(reasons.ROADS_NEAR_CLOSED, metres=300.0)) == (
        "all roads within 300 m closed"
    )
    assert (
        labels.reason_text(Reason(reasons.DEPOT_IN_FOOTPRINT)) == "the depot lies in the footprint"
    )


def test_the_browser_patterns_are_generated_from_the_table() -> None:
    served = served_labels.as_json()["supply_reasons"]
    assert served == [[p, zh] for p, zh, _ in labels.REASON_PATTERNS]
    for pattern, chinese in served:
        english = next(
            e
            for e, _ in labels.REASONS.values()
            if re.fullmatch(pattern, e.replace("{metres}", "7"))
        )
        assert "$1" in chinese or "{metres}" not in english
