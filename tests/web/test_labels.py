"""The one words table: reasons from geo/ codes to the API's English and the Chinese."""

from __future__ import annotations

import re

import pytest

from geo import reasons
from geo.reasons import Reason
from web import labels


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
    served = labels.as_json()["supply_reasons"]
    assert served == [[p, zh] for p, zh, _ in labels.REASON_PATTERNS]
    for pattern, chinese in served:
        english = next(
            e
            for e, _ in labels.REASONS.values()
            if re.fullmatch(pattern, e.replace("{metres}", "7"))
        )
        assert "$1" in chinese or "{metres}" not in english
