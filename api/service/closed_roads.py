"""The roads an incident closes, as lines the maps draw (the assessment's ``closed_lines``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from geo._kept import derived
from geo.roads.closures import ClosedEdges

#: Answers give line coordinates on this grid, in degrees (about 0.1 m).
PRECISION_DEG = 1e-6
_LINESTRING = 1


def line_geometries(lines: Sequence[BaseGeometry]) -> list[dict[str, Any]]:
    """Each line as a GeoJSON geometry with coordinates on the `PRECISION_DEG` grid.

    The same as `shapely.geometry.mapping` of `shapely.set_precision` line by line, made
    in bulk: plain 2-D LineStrings share one coordinate array; any other geometry is
    mapped on its own. Positions are tuples, as the mapping gives them (and the garbage
    collector need not track them, unlike lists).
    """
    return _geojson(shapely.set_precision(np.asarray(lines, dtype=object), PRECISION_DEG))


def _geojson(geoms: NDArray[np.object_]) -> list[dict[str, Any]]:
    """Lines already on the `PRECISION_DEG` grid as GeoJSON geometries (`line_geometries`)."""
    plain = (shapely.get_type_id(geoms) == _LINESTRING) & ~shapely.has_z(geoms)
    out: list[dict[str, Any]] = [
        {} if simple else dict(shapely.geometry.mapping(geom))
        for geom, simple in zip(geoms, plain.tolist(), strict=True)
    ]
    chosen = np.flatnonzero(plain)
    xy = shapely.get_coordinates(geoms[chosen])
    positions = list(zip(xy[:, 0].tolist(), xy[:, 1].tolist(), strict=True))
    ends = np.cumsum(shapely.get_num_coordinates(geoms[chosen])).tolist()
    start = 0
    for index, end in zip(chosen.tolist(), ends, strict=True):
        out[index] = {"type": "LineString", "coordinates": tuple(positions[start:end])}
        start = end
    return out


def closed_lines(closed: ClosedEdges, roads: gpd.GeoDataFrame) -> dict[str, Any]:
    """A FeatureCollection of every road row with a closed edge (EPSG:4326).

    Properties: ``road_id``, ``highway``, ``name`` (or null) and ``reasons`` (why it is
    closed, as `geo.roads.closures` gives them).
    """
    rows = [c.row for c in closed.roads]
    frame = roads.iloc[rows]
    names = frame["name"].tolist() if "name" in frame.columns else [None] * len(frame)
    features = [
        {
            "type": "Feature",
            "geometry": geometry,
            "properties": {
                "road_id": c.road_id,
                "highway": str(highway),
                "name": name if isinstance(name, str) and name else None,
                "reasons": list(c.reasons),
            },
        }
        for c, geometry, highway, name in zip(
            closed.roads,
            _geojson(_on_grid(roads)[rows]),
            frame["highway"].tolist(),
            names,
            strict=True,
        )
    ]
    return {"type": "FeatureCollection", "features": features}


def _on_grid(roads: gpd.GeoDataFrame) -> NDArray[np.object_]:
    """Every road of the layer in EPSG:4326 on the `PRECISION_DEG` grid, made once per layer."""

    def build() -> NDArray[np.object_]:
        lines = roads.geometry.to_crs(4326).to_numpy()
        on_grid: NDArray[np.object_] = shapely.set_precision(lines, PRECISION_DEG)
        on_grid.flags.writeable = False
        return on_grid

    return derived((roads,), "lines on the answer grid", build)
