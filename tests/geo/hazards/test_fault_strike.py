"""The dominant orientation of a fault zone, against the angle it was drawn at."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.affinity import rotate
from shapely.geometry import LineString, Point, box

from geo.hazards.fault_strike import dominant_orientation, nearest_fault_strike


@pytest.mark.parametrize("turn", [0, 20, 45, 70, 110, 160])
def test_a_long_strip_trends_along_its_length(turn):
    # A 10 km × 200 m strip along azimuth 90°, turned counter-clockwise by `turn` degrees.
    strip = rotate(box(-5_000, -100, 5_000, 100), turn, origin=(0, 0))
    assert dominant_orientation(strip) == pytest.approx((90 - turn) % 180, abs=1e-6)


def test_a_line_and_its_reverse_share_a_trend():
    line = LineString([(0, 0), (1_000, 1_000), (2_000, 2_000)])
    assert dominant_orientation(line) == pytest.approx(45.0)
    assert dominant_orientation(line.reverse()) == pytest.approx(45.0)
    assert dominant_orientation(Point(0, 0)) is None


def test_only_a_fault_within_the_distance_counts():
    zones = gpd.GeoDataFrame(
        {"id": ["L", "F"], "kind": ["landslide", "fault"], "risk": ["high", "high"]},
        geometry=[
            LineString([(113.50, 38.00), (113.51, 38.00)]),
            LineString([(113.60, 38.00), (113.60, 38.10)]),  # due north, ≈ 8.8 km east
        ],
        crs="EPSG:4326",
    )
    found = nearest_fault_strike(zones, lon=113.5, lat=38.0, within_km=10)
    assert found is not None
    assert found.zone_id == "F"
    assert found.strike_deg == pytest.approx(0.0, abs=0.1) or found.strike_deg == pytest.approx(
        180.0, abs=0.1
    )
    assert found.distance_km == pytest.approx(8.77, abs=0.05)  # 0.1° of longitude at 38° N
    assert nearest_fault_strike(zones, lon=113.5, lat=38.0, within_km=5) is None
