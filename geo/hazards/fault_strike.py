"""The strike of the fault nearest an epicentre: the dominant orientation of its geometry.

When a bureau knows the magnitude and epicentre but not the rupture's strike, the long axis
of the isoseismals is laid along the nearest mapped fault (a ``fault`` hazard zone) within a
stated distance. A fault zone's orientation is the length-weighted axial mean of its
segments' azimuths (lines as drawn, polygons by their outline): angles are doubled, averaged
as vectors and halved, so that 10° and 190° count as the same trend.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.hazards.intensity import local_crs

FAULT_KIND = "fault"


@dataclass(frozen=True)
class FaultStrike:
    """The strike read from a fault zone near the epicentre, and where it came from."""

    strike_deg: float
    zone_id: str
    distance_km: float
    source: str


def dominant_orientation(geometry: BaseGeometry) -> float | None:
    """Azimuth (0–180°, clockwise from north) of a metric geometry's dominant trend.

    None for points or geometries without length. Polygons count by their outline.
    """
    lines = geometry.boundary if geometry.geom_type in ("Polygon", "MultiPolygon") else geometry
    parts = shapely.get_parts(shapely.line_merge(lines) if lines.geom_type != "Point" else lines)
    sum_cos = sum_sin = 0.0
    for part in parts:
        if part.geom_type not in ("LineString", "LinearRing"):
            continue
        xy = shapely.get_coordinates(part)
        dx, dy = np.diff(xy[:, 0]), np.diff(xy[:, 1])
        length = np.hypot(dx, dy)
        doubled = 2.0 * np.arctan2(dx, dy)  # azimuth from north, doubled: axial data
        sum_cos += float((length * np.cos(doubled)).sum())
        sum_sin += float((length * np.sin(doubled)).sum())
    if math.hypot(sum_cos, sum_sin) == 0.0:
        return None
    return math.degrees(math.atan2(sum_sin, sum_cos) / 2.0) % 180.0


def nearest_fault_strike(
    hazard_zones: gpd.GeoDataFrame, *, lon: float, lat: float, within_km: float
) -> FaultStrike | None:
    """The dominant orientation of the nearest ``fault`` zone within ``within_km`` of (lon, lat).

    Distances are measured on an azimuthal equidistant projection centred on the epicentre.
    None when no fault zone with a length lies that close.
    """
    if not within_km >= 0:
        raise InputError(
            f"fault_strike_km: expected a non-negative distance, got {within_km!r}",
            field="fault_strike_km",
        )
    faults = hazard_zones[hazard_zones["kind"].astype(str) == FAULT_KIND]
    if faults.empty:
        return None
    local = faults.to_crs(local_crs(lon, lat))
    distances = local.geometry.distance(Point(0.0, 0.0)).to_numpy() / 1000.0
    for position in np.argsort(distances, kind="stable"):
        distance = float(distances[position])
        if distance > within_km:
            return None
        orientation = dominant_orientation(local.geometry.iloc[position])
        if orientation is None:
            continue
        zone_id = str(local["id"].iloc[position])
        return FaultStrike(
            strike_deg=orientation,
            zone_id=zone_id,
            distance_km=distance,
            source=(
                f"fault zone {zone_id}: the dominant orientation of its geometry, "
                f"{distance:.1f} km from the epicentre (searched within {within_km:g} km)"
            ),
        )
    return None
