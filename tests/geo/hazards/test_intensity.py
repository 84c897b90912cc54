"""The intensity field: semi-axes from the published relations, rings, refusals."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import InputError, ProfileError
from geo.hazards.intensity import (
    intensity_field,
    isoseismals,
    local_crs,
    parse_attenuation,
    roman,
)

PROFILE_PATH = Path(__file__).resolve().parents[3] / "data" / "earthquake" / "attenuation.toml"


@pytest.fixture(scope="module")
def profile():
    with PROFILE_PATH.open("rb") as f:
        return parse_attenuation(tomllib.load(f))


def test_west_relation_semi_axes_by_hand(profile):
    # 汪素云 2000 west, M 7.0, degree Ⅵ (ln form):
    #   long:  (6 - 5.643 - 1.538*7) / -2.109 = -10.409 / -2.109 = 4.9355144
    #          exp(4.9355144) - 25 = 139.14471 - 25 = 114.14471 km
    #   short: (6 - 2.941 - 1.363*7) / -1.494 = -6.482 / -1.494 = 4.3386881
    #          exp(4.3386881) - 7 = 76.60697 - 7 = 69.60697 km
    major, minor = profile.relation("west").semi_axes_km(6, 7.0)
    assert major == pytest.approx(114.14471, abs=1e-4)
    assert minor == pytest.approx(69.60697, abs=1e-4)


def test_gb18306_qingzang_relation_semi_axes_by_hand(profile):
    # GB 18306-2015 青藏区, M 7.0, Ⅵ (lg form):
    #   long:  (6 - 6.458 - 1.2746*7) / -4.4709 = 2.0980563 ; 10**2.0980563 - 25 = 100.33037
    #   short: (6 - 3.3682 - 1.2746*7) / -3.3119 = 1.8993327 ; 10**1.8993327 - 9 = 70.31087
    major, minor = profile.relation("gb18306_qingzang").semi_axes_km(6, 7.0)
    assert major == pytest.approx(100.33037, abs=1e-4)
    assert minor == pytest.approx(70.31087, abs=1e-4)


def test_default_region_is_east(profile):
    assert profile.relation().id == "wang2000_east"


def test_isoseismals_stop_where_a_degree_is_not_reached(profile):
    found = isoseismals(profile, magnitude=7.0, region="west")
    assert [i.intensity for i in found] == [6, 7, 8, 9]
    # Ⅹ: short axis (10 - 2.941 - 9.541) / -1.494 = 1.6613119; exp(...) - 7 = 5.266 - 7 < 0
    assert profile.relation("west").semi_axes_km(10, 7.0)[1] < 0


def test_small_earthquake_reaches_no_damaging_degree(profile):
    assert isoseismals(profile, magnitude=3.0) == ()


@pytest.mark.parametrize("strike", [0.0, 90.0])
def test_rings_are_labelled_nested_and_have_ellipse_areas(profile, strike):
    field = intensity_field(
        profile, magnitude=7.0, lon=103.82, lat=33.20, strike=strike, region="west"
    )
    rings = field.rings
    assert list(rings["intensity"]) == [6, 7, 8, 9]
    assert list(rings["label"]) == ["Ⅵ", "Ⅶ", "Ⅷ", "Ⅸ"]
    assert all(isinstance(v, int) for v in rings["intensity"].tolist())
    # RFC 7946 winding: exterior counter-clockwise, hole clockwise
    assert rings.geometry.iloc[0].exterior.is_ccw
    assert not rings.geometry.iloc[0].interiors[0].is_ccw
    local = rings.to_crs(local_crs(103.82, 33.20))
    assert local.is_valid.all()
    isos = field.isoseismals
    for k, area in enumerate(local.area / 1e6):
        inner = isos[k + 1].area_km2 if k + 1 < len(isos) else 0.0
        assert area == pytest.approx(isos[k].area_km2 - inner, rel=1e-3)
    # non-overlapping: every pair of rings meets in (almost) no area
    for i in range(len(local)):
        for j in range(i + 1, len(local)):
            assert local.geometry.iloc[i].intersection(local.geometry.iloc[j]).area < 1.0
    # the long axis lies on the strike: north–south extent for 0°, east–west for 90°
    minx, miny, maxx, maxy = local.geometry.iloc[0].bounds
    along, across = (maxy - miny, maxx - minx) if strike == 0.0 else (maxx - minx, maxy - miny)
    assert along / 2000 == pytest.approx(isos[0].semi_major_km, rel=1e-3)
    assert across / 2000 == pytest.approx(isos[0].semi_minor_km, rel=1e-3)


def test_default_strike_is_used_and_said(profile):
    field = intensity_field(profile, magnitude=6.0, lon=113.41, lat=38.09)
    assert field.strike_deg == 45.0
    assert field.strike_source == profile.default_strike_source
    assert (
        intensity_field(profile, magnitude=6.0, lon=113.41, lat=38.09, strike=-30).strike_source
        == "given"
    )


@pytest.mark.parametrize("magnitude", [2.9, 9.6, float("nan"), "6", True, None])
def test_magnitude_outside_range_is_refused(profile, magnitude):
    with pytest.raises(InputError, match="magnitude") as caught:
        intensity_field(profile, magnitude=magnitude, lon=113.4, lat=38.1)
    assert caught.value.field == "magnitude"


@pytest.mark.parametrize(("lon", "lat", "field"), [(181.0, 38.0, "lon"), (113.0, -91.0, "lat")])
def test_epicentre_off_the_globe_is_refused(profile, lon, lat, field):
    with pytest.raises(InputError, match=field) as caught:
        intensity_field(profile, magnitude=6.0, lon=lon, lat=lat)
    assert caught.value.field == field


def test_unknown_region_is_refused(profile):
    with pytest.raises(InputError, match="region") as caught:
        intensity_field(profile, magnitude=6.0, lon=113.4, lat=38.1, region="north")
    assert caught.value.field == "region"


def test_roman_numerals():
    assert [roman(n) for n in (6, 9, 10, 12)] == ["Ⅵ", "Ⅸ", "Ⅹ", "Ⅻ"]


def test_malformed_profile_names_every_problem():
    data = {
        "settings": {
            "default_region": "east",
            "default_strike_deg": 45.0,
            "default_strike_source": "x",
            "min_intensity": 6,
            "max_intensity": 12,
        },
        "regions": {"east": "a"},
        "relations": {
            "a": {
                "label": "A",
                "log": "log2",
                "long": {"a": 1, "b": 1, "c": 2.0, "r0": 1},
                "short": {"a": 1, "b": 1, "c": -1.0, "r0": 1},
                "status": "checked",
            }
        },
    }
    with pytest.raises(ProfileError) as caught:
        parse_attenuation(data)
    message = str(caught.value)
    for key in ("relations.a.log", "relations.a.long.c", "relations.a.source"):
        assert key in message


@settings(max_examples=60, deadline=None)
@given(
    m1=st.floats(3.0, 9.5),
    m2=st.floats(3.0, 9.5),
    region=st.sampled_from(["east", "west", "gb18306_east", "gb18306_qingzang"]),
)
def test_a_bigger_magnitude_never_shrinks_an_isoseismal(profile, m1, m2, region):
    small, big = sorted((m1, m2))
    before = isoseismals(profile, magnitude=small, region=region)
    after = {i.intensity: i for i in isoseismals(profile, magnitude=big, region=region)}
    for iso in before:
        assert iso.intensity in after
        assert after[iso.intensity].semi_major_km >= iso.semi_major_km
        assert after[iso.intensity].semi_minor_km >= iso.semi_minor_km
    assert math.isfinite(sum(i.area_km2 for i in after.values()))
