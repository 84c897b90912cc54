"""The incident footprint: GeoJSON in, checked polygons with their hazard class out.

A footprint is an area: a GeoJSON Polygon or MultiPolygon, bare or as the geometry of a
Feature or of each Feature of a FeatureCollection, in lon/lat (EPSG:4326; CGCS2000
EPSG:4490 is accepted as equivalent). A feature may carry its hazard class in
``properties.class``. Anything else is refused with one `GeometryError` line naming the
problem; self-intersecting polygons are repaired and the repair is reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo._crs import LONLAT, refused_geojson_crs
from geo.errors import GeometryError, InputError
from geo.incident.limits import GeometryLimits, RepairBudget, check_ring

POLYGONAL = frozenset({"Polygon", "MultiPolygon"})
_NOT_AN_AREA = frozenset({"Point", "MultiPoint", "LineString", "MultiLineString"})


@dataclass(frozen=True)
class Footprint:
    """A parsed footprint: one row per polygonal feature (``feature``, ``class``, geometry)."""

    features: gpd.GeoDataFrame
    repairs: tuple[str, ...]


def parse_footprint(data: object, *, limits: GeometryLimits | None = None) -> Footprint:
    """Parse a GeoJSON Geometry, Feature or FeatureCollection (as loaded from JSON).

    Invalid polygons are repaired only up to ``limits.max_repair_vertices`` positions in all.

    Raises
    ------
    GeometryError
        With one line naming what is wrong: not an object, unknown type, missing or
        non-finite coordinates, coordinates outside lon/lat range, a point or line
        where an area is needed, an empty collection, or a ``crs`` other than lon/lat.
    InputError
        When a feature's ``properties.class`` is neither text nor a number.
    """
    if not isinstance(data, Mapping):
        raise _error(f"expected a GeoJSON object, got {type(data).__name__}")
    _check_crs(data)
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list | tuple):
            raise _error("FeatureCollection has no 'features' list")
        if not features:
            raise _error("FeatureCollection has no features; a footprint needs at least one")
    elif kind == "Feature":
        features = [data]
    elif kind in POLYGONAL | _NOT_AN_AREA | {"GeometryCollection"}:
        features = [{"type": "Feature", "geometry": data, "properties": {}}]
    else:
        raise _error(
            f"unknown GeoJSON type {kind!r}; expected Polygon, MultiPolygon, Feature or "
            "FeatureCollection"
        )
    classes: list[str | None] = []
    geoms: list[BaseGeometry] = []
    repairs: list[str] = []
    budget = RepairBudget(limits or GeometryLimits())
    for index, feature in enumerate(features):
        where = {"FeatureCollection": f"feature {index}", "Feature": "feature"}.get(
            str(kind), "geometry"
        )
        classes.append(_class_of(feature, where))
        geometry = _geometry_of(feature, where)
        geoms.append(_polygonal(geometry, where, repairs, budget))
    frame = gpd.GeoDataFrame(
        {"feature": np.arange(len(geoms)), "class": classes}, geometry=geoms, crs=LONLAT
    )
    return Footprint(features=frame, repairs=tuple(repairs))


def check_within(footprint: gpd.GeoDataFrame, area: BaseGeometry, *, name: str) -> None:
    """Refuse a footprint sharing no area with ``area`` (both lon/lat); parts outside are kept.

    Raises
    ------
    GeometryError
        ``footprint lies outside <name>``.
    """
    geoms = footprint.geometry.to_numpy()
    overlaps = shapely.intersects(geoms, area) & ~shapely.touches(geoms, area)
    if not overlaps.any():
        raise GeometryError(f"footprint lies outside {name}", field="footprint")


def dissolve_by_severity(footprint: gpd.GeoDataFrame, *, order: Sequence[str]) -> gpd.GeoDataFrame:
    """Non-overlapping pieces, one per class present: an overlap counts at its most severe class.

    Parameters
    ----------
    footprint
        Features with a ``class`` column holding names from ``order``.
    order
        Class names from the most to the least severe.

    Returns
    -------
    GeoDataFrame
        Columns ``class`` and geometry, in severity order, same CRS as ``footprint``.
    """
    unknown = sorted(set(footprint["class"].astype(str)) - set(order))
    if unknown:
        raise InputError(
            f"footprint: classes {unknown} are not in the severity order {list(order)}",
            field="footprint",
        )
    geoms = footprint.geometry.to_numpy()
    labels = footprint["class"].to_numpy()
    present = [cls for cls in order if (labels == cls).any()]
    taken: BaseGeometry | None = None
    names: list[str] = []
    pieces: list[BaseGeometry] = []
    for cls in present:
        # disjoint_subset_union_all: a polygonised flood map is many separate clusters
        whole = shapely.disjoint_subset_union_all(geoms[labels == cls])
        piece = whole if taken is None else _keep_polygonal(shapely.difference(whole, taken))
        if cls != present[-1]:  # the least severe class takes nothing from anyone
            taken = whole if taken is None else shapely.union(taken, whole)
        if not piece.is_empty:
            names.append(cls)
            pieces.append(piece)
    return gpd.GeoDataFrame({"class": names}, geometry=pieces, crs=footprint.crs)


def _error(problem: str) -> GeometryError:
    return GeometryError(f"footprint: {problem}", field="footprint")


def _check_crs(data: Mapping[str, Any]) -> None:
    shown = refused_geojson_crs(data)
    if shown is not None:
        raise _error(
            f"crs {shown!r} is not accepted; coordinates must be lon/lat in EPSG:4326 (CRS84) "
            "or CGCS2000 EPSG:4490"
        )


def _class_of(feature: object, where: str) -> str | None:
    if not isinstance(feature, Mapping):
        raise _error(f"{where} is not a GeoJSON Feature object")
    if feature.get("type") != "Feature":
        raise _error(f"{where} has type {feature.get('type')!r}; expected 'Feature'")
    _check_crs(feature)
    properties = feature.get("properties") or {}
    if not isinstance(properties, Mapping):
        raise _error(f"{where}: properties must be an object or null")
    label = properties.get("class")
    if label is None:
        return None
    if isinstance(label, str):
        return label
    if isinstance(label, int | float) and not isinstance(label, bool):
        return str(label)
    raise InputError(
        f"footprint {where}: properties.class must be text (e.g. '0.7-1.5m', 'VIII', 'high'), "
        f"got {type(label).__name__}",
        field="footprint",
    )


def _geometry_of(feature: Mapping[str, Any], where: str) -> Mapping[str, Any]:
    geometry = feature.get("geometry")
    if geometry is None:
        raise _error(f"{where} has no geometry")
    if not isinstance(geometry, Mapping):
        raise _error(f"{where}: geometry must be a GeoJSON geometry object")
    return geometry


def _polygonal(
    geometry: Mapping[str, Any], where: str, repairs: list[str], budget: RepairBudget
) -> BaseGeometry:
    """Build a valid (Multi)Polygon from a checked GeoJSON geometry, repairing it if needed."""
    kind = geometry.get("type")
    if kind in _NOT_AN_AREA:
        raise _error(
            f"{where} is a {kind}; a footprint is an area: expected Polygon or MultiPolygon "
            "(buffer points and lines to the area affected first)"
        )
    if kind == "GeometryCollection":
        parts = geometry.get("geometries")
        if not isinstance(parts, list | tuple) or not parts:
            raise _error(f"{where}: GeometryCollection has no geometries")
        return shapely.union_all([_polygonal(p, where, repairs, budget) for p in parts])
    if kind not in POLYGONAL:
        raise _error(
            f"{where} has unknown geometry type {kind!r}; expected Polygon or MultiPolygon"
        )
    polygons = _polygons(geometry.get("coordinates"), str(kind), where)
    geom: BaseGeometry = polygons[0] if kind == "Polygon" else shapely.MultiPolygon(polygons)
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        budget.spend(shapely.get_num_coordinates(geom), where=where, reason=reason)
        geom = _keep_polygonal(shapely.make_valid(geom, method="structure", keep_collapsed=False))
        if geom.is_empty:
            raise _error(f"{where} is invalid ({reason}) and encloses no area once repaired")
        repairs.append(f"footprint {where}: invalid polygon ({reason}) repaired")
    return geom


def _polygons(coordinates: object, kind: str, where: str) -> list[shapely.Polygon]:
    """Check the coordinate nesting, numbers and lon/lat range; build the polygons."""
    if not isinstance(coordinates, list | tuple) or not coordinates:
        raise _error(f"{where}: {kind} has no coordinates")
    polygon_lists = [coordinates] if kind == "Polygon" else coordinates
    polygons = []
    for rings in polygon_lists:
        if not isinstance(rings, list | tuple) or not rings:
            raise _error(f"{where}: {kind} coordinates must be lists of rings of [lon, lat]")
        shells = [_ring(ring, where) for ring in rings]
        polygons.append(shapely.Polygon(shells[0], holes=shells[1:]))
    return polygons


def _ring(ring: object, where: str) -> np.ndarray:
    points = _positions(ring)
    if points is None:
        raise _error(f"{where}: each ring must be a list of [lon, lat] number pairs")
    if not np.isfinite(points).all():
        raise _error(f"{where}: coordinates must be finite numbers (found NaN or infinity)")
    outside = (np.abs(points[:, 0]) > 180) | (np.abs(points[:, 1]) > 90)
    if outside.any():
        lon, lat = points[np.flatnonzero(outside)[0]]
        raise _error(
            f"{where}: coordinate ({lon:.10g}, {lat:.10g}) is outside lon/lat range; expected "
            "longitude -180..180 and latitude -90..90 (EPSG:4326), not projected metres"
        )
    check_ring(points, where=f"footprint: {where}")
    if len(points) < 4:
        raise _error(f"{where}: a ring needs at least 3 distinct positions")
    return points


def _positions(ring: object) -> np.ndarray | None:
    """The ring as an (n, 2) float array, or None unless it is a list of number lists."""
    if not isinstance(ring, list | tuple) or not ring:
        return None
    try:
        array = np.asarray(ring)
    except ValueError:  # ragged: positions of different lengths
        return None
    if array.ndim != 2 or array.shape[1] < 2 or array.dtype.kind not in "if":
        return None
    if array.dtype.kind == "i" and any(isinstance(v, bool) for p in ring for v in p):
        return None
    return array[:, :2].astype(float)


def _keep_polygonal(geom: BaseGeometry) -> BaseGeometry:
    """The polygonal part of an overlay or repair result (dropping collapsed lines, points)."""
    if geom.geom_type in POLYGONAL or geom.is_empty:
        return geom
    parts = shapely.get_parts(geom)
    return shapely.union_all([p for p in parts if p.geom_type in POLYGONAL])


def footprint_series(
    footprint: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry,
) -> gpd.GeoSeries:
    """The footprint as a GeoSeries with a CRS; a bare geometry is taken as lon/lat.

    Raises
    ------
    GeometryError
        When it is neither a geometry nor a (Geo)DataFrame, or has no CRS.
    """
    if isinstance(footprint, BaseGeometry):
        footprint = gpd.GeoSeries([footprint], crs=LONLAT)
    elif isinstance(footprint, gpd.GeoDataFrame):
        footprint = footprint.geometry
    if not isinstance(footprint, gpd.GeoSeries):
        raise GeometryError("footprint: expected a geometry or a GeoDataFrame", field="footprint")
    if footprint.crs is None:
        raise GeometryError("footprint: no CRS is defined", field="footprint")
    return footprint
