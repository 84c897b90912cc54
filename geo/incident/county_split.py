"""The footprint split by county: each severity piece cut along county borders, in the raster's CRS.

A polygon wholly inside one county is kept as it is; only polygons crossing a border go
through an overlay, and the part of a piece outside every county is kept apart (its
people are reported but not counted in the totals).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geo._crs import projected
from geo._kept import derived
from geo.errors import InputError
from geo.incident.displacement import DisplacementProfile
from geo.incident.grid import COVERAGE_NOISE

#: Grid an overlay GEOS cannot node is snap-rounded to: 0.1 mm, or about that in degrees.
SNAP_GRID_M = 1e-4
SNAP_GRID_DEG = 1e-9
#: Unions of nearby counties kept per counties layer (`_union`); each is the size of the
#: counties it joins (a few MB for a province's).
KEPT_UNIONS = 4
_UNIONS_LOCK = threading.Lock()
#: Longest lon/lat edge projected as it is. GeoJSON edges are straight in lon/lat
#: (RFC 7946); densified to 0.001° (~100 m) they stay within 0.4 mm of that line once
#: projected to a metric grid. At 0.005° (1 cm) a county row of a small zone was off
#: by 2.8e-6 against a per-cell reference (tests/geo/incident/test_exposure_reference.py).
MAX_SEGMENT_DEG = 0.001
#: The same for a layer drawn in a projected CRS (metres), before it goes to lon/lat.
MAX_SEGMENT_M = 100.0


@dataclass(frozen=True)
class Zones:
    """The pieces split by county, in the raster's CRS.

    ``code`` None marks the part outside every county.
    """

    code: list[str | None]
    cls: list[str]
    geometry: npt.NDArray[np.object_]


def split_zones(
    pieces: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame,
    *,
    crs: CRS,
    profile: DisplacementProfile,
    hazard: str,
) -> Zones:
    """Check the inputs and split the severity pieces by county, in ``crs`` (the raster's)."""
    _check_inputs(pieces, counties, profile.order(hazard))
    return _zones(pieces, counties, crs=crs)


def _check_inputs(
    pieces: gpd.GeoDataFrame, counties: gpd.GeoDataFrame, order: tuple[str, ...]
) -> None:
    problems = []
    needs = (("pieces", pieces, ("class",)), ("counties", counties, ("code", "name")))
    for label, frame, columns in needs:
        if frame.crs is None:
            problems.append(f"{label} have no CRS")
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            problems.append(f"{label} lack columns {missing}")
    if "class" in pieces.columns:
        unknown = sorted(set(pieces["class"].astype(str)) - set(order))
        if unknown:
            problems.append(f"piece classes {unknown} are not among {list(order)}")
    if problems:
        raise InputError("exposure: " + "; ".join(problems), field="footprint")


def _zones(pieces: gpd.GeoDataFrame, counties: gpd.GeoDataFrame, *, crs: CRS) -> Zones:
    """Each piece split by county, plus the part of it outside every county, in ``crs``.

    Pieces are taken apart into their polygons first: a polygon wholly inside one county
    (most of a fragmented flood map) is kept as it is, and only polygons crossing a
    county border go through an overlay.
    """
    if pieces.empty:
        return Zones(code=[], cls=[], geometry=np.empty(0, dtype=object))
    rows = np.sort(counties.sindex.query(shapely.box(*pieces.total_bounds)))
    near = counties.iloc[rows]
    piece_geoms = _project(pieces, crs)
    county_geoms = _projected_counties(counties, crs)[rows]
    polygons, piece_of = shapely.get_parts(piece_geoms, return_index=True)
    at, county_at = shapely.STRtree(county_geoms).query(polygons, predicate="intersects")
    cut = polygons[at]
    crossing = ~shapely.contains_properly(county_geoms[county_at], cut)
    cut[crossing] = _robust(
        shapely.intersection, cut[crossing], county_geoms[county_at][crossing], crs
    )
    classes = [str(c) for c in pieces["class"]]
    codes: list[str | None] = []
    zone_classes: list[str] = []
    geoms: list[BaseGeometry] = []
    group = piece_of[at] * len(county_geoms) + county_at
    for key in np.unique(group):
        piece, county = divmod(int(key), len(county_geoms))
        codes.append(str(near["code"].iloc[county]))
        zone_classes.append(classes[piece])
        geoms.append(_polygonal(shapely.get_parts(cut[group == key])))
    # Only a piece whose county parts fall short of its own area reaches outside the
    # counties; the costly difference is computed for those alone.
    inside = np.bincount(piece_of[at], weights=shapely.area(cut), minlength=len(piece_geoms))
    outside = shapely.area(piece_geoms) * (1 - COVERAGE_NOISE) > inside
    if outside.any():
        covered = _union(counties, rows, county_geoms, crs)
        for piece in np.flatnonzero(outside).tolist():
            rest = _robust(shapely.difference, piece_geoms[piece], covered, crs)
            codes.append(None)
            zone_classes.append(classes[piece])
            geoms.append(_polygonal(shapely.get_parts(rest)))
    keep = [not g.is_empty for g in geoms]
    return Zones(
        code=[c for c, k in zip(codes, keep, strict=True) if k],
        cls=[c for c, k in zip(zone_classes, keep, strict=True) if k],
        geometry=np.array([g for g, k in zip(geoms, keep, strict=True) if k], dtype=object),
    )


def _projected_counties(counties: gpd.GeoDataFrame, crs: CRS) -> npt.NDArray[np.object_]:
    """Every county in ``crs``, prepared: projected once per counties layer and CRS, kept.

    As dense as the pack made them: a province's borders take ~20 ms to project and
    prepare, for each footprint again before. A vertex projects alike in any subset of
    the layer, so the kept borders are exactly those a projection of the rows near the
    footprint gives.
    """

    def build() -> npt.NDArray[np.object_]:
        projected = _to(counties.geometry, crs)
        shapely.prepare(projected)
        projected.flags.writeable = False
        return projected

    return derived((counties,), ("counties projected", crs), build)


def _union(
    counties: gpd.GeoDataFrame,
    rows: npt.NDArray[np.intp],
    county_geoms: npt.NDArray[np.object_],
    crs: CRS,
) -> BaseGeometry:
    """The union of the counties at ``rows`` (``county_geoms``, in ``crs``), kept a while.

    The union of a province's counties near a large footprint takes 0.2 s; a footprint
    assessed again (figures corrected, another plan) finds it made. The same rows in the
    same CRS give the same union: kept per counties layer, the `KEPT_UNIONS` latest.
    """
    kept: OrderedDict[tuple[int, ...], BaseGeometry]
    kept = derived((counties,), ("county unions", crs), OrderedDict)
    key = tuple(rows.tolist())
    with _UNIONS_LOCK:
        found = kept.get(key)
        if found is not None:
            kept.move_to_end(key)
            return found
    union: BaseGeometry = shapely.union_all(county_geoms)
    with _UNIONS_LOCK:
        kept[key] = union
        while len(kept) > KEPT_UNIONS:
            kept.popitem(last=False)
    return union


def _robust(operation: Callable[..., Any], a: Any, b: Any, crs: CRS) -> Any:
    """An overlay, redone where GEOS cannot node nearly coincident edges.

    Pieces reprojected from lon/lat can run within float noise of a county edge and come
    out slightly invalid; GEOS then raises a TopologyException. Only those geometries
    are redone: first made valid, then, if GEOS still fails, snap-rounded to a grid of
    `SNAP_GRID_DEG` or `SNAP_GRID_M`. The others are untouched.
    """
    try:
        return operation(a, b)
    except shapely.errors.GEOSException:
        if isinstance(a, np.ndarray):
            return np.array(
                [_robust(operation, x, y, crs) for x, y in zip(a, b, strict=True)], dtype=object
            )
    a, b = shapely.make_valid(a), shapely.make_valid(b)
    try:
        return operation(a, b)
    except shapely.errors.GEOSException:
        grid = SNAP_GRID_DEG if crs.is_geographic else SNAP_GRID_M
        return operation(a, b, grid_size=grid)


def densify(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame with edges no longer than `MAX_SEGMENT_DEG` (lon/lat) or `MAX_SEGMENT_M`.

    An edge is straight in the CRS it was drawn in; its added vertices keep it on that
    line once projected to another CRS. Footprints and county borders (at pack load)
    are densified alike.
    """
    step = MAX_SEGMENT_DEG if frame.crs is not None and frame.crs.is_geographic else MAX_SEGMENT_M
    return frame.set_geometry(
        gpd.GeoSeries(
            shapely.segmentize(frame.geometry.to_numpy(), step), index=frame.index, crs=frame.crs
        )
    )


def _to(geoms: gpd.GeoSeries, crs: CRS) -> npt.NDArray[np.object_]:
    """``geoms`` in ``crs``: as ``to_crs`` gives them, or through `geo._crs.projected` (2-D)."""
    if shapely.has_z(geoms.to_numpy()).any():
        to_crs: npt.NDArray[np.object_] = geoms.to_crs(crs).to_numpy()
        return to_crs
    return projected(geoms.to_numpy(), geoms.crs, crs)


def _project(frame: gpd.GeoDataFrame, crs: CRS) -> npt.NDArray[np.object_]:
    """The footprint's geometries in ``crs``, long lon/lat edges densified first."""
    geoms = frame.geometry
    if frame.crs.is_geographic:
        geoms = densify(frame).geometry
    return _to(geoms, crs)


def _polygonal(parts: npt.NDArray[np.object_]) -> BaseGeometry:
    """The polygons among overlay output parts, as one (possibly empty) MultiPolygon."""
    polygons = [p for p in parts if p.geom_type == "Polygon" and not p.is_empty]
    return shapely.MultiPolygon(polygons)
