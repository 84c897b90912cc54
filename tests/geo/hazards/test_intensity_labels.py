"""Where the numerals go: inside their own ring, on the long axis (checked with pyproj.Geod)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pyproj import Geod
from shapely.geometry import Point

from geo.hazards.intensity import intensity_field, parse_attenuation
from geo.hazards.intensity_labels import label_points

PROFILE_PATH = Path(__file__).resolve().parents[3] / "data" / "earthquake" / "attenuation.toml"
GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def profile():
    with PROFILE_PATH.open("rb") as f:
        return parse_attenuation(tomllib.load(f))


@pytest.mark.parametrize(("magnitude", "strike"), [(6.0, 45.0), (7.0, 130.0), (6.5, 350.0)])
def test_each_numeral_lies_in_its_own_ring_on_the_strike(profile, magnitude, strike):
    field = intensity_field(profile, magnitude=magnitude, lon=113.41, lat=38.09, strike=strike)
    points = label_points(field)
    assert len(points) == len(field.isoseismals) >= 2
    rings = dict(zip(field.rings["intensity"], field.rings.geometry, strict=True))
    majors = [iso.semi_major_km for iso in field.isoseismals] + [0.0]
    for index, (iso, (lon, lat)) in enumerate(zip(field.isoseismals, points, strict=True)):
        assert rings[iso.intensity].contains(Point(lon, lat)), iso.label
        for other, ring in rings.items():
            if other != iso.intensity:
                assert not ring.contains(Point(lon, lat))
        azimuth, _, metres = GEOD.inv(field.lon, field.lat, lon, lat)
        assert azimuth % 360 == pytest.approx(strike % 360, abs=0.2)
        halfway = (majors[index] + majors[index + 1]) / 2
        assert metres / 1000 == pytest.approx(halfway, rel=1e-3)
