"""Estimated collapsed rooms and households per county, from the sourced damage profile."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import InputError, ProfileError
from geo.hazards.house_damage import estimate_house_damage, parse_damage

PROFILE_PATH = Path(__file__).resolve().parents[3] / "data" / "earthquake" / "damage.toml"


@pytest.fixture(scope="module")
def profile():
    with PROFILE_PATH.open("rb") as f:
        return parse_damage(tomllib.load(f))


def row(county, structure, rooms, households, intensity):
    return {
        "county": county,
        "structure": structure,
        "rooms": rooms,
        "households": households,
        "intensity": intensity,
    }


def test_collapse_by_hand(profile):
    # 砖混 (PAGER UFB, China) at Ⅷ collapses 0.14:
    #   1000 rooms * 0.14 = 140, 300 households * 0.14 = 42
    # 土木 (PAGER A) at Ⅶ collapses 0.10: 500 * 0.10 = 50 rooms, 120 * 0.10 = 12 households
    result = estimate_house_damage(
        profile,
        [
            row("盂县", "砖混", 1000, 300, 8),
            row("平定县", "土木", 500, 120, 7),
        ],
    )
    assert [(c.county, c.collapsed_rooms, c.collapsed_households) for c in result.counties] == [
        ("盂县", 140, 42),
        ("平定县", 50, 12),
    ]
    assert (result.collapsed_rooms, result.collapsed_households) == (190, 54)
    assert result.label == "估算"
    assert "PAGER" in result.source


def test_severe_damage_is_not_estimated_without_a_sourced_share(profile):
    result = estimate_house_damage(profile, [row("盂县", "砖木", 100, 40, 9)])
    assert result.severe_rooms is None
    assert result.counties[0].severe_households is None


@pytest.mark.parametrize(("intensity", "expected"), [(5, 0), (6, 2), (9, 70), (10, 70), (12, 70)])
def test_shares_below_and_above_the_table(profile, intensity, expected):
    # 砖木 (UFB1): Ⅵ 0.02, Ⅸ 0.70; below Ⅵ nothing collapses, above Ⅹ the top share holds
    result = estimate_house_damage(profile, [row("盂县", "砖木结构", 100, 0, intensity)])
    assert result.collapsed_rooms == expected


def test_county_rows_are_rounded_by_largest_remainder(profile):
    # 钢混 at Ⅷ collapses 0.02: exact rooms 0.5 (A), 0.5 (B), 1.02 (C) -> total round(2.02) = 2
    # shares of 2: 0.495, 0.495, 1.0099 -> floors 0, 0, 1;
    # the one unit left goes to A (equal remainders: the earlier row)
    result = estimate_house_damage(
        profile,
        [row("A", "钢混", 25, 0, 8), row("B", "钢混", 25, 0, 8), row("C", "钢混", 51, 0, 8)],
    )
    assert [c.collapsed_rooms for c in result.counties] == [1, 0, 1]
    assert result.collapsed_rooms == 2


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"structure": "茅草"}, "structure"),
        ({"rooms": -1}, "rooms"),
        ({"households": float("nan")}, "households"),
        ({"intensity": 7.5}, "intensity"),
        ({"county": " "}, "county"),
    ],
)
def test_bad_rows_are_refused_naming_the_field(profile, bad, field):
    with pytest.raises(InputError, match=field) as caught:
        estimate_house_damage(profile, [{**row("盂县", "砖混", 10, 3, 7), **bad}])
    assert caught.value.field == field


def test_a_profile_with_severe_shares_estimates_them():
    data = {
        "label": "估算",
        "source": "test",
        "min_intensity": 6,
        "max_intensity": 7,
        "structures": {
            "砖混": {
                "collapse": {"6": 0.1, "7": 0.2},
                "severe": {"6": 0.3, "7": 0.4},
                "source": "test",
                "status": "checked",
            }
        },
    }
    result = estimate_house_damage(parse_damage(data), [row("A", "砖混", 10, 5, 7)])
    assert (result.severe_rooms, result.severe_households) == (4, 2)


def test_malformed_profile_names_every_problem():
    data = {
        "label": "估算",
        "source": "s",
        "min_intensity": 6,
        "max_intensity": 7,
        "structures": {
            "砖混": {"collapse": {"6": 0.3, "7": 0.1}, "status": "x"},
            "土木": {"collapse": {"6": 1.5}, "source": "s", "status": "x"},
        },
    }
    with pytest.raises(ProfileError) as caught:
        parse_damage(data)
    message = str(caught.value)
    assert "structures.砖混.collapse: expected shares that never fall" in message
    assert "structures.砖混.source" in message
    assert 'structures.土木.collapse."6"' in message
    assert 'structures.土木.collapse."7"' in message


ROWS = st.lists(
    st.tuples(
        st.sampled_from(["盂县", "平定县", "郊区", "矿区"]),
        st.sampled_from(["钢混", "砖混", "砖木", "土木", "other"]),
        st.integers(0, 20_000),
        st.integers(0, 6_000),
        st.integers(1, 12),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=80, deadline=None)
@given(rows=ROWS)
def test_county_rows_sum_to_the_totals(profile, rows):
    result = estimate_house_damage(profile, [row(*r) for r in rows])
    assert sum(c.collapsed_rooms for c in result.counties) == result.collapsed_rooms
    assert sum(c.collapsed_households for c in result.counties) == result.collapsed_households
    assert all(c.collapsed_rooms >= 0 for c in result.counties)
    assert result.collapsed_rooms <= sum(r[2] for r in rows)
