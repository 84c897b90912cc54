"""The setbacks profile: the shipped file has its documented values; bad ones are refused."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from geo.errors import ProfileError
from geo.hazards.setbacks import parse_setbacks
from layers.profiles import read_setbacks

GRADES = {"extreme": 300, "high": 200, "medium": 100, "low": 50, "basis": "b", "rationale": "r"}
VALID = {
    "setbacks": {"landslide": GRADES, "default": GRADES},
    "service_radius": {"emergency": {"metres": 500, "source": "GB 50413-2007"}},
    "site_rules": [{"kinds": ["fault"], "clause": "阳泉2026 §6.2.3", "text": "避开地震断裂带"}],
}


def test_the_shipped_profile_has_its_documented_defaults() -> None:
    shipped = read_setbacks()
    assert {k: shipped.setback(k, "high") for k in shipped.kinds} == {
        "flash_flood": 50,
        "landslide": 200,
        "debris_flow": 200,
        "collapse": 100,
        "fault": 200,
        "flood_risk": 50,
        "floodway": 50,
        "hazardous_plant": 1000,
        "default": 100,
    }
    assert shipped.setback("fault", "extreme") == 400
    assert shipped.setback("unheard_of", "low") == 100
    assert shipped.service_radii() == {
        "emergency": 500,
        "short_term": 2000,
        "medium_term": 3000,
        "long_term": 3000,
    }
    assert all(entry.basis and entry.rationale for entry in shipped.kinds.values())


def test_a_valid_profile_parses_and_rules_default_to_every_risk() -> None:
    parsed = parse_setbacks(VALID, source="t.toml")
    assert parsed.name == "t.toml"
    assert parsed.setback("fault", "medium") == 100  # the default entry
    (rule,) = parsed.site_rules
    assert rule.risks == {"extreme", "high", "medium", "low"}
    assert rule.cite() == "阳泉2026 §6.2.3：避开地震断裂带"


def _broken(path: str, value: object) -> dict:
    data = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    target: dict = data
    for key in parents:
        target = target[key] if not key.isdigit() else target[int(key)]  # type: ignore[index]
    if value is None:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "match"),
    [
        ("setbacks.default", None, r"setbacks\.default: missing"),
        ("setbacks", None, "setbacks: missing"),
        ("setbacks", [1], "setbacks: expected a table"),
        ("setbacks.landslide.high", -5, r"setbacks\.landslide\.high: expected a non-negative"),
        ("setbacks.landslide.low", "far", r"setbacks\.landslide\.low: expected a non-negative"),
        ("setbacks.landslide.basis", None, r"setbacks\.landslide\.basis: expected text"),
        ("setbacks.landslide.width", 3, r"setbacks\.landslide: unknown keys \['width'\]"),
        ("setbacks.landslide", 200, r"setbacks\.landslide: expected a table"),
        (
            "service_radius.emergency.metres",
            0,
            r"service_radius\.emergency\.metres: expected a pos",
        ),
        ("service_radius.emergency.source", None, r"service_radius\.emergency\.source"),
        ("service_radius.emergency", 500, r"service_radius\.emergency: expected a table"),
        ("site_rules", {"kinds": []}, "site_rules: expected an array"),
        ("site_rules.0.kinds", [], r"site_rules\[0\]\.kinds: expected a non-empty list"),
        ("site_rules.0.risks", ["severe"], r"site_rules\[0\]\.risks: expected a non-empty list"),
        ("site_rules.0.text", None, r"site_rules\[0\]: expected the plan's clause and text"),
    ],
)
def test_malformed_profiles_are_refused_by_key(path: str, value: object, match: str) -> None:
    with pytest.raises(ProfileError, match=rf"setbacks profile t\.toml refused — .*{match}"):
        parse_setbacks(_broken(path, value), source="t.toml")


def test_an_unreadable_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "setbacks.toml"
    path.write_text("setbacks = [", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"setbacks\.toml: cannot be read as UTF-8 TOML"):
        read_setbacks(path)
