"""Whether a parsed footprint is a sane area for this jurisdiction, and the part worth counting.

A footprint of zero area, one many times the size of the jurisdiction, or one outside it
is almost always a mistake (swapped coordinates, a test polygon, a wrong file): each is
refused naming what is wrong instead of answered with a figure. A footprint that does
cover the jurisdiction is clipped, in lon/lat, to the box that holds the jurisdiction and
the population grid before anything is projected: a whole-world polygon projected to a
metric CRS folds onto itself, and it counts everyone in the box, not nobody.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from geo._kept import derived
from geo.errors import GeometryError
from geo.incident.footprint import check_within

#: A feature covering less than this share of its lon/lat bounding box encloses no area: a
#: ring whose positions lie on one straight line (in lon/lat, as GeoJSON draws edges) keeps
#: some 1e-14 of its box in floating-point area; a real footprint covers more than 1e-6.
MIN_BOX_SHARE = 1e-9
#: The smallest area a jurisdiction is taken to have, against division by zero.
MIN_AREA_M2 = 1.0
#: Margin of the counting box, as a share of its width and height.
BOX_MARGIN = 0.01
#: Points along each edge of the clipping box, so that it keeps its shape when projected.
CLIP_EDGE_POINTS = 200
#: The radius of the sphere of the WGS84 ellipsoid's area (Moritz, Geodetic Reference
#: System 1980, R2 = 6371007.2 m; WGS84 differs below the metre).
AUTHALIC_RADIUS_M = 6_371_007.2
#: Longest edge, in degrees, kept when measuring an area (the mapping bends lat lines).
AREA_EDGE_DEG = 0.5


def area_m2(geom: BaseGeometry) -> float:
    """Area in square metres of a lon/lat geometry whose edges are straight in lon/lat.

    GeoJSON draws edges straight in lon/lat (RFC 7946 §3.1.1), so the area is that of
    the region on the authalic sphere, exact through the cylindrical equal-area mapping
    (x = R·λ, y = R·sin φ) once the edges are densified. Geodesic edges would make a
    whole-world box a zero-area sliver along the antimeridian.
    """
    dense = shapely.segmentize(geom, AREA_EDGE_DEG)

    def equal_area(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        lon, lat = np.radians(coords[:, 0]), np.radians(coords[:, 1])
        return np.column_stack([AUTHALIC_RADIUS_M * lon, AUTHALIC_RADIUS_M * np.sin(lat)])

    return float(shapely.transform(dense, equal_area).area)


def _area_once(jurisdiction: BaseGeometry) -> float:
    """`area_m2` of a jurisdiction, measured once while it lives (a province takes ~0.1 s).

    Found by identity: hashing the province's boundary (its WKB) took milliseconds.
    """
    return derived((jurisdiction,), "area m2", lambda: area_m2(jurisdiction))


def check_extent(
    features: gpd.GeoDataFrame,
    jurisdiction: BaseGeometry,
    *,
    max_area_ratio: float,
    name: str,
) -> None:
    """Refuse a footprint of zero area, one over ``max_area_ratio`` jurisdictions, or outside.

    Parameters
    ----------
    features
        The parsed footprint (lon/lat), one row per feature.
    jurisdiction
        The jurisdiction (lon/lat).
    max_area_ratio
        Largest footprint area allowed, as a multiple of the jurisdiction's area.
    name
        The jurisdiction's name, for the message.

    Raises
    ------
    GeometryError
        Naming the feature of zero area, the ratio found and allowed, or the jurisdiction.
    """
    geoms = features.geometry.to_numpy()
    for index, geom in enumerate(geoms):
        box_area = geom.envelope.area
        if box_area == 0 or geom.area < MIN_BOX_SHARE * box_area:
            where = f"feature {index}" if len(geoms) > 1 else "the footprint"
            raise GeometryError(
                f"footprint: {where} encloses no area (its ring is collinear or collapsed)",
                field="footprint",
            )
    check_within(features, jurisdiction, name=name)
    if max_area_ratio == math.inf:  # no area is too large
        return
    # An upper bound of the union's area, without the overlay (its cost is the request's).
    whole = min(sum(area_m2(g) for g in geoms), area_m2(shapely.box(*features.total_bounds)))
    ratio = whole / max(_area_once(jurisdiction), MIN_AREA_M2)
    if ratio > max_area_ratio:
        raise GeometryError(
            f"footprint: its area ({whole / 1e6:.6g} km²) is {ratio:.4g} times that of "
            f"{name}; at most max_area_ratio = {max_area_ratio:g} times is accepted",
            field="footprint",
        )


def clip_to_box(
    features: gpd.GeoDataFrame, box: tuple[float, float, float, float]
) -> gpd.GeoDataFrame:
    """The footprint clipped, in lon/lat, to a ``(west, south, east, north)`` box."""
    clipped = features.copy()
    west, south, east, north = box
    # Densified: projected, a straight lon/lat edge bends; its corners alone would cut cells.
    edge = max(east - west, north - south) / CLIP_EDGE_POINTS
    rect = shapely.box(west, south, east, north).segmentize(edge) if edge > 0 else None
    if rect is None:
        return features.iloc[:0]
    cut = shapely.intersection(features.geometry.to_numpy(), rect)
    clipped.geometry = [_polygonal(geom) for geom in cut]
    return clipped[~clipped.geometry.is_empty].reset_index(drop=True)


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Only the areas of a cut: a polygon touching the box's edge may bring a line along."""
    if geom.geom_type in {"Polygon", "MultiPolygon"} or geom.is_empty:
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in {"Polygon", "MultiPolygon"}]
    return shapely.union_all(parts)


def counting_box(*boxes: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The lon/lat box holding all the boxes given (jurisdiction, population grid), and a margin.

    The margin (`BOX_MARGIN` of its size on each side) keeps in the cells a projected
    grid's lon/lat bounds, sampled along its edges, may leave just outside.
    """
    wests, souths, easts, norths = zip(*boxes, strict=True)
    west, south, east, north = min(wests), min(souths), max(easts), max(norths)
    dx, dy = (east - west) * BOX_MARGIN, (north - south) * BOX_MARGIN
    return (max(west - dx, -180), max(south - dy, -90), min(east + dx, 180), min(north + dy, 90))
