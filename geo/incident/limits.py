"""How much geometry one request may bring: checked on the GeoJSON before any work starts.

Repairing a self-intersecting polygon (``make_valid``) and cutting it along county borders
cost far more than reading it: a 10,000-vertex star whose points cross one another costs
GEOS minutes and gigabytes. These checks read the GeoJSON as loaded from JSON (nested
dicts and lists) without recursion, so a body nested hundreds of levels deep is refused
rather than overflowing the stack. `check_ring` refuses, for the parser, what RFC 7946
forbids and shapely would quietly mend: an unclosed ring, an edge across the antimeridian.

The numbers are settings (``api/settings.py``); `GeometryLimits` carries them here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo.errors import GeometryError, LimitExceeded

if TYPE_CHECKING:  # start-up: the settings import this module; numpy only where rings are read
    import numpy as np

_POLYGON_DEPTH = {"Polygon": 2, "MultiPolygon": 3}


@dataclass(frozen=True)
class GeometryLimits:
    """The most geometry one request may bring; each a setting with a documented default.

    Attributes
    ----------
    max_features
        Features of a FeatureCollection.
    max_vertices_per_feature
        Positions of one feature's geometry.
    max_vertices
        Positions of all features together. Cutting a footprint along the county borders
        grows faster than its vertex count when its edges cross them often (a spiky star
        over the demo pack: 2,000 vertices 2 CPU-s, 5,000 vertices 7 CPU-s): the defaults
        keep the worst request under 10 CPU-s (``bench/hostile.py``).
    max_holes
        Holes (inner rings) of one polygon.
    max_nesting
        Levels of JSON objects and arrays, the body's own included.
    max_repair_vertices
        Positions of the invalid (e.g. self-intersecting) polygons of one request, in all,
        that are still repaired.
    max_area_ratio
        Footprint area as a multiple of the jurisdiction's area.
    """

    max_features: int = 1000
    max_vertices_per_feature: int = 4000
    max_vertices: int = 5000
    max_holes: int = 1000
    max_nesting: int = 20
    max_repair_vertices: int = 400
    max_area_ratio: float = 10.0


def check_nesting(data: object, *, limit: int, field: str) -> None:
    """Refuse JSON nested deeper than ``limit`` levels of objects and arrays (no recursion).

    Raises
    ------
    GeometryError
        ``<field>: nested more than <limit> levels deep (max_nesting)``.
    """
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, Mapping):
            children: Sequence[object] = list(value.values())
        elif isinstance(value, list | tuple):
            children = value
        else:
            continue
        if depth > limit:
            raise GeometryError(
                f"{field}: nested more than {limit} levels deep (max_nesting = {limit})",
                field=field,
            )
        stack.extend((child, depth + 1) for child in children)


def check_geojson(data: object, limits: GeometryLimits, *, field: str = "footprint") -> None:
    """Refuse GeoJSON over the limits before it is parsed.

    Only what can be counted is checked; anything malformed is left to the parser, which
    names it.

    Raises
    ------
    LimitExceeded
        Over ``max_features``, ``max_vertices_per_feature``, ``max_vertices`` or
        ``max_holes``: the message names the limit, its value and the count found.
    GeometryError
        Nested deeper than ``max_nesting``.
    """
    check_nesting(data, limit=limits.max_nesting, field=field)
    if not isinstance(data, Mapping):
        return
    features = data.get("features") if data.get("type") == "FeatureCollection" else [data]
    if not isinstance(features, list | tuple):
        return
    _over(len(features), limits.max_features, "max_features", f"{field}: features", field)
    total = 0
    for index, feature in enumerate(features):
        where = f"{field} feature {index}" if len(features) > 1 else field
        geometry = feature.get("geometry") if isinstance(feature, Mapping) else None
        geometry = feature if isinstance(feature, Mapping) and geometry is None else geometry
        count = _geometry_vertices(geometry, limits, where=where, field=field)
        _over(
            count,
            limits.max_vertices_per_feature,
            "max_vertices_per_feature",
            f"{where}: vertices",
            field,
        )
        total += count
        _over(total, limits.max_vertices, "max_vertices", f"{field}: vertices in all", field)


class RepairBudget:
    """The vertices one request may still have repaired: ``max_repair_vertices`` in all.

    Repair cost grows much faster than the vertex count (a star whose every other point
    crosses the middle: 400 vertices 2.7 CPU-s, 1000 vertices 23 CPU-s), so the budget
    counts every invalid polygon of the request together.
    """

    def __init__(self, limits: GeometryLimits) -> None:
        self.limit = limits.max_repair_vertices
        self.spent = 0

    def spend(self, vertices: int, *, where: str, reason: str) -> None:
        """Count an invalid polygon about to be repaired, or refuse it over the budget.

        Raises
        ------
        LimitExceeded
            Naming the limit, its value, the count and why the polygon needs repair.
        """
        self.spent += vertices
        _over(
            self.spent,
            self.limit,
            "max_repair_vertices",
            f"{where} is invalid ({reason}); vertices of invalid polygons",
            "footprint",
        )


def _over(count: int, limit: int, name: str, what: str, field: str) -> None:
    if count > limit:
        raise LimitExceeded(
            f"{what}: {count} is over the limit {name} = {limit}", field=field, limit=name
        )


def _geometry_vertices(geometry: object, limits: GeometryLimits, *, where: str, field: str) -> int:
    """Positions of one feature's geometry (collections walked without recursion)."""
    count = 0
    stack = [geometry]
    while stack:
        geom = stack.pop()
        if not isinstance(geom, Mapping):
            continue
        kind = geom.get("type")
        if kind == "GeometryCollection":
            parts = geom.get("geometries")
            stack.extend(parts if isinstance(parts, list | tuple) else [])
            continue
        coordinates = geom.get("coordinates")
        if kind not in _POLYGON_DEPTH or not isinstance(coordinates, list | tuple):
            continue
        polygons = [coordinates] if kind == "Polygon" else coordinates
        for rings in polygons:
            if not isinstance(rings, list | tuple):
                continue
            _over(len(rings) - 1, limits.max_holes, "max_holes", f"{where}: holes", field)
            count += sum(_ring(ring) for ring in rings)
    return count


def _ring(ring: object) -> int:
    """The ring's positions (the parser checks what they are)."""
    return len(ring) if isinstance(ring, list | tuple) else 0


def check_ring(points: np.ndarray, *, where: str) -> None:
    """Refuse a ring that is not closed, or has an edge across the antimeridian.

    ``points`` is an (n, 2) array of lon/lat. An edge between two positions on ±180° (the
    side of a whole-world box) does not cross it.

    Raises
    ------
    GeometryError
        Naming the positions, and RFC 7946's rule (§3.1.6 closed rings, §3.1.9 cut at 180°).
    """
    import numpy as np  # noqa: PLC0415 (start-up: see the imports above)

    if not np.array_equal(points[0], points[-1]):
        raise GeometryError(
            f"{where}: a ring is not closed: its first position {points[0].tolist()} and "
            f"last {points[-1].tolist()} differ (RFC 7946 §3.1.6 requires closed rings)",
            field="footprint",
        )
    lon = points[:, 0]
    jumps = (np.abs(np.diff(lon)) > 180) & (np.abs(lon[:-1]) != 180) & (np.abs(lon[1:]) != 180)
    if jumps.any():
        k = int(np.flatnonzero(jumps)[0])
        raise GeometryError(
            f"{where}: an edge crosses the antimeridian (longitude {lon[k]:g} to "
            f"{lon[k + 1]:g}); cut the geometry at ±180° into parts (RFC 7946 §3.1.9)",
            field="footprint",
        )
