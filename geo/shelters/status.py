"""Which shelters may open: in the footprint, in conflict with a hazard zone, or usable.

A shelter is ``in_footprint`` when its ground touches the footprint and
``hazard_conflict`` when it lies in a hazard zone or within the zone's setback
(GB 21734-2008 §5.2; 阳泉2026 §5.x(6), §7.4.3 “坚决避开山洪、地质灾害隐患点及其他危险区域”);
neither receives anyone (CONTRACT §4).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geo._crs import metric
from geo._kept import derived
from geo._validate import require_frame
from geo.errors import GeometryError
from geo.hazards.setbacks import Setbacks, ZoneConflict, zone_conflicts
from geo.incident.footprint import footprint_series

ShelterState = Literal["usable", "in_footprint", "hazard_conflict"]

Conflict = ZoneConflict
"""A hazard zone a shelter lies in (distance 0) or within the setback of."""


@dataclass(frozen=True)
class ShelterStatus:
    """Whether a shelter may be opened, and the hazard zones it is too close to."""

    id: str
    name: str
    kind: str
    capacity: int
    status: ShelterState
    conflicts: tuple[Conflict, ...]

    @property
    def usable(self) -> bool:
        """Whether the shelter may receive people and supplies."""
        return self.status == "usable"


# ---------------------------------------------------------------- which shelters may open


def _footprint_union(footprint: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry) -> gpd.GeoSeries:
    footprint = footprint_series(footprint)
    union = shapely.union_all(footprint.dropna().to_numpy())
    if union.is_empty:
        raise GeometryError("footprint: the geometry is empty", field="footprint")
    return gpd.GeoSeries([union], crs=footprint.crs)


def classify_shelters(
    shelters: gpd.GeoDataFrame,
    *,
    footprint: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry,
    hazard_zones: gpd.GeoDataFrame,
    setbacks: Setbacks,
    metric_crs: CRS | str,
) -> tuple[ShelterStatus, ...]:
    """Mark each shelter ``usable``, ``in_footprint`` or ``hazard_conflict``, in row order.

    A shelter in the footprint is ``in_footprint`` and still lists its hazard conflicts.
    Both tests use the shelter's own ground (point or polygon), so a park that only
    partly reaches a setback is in conflict.

    Parameters
    ----------
    shelters
        ``id``, ``name``, ``capacity``, ``kind``; Points or Polygons, any defined CRS.
    footprint
        The disaster footprint; a bare shapely geometry is taken as EPSG:4326.
    hazard_zones
        ``id``, ``kind``, ``risk``; any geometry, any defined CRS.
    metric_crs
        A projected CRS in metres; every distance is measured in it.
    """
    crs = metric(metric_crs)
    require_frame(shelters, "shelters", ("id", "name", "capacity", "kind"))
    area = _footprint_union(footprint).to_crs(crs).iloc[0]
    shapely.prepare(area)
    outside = _outside_footprint(shelters, hazard_zones, setbacks=setbacks, crs=crs)
    inside = np.flatnonzero(shapely.intersects(area, _ground(shelters, crs)))
    if not inside.size:
        return outside
    statuses = list(outside)
    for i in inside.tolist():
        statuses[i] = replace(statuses[i], status="in_footprint")
    return tuple(statuses)


def _ground(shelters: gpd.GeoDataFrame, crs: CRS) -> NDArray[np.object_]:
    """The shelters' own ground in ``crs``, projected once per layer."""

    def project() -> NDArray[np.object_]:
        ground: NDArray[np.object_] = shelters.to_crs(crs).geometry.to_numpy()
        ground.flags.writeable = False
        return ground

    return derived((shelters,), ("ground", crs), project)


def _outside_footprint(
    shelters: gpd.GeoDataFrame, hazard_zones: gpd.GeoDataFrame, *, setbacks: Setbacks, crs: CRS
) -> tuple[ShelterStatus, ...]:
    """Each shelter ``usable`` or ``hazard_conflict``, as if no footprint reached it.

    The same for every incident on the pack's own zones: made once per layers and kept (an
    incident that is itself a zone, `geo.assessment.with_incident_zone`, brings new zones).
    """

    def classify() -> tuple[ShelterStatus, ...]:
        conflicts = zone_conflicts(
            _ground(shelters, crs), hazard_zones, setbacks=setbacks, metric_crs=crs
        )
        # Column by column: iterating rows of a frame costs more than the whole test.
        columns = zip(
            shelters["id"].tolist(),
            shelters["name"].tolist(),
            shelters["kind"].tolist(),
            shelters["capacity"].tolist(),
            conflicts,
            strict=True,
        )
        return tuple(
            ShelterStatus(
                id=str(sid),
                name=str(name),
                kind=str(kind),
                capacity=int(capacity),
                status="hazard_conflict" if conflict else "usable",
                conflicts=conflict,
            )
            for sid, name, kind, capacity, conflict in columns
        )

    return derived((shelters, hazard_zones, setbacks), ("statuses", crs), classify)


# ---------------------------------------------------------------- where each shelter is


def shelter_xy(shelters: gpd.GeoDataFrame, *, metric_crs: CRS | str) -> NDArray[np.float64]:
    """Each shelter's representative point as ``(x, y)`` metres in ``metric_crs``."""
    require_frame(shelters, "shelters", ())
    crs = metric(metric_crs)

    def locate() -> NDArray[np.float64]:
        points = shelters.to_crs(crs).geometry.representative_point()
        xy = np.column_stack([points.x.to_numpy(), points.y.to_numpy()]).astype(np.float64)
        xy.flags.writeable = False
        return xy

    return derived((shelters,), ("xy", crs), locate)


def representative_xy(shelters: gpd.GeoDataFrame) -> NDArray[np.float64]:
    """Each feature's representative point as ``(x, y)`` in the layer's own CRS, found once.

    For a layer of the pack (shelters, depots): read-only, so found once per layer.
    """

    def locate() -> NDArray[np.float64]:
        points = shelters.geometry.representative_point().to_numpy()
        xy = np.column_stack([shapely.get_x(points), shapely.get_y(points)])
        xy.flags.writeable = False
        return xy

    return derived((shelters,), "representative xy", locate)
