"""Tiny road networks for the road, travel and scale tests: lines in a UTM frame."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import LineString

from geo.roads.speeds import SpeedProfile, parse_speeds

UTM = "EPSG:32649"
X0, Y0 = 700_000.0, 4_190_000.0


def speeds() -> SpeedProfile:
    """primary 72 km/h (20 m/s), residential 36 km/h (10 m/s), default 18 km/h (5 m/s)."""
    return parse_speeds(
        {
            "default": {"km_h": 18, "source": "test"},
            "highway": {
                "primary": {"km_h": 72, "source": "test"},
                "residential": {"km_h": 36, "source": "test"},
            },
        },
        source="test",
    )


def roads(*lines: list[tuple[float, float]], **columns: list[object]) -> gpd.GeoDataFrame:
    """Lines given relative to (X0, Y0), residential unless told."""
    geoms = [LineString([(X0 + x, Y0 + y) for x, y in line]) for line in lines]
    columns.setdefault("highway", ["residential"] * len(geoms))
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=UTM)
