"""The footprint split by county: the part outside every county, with the counties' union kept."""

from __future__ import annotations

import geopandas as gpd
import shapely
from pyproj import CRS
from shapely.geometry import box

from geo.incident import county_split
from geo.incident.county_split import split_zones
from layers.profiles import read_displacement

UTM = CRS.from_epsg(32650)


def _counties() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["A", "B", "C"], "name": ["甲", "乙", "丙"]},
        geometry=[
            box(0, 0, 10_000, 10_000),
            box(10_000, 0, 20_000, 10_000),
            box(0, 30_000, 5_000, 35_000),
        ],
        crs=UTM,
    ).to_crs("EPSG:4326")


def _pieces(east: float) -> gpd.GeoDataFrame:
    piece = box(5_000, 5_000, east, 15_000)  # reaches north of A and B, outside every county
    return gpd.GeoDataFrame({"class": ["0.1-0.7m"]}, geometry=[piece], crs=UTM).to_crs("EPSG:4326")


def _split(pieces: gpd.GeoDataFrame, counties: gpd.GeoDataFrame) -> county_split.Zones:
    return split_zones(pieces, counties, crs=UTM, profile=read_displacement(), hazard="flood")


def test_kept_union_gives_the_outside_part_a_fresh_layer_gives() -> None:
    counties = _counties()
    for east in (8_000.0, 15_000.0, 8_000.0, 15_000.0):  # near A alone, then A and B; twice
        kept, fresh = _split(_pieces(east), counties), _split(_pieces(east), _counties())
        assert kept.code == fresh.code
        assert kept.code[-1] is None
        assert all(shapely.equals_exact(kept.geometry, fresh.geometry, tolerance=0))
    outside = shapely.area(_split(_pieces(15_000.0), counties).geometry[-1])
    # Edges drawn straight in lon/lat bow a little once projected: 20 m² of 50 km².
    assert abs(outside - 10_000 * 5_000) < 1e-5 * 10_000 * 5_000


def test_only_the_latest_unions_are_kept() -> None:
    counties = _counties()
    for east in (6_000.0, 12_000.0, 8_000.0, 15_000.0, 25_000.0, 7_000.0):
        _split(_pieces(east), counties)
    kept = county_split.derived((counties,), ("county unions", UTM), dict)
    assert 0 < len(kept) <= county_split.KEPT_UNIONS


def test_borders_projected_once_split_as_the_near_counties_alone_do() -> None:
    # The whole layer is projected once and kept; a layer of the two counties the piece
    # touches, projected on its own, must cut the piece into the very same zones.
    counties = _counties()
    near_only = counties.iloc[:2].copy()
    for east in (15_000.0, 12_000.0):  # the second reuses the kept projection
        kept, alone = _split(_pieces(east), counties), _split(_pieces(east), near_only)
        assert kept.code == alone.code == ["A", "B", None]
        assert all(shapely.to_wkb(kept.geometry) == shapely.to_wkb(alone.geometry))
