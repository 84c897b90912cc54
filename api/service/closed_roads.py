"""The roads an incident closes, as lines the maps draw (the assessment's ``closed_lines``)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import shapely

from geo.roads.closures import ClosedEdges


def closed_lines(closed: ClosedEdges, roads: gpd.GeoDataFrame) -> dict[str, Any]:
    """A FeatureCollection of every road row with a closed edge (EPSG:4326).

    Properties: ``road_id``, ``highway``, ``name`` (or null) and ``reasons`` (why it is
    closed, as `geo.roads.closures` gives them).
    """
    rows = [c.row for c in closed.roads]
    frame = roads.iloc[rows].to_crs(4326)
    names = frame["name"] if "name" in frame.columns else [None] * len(frame)
    features = [
        {
            "type": "Feature",
            "geometry": shapely.geometry.mapping(shapely.set_precision(geom, 1e-6)),
            "properties": {
                "road_id": c.road_id,
                "highway": str(highway),
                "name": name if isinstance(name, str) and name else None,
                "reasons": list(c.reasons),
            },
        }
        for c, geom, highway, name in zip(
            closed.roads, frame.geometry, frame["highway"], names, strict=True
        )
    ]
    return {"type": "FeatureCollection", "features": features}
