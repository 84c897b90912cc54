"""WGS 84 lon/lat to a CGCS2000 zone: read as CGCS2000 lon/lat, the same coordinates.

The reference is PROJ's own choice between the two CRSs as given (a zero "ballpark"
offset, found by searching its database) and geopandas' ``to_crs``; ours must give the
same numbers, to the bit, by the shorter way.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer

from geo._crs import LONLAT, projected, transformer

#: Gauss-Krüger 3° zones (CM 114E, zone 39, CM 108E, CM 120E) and CGCS2000 lon/lat itself.
ZONES = ("EPSG:4547", "EPSG:4527", "EPSG:4545", "EPSG:4549", "EPSG:4490")


def _points(seed: int, n: int = 2_000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(104.0, 124.0, n), rng.uniform(18.0, 45.0, n)


@pytest.mark.parametrize("zone", ZONES)
def test_both_ways_give_projs_own_answer_to_the_bit(zone: str) -> None:
    lon, lat = _points(1)
    reference = Transformer.from_crs(LONLAT, zone, always_xy=True)
    assert "Ballpark" in reference.description  # what makes the shorter way the same
    ours = transformer(LONLAT, zone)
    assert "Ballpark" not in ours.description
    expected = reference.transform(lon, lat)
    np.testing.assert_array_equal(ours.transform(lon, lat), expected)
    back = Transformer.from_crs(zone, LONLAT, always_xy=True).transform(*expected)
    np.testing.assert_array_equal(transformer(zone, LONLAT).transform(*expected), back)


@pytest.mark.parametrize("target", ["EPSG:32649", "EPSG:3857"])
def test_other_pairs_are_left_as_given(target: str) -> None:
    assert transformer(LONLAT, target).description == (
        Transformer.from_crs(LONLAT, target, always_xy=True).description
    )


@pytest.mark.parametrize("zone", [*ZONES, "EPSG:32650"])
def test_projected_geometries_are_what_to_crs_gives(zone: str) -> None:
    lon, lat = _points(2, 300)
    shapes = [
        shapely.Point(lon[0], lat[0]),
        shapely.LineString(np.column_stack([lon[:50], lat[:50]])),
        shapely.box(lon[60], lat[60], lon[60] + 0.3, lat[60] + 0.2).union(
            shapely.box(lon[61], lat[61], lon[61] + 0.1, lat[61] + 0.1)
        ),
        shapely.Polygon(
            [(113.5, 37.8), (113.7, 37.8), (113.7, 38.0)],
            [[(113.6, 37.85), (113.65, 37.85), (113.65, 37.9)]],
        ),
    ]
    series = gpd.GeoSeries(shapes, crs=LONLAT)
    expected = series.to_crs(zone).to_numpy()
    ours = projected(series.to_numpy(), LONLAT, zone)
    for got, want in zip(ours, expected, strict=True):
        assert got.geom_type == want.geom_type
        np.testing.assert_array_equal(shapely.get_coordinates(got), shapely.get_coordinates(want))
