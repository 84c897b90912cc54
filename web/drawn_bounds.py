"""What a map draws of a very large assessment: outlines simplified to a vertex budget.

A footprint of 10,000 features or a route network of thousands of segments would cost a
map minutes and gigabytes to draw, for detail no one can see on paper or at the zoom the
page opens at. Before drawing, the footprint's pieces and the routes are simplified
(topology kept) with a tolerance that doubles from a tenth of a millimetre at A3 until
their vertices fit the budget, and the map says so. The figures (people, levels) are never
touched: they come from the stored answer.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import shapely
from shapely.geometry import mapping, shape

#: The budget's unit: a tenth of a millimetre on an A3 page 420 mm wide, as a share of the
#: drawn extent's diagonal (degrees: the extent is measured in lon/lat).
_FIRST_TOLERANCE_SHARE = 0.1 / 420.0
SIMPLIFIED_NOTE = "图形要素过多，已按打印精度简化显示（统计数字不受影响）。"


def _sections(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The FeatureCollections a map draws lines and areas from."""
    found = []
    pieces = (body.get("footprint") or {}).get("pieces")
    if isinstance(pieces, dict):
        found.append(pieces)
    routes = (body.get("supply") or {}).get("routes")
    if isinstance(routes, dict):
        found.append(routes)
    return found


def _geometries(sections: list[dict[str, Any]]) -> list[Any]:
    return [shape(f["geometry"]) for s in sections for f in s.get("features") or []]


def drawn_vertices(body: Mapping[str, Any]) -> int:
    """How many vertices the footprint's pieces and the routes hold."""
    geometries = _geometries(_sections(body))
    return int(shapely.get_num_coordinates(geometries).sum()) if geometries else 0


def bounded_for_maps(body: Mapping[str, Any], *, max_vertices: int) -> Mapping[str, Any]:
    """``body`` itself when within ``max_vertices``, else a copy with simplified outlines."""
    if drawn_vertices(body) <= max_vertices:
        return body
    bounded = copy.deepcopy(dict(body))
    sections = _sections(bounded)
    originals = _geometries(sections)
    minx, miny, maxx, maxy = shapely.total_bounds(originals)
    tolerance = float(((maxx - minx) ** 2 + (maxy - miny) ** 2) ** 0.5) * _FIRST_TOLERANCE_SHARE
    simplified = originals
    while int(shapely.get_num_coordinates(simplified).sum()) > max_vertices and tolerance > 0:
        simplified = list(shapely.simplify(originals, tolerance, preserve_topology=True))
        tolerance *= 2
        if tolerance > (maxx - minx) + (maxy - miny):
            break  # as simple as it gets: a handful of vertices per feature
    features = [f for s in sections for f in s.get("features") or []]
    for feature, geometry in zip(features, simplified, strict=True):
        feature["geometry"] = mapping(geometry)
    bounded["map_notes"] = [*bounded.get("map_notes", []), SIMPLIFIED_NOTE]
    return bounded
