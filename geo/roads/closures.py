"""Which roads an incident closes: every edge crossing the footprint or a closing hazard zone.

`closures` marks the edges of a `geo.roads.network.RoadNetwork` that the footprint (and, when
asked, hazard zones of listed kinds such as ``landslide``) cross or touch, and names the
road rows they belong to with the reasons. `geo.roads.travel` searches only the open edges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geo.errors import GeometryError, InputError
from geo.hazards.setbacks import require_zones
from geo.incident.footprint import footprint_series
from geo.roads.network import RoadNetwork

#: Why an edge is closed when it crosses the footprint.
FOOTPRINT = "crosses the footprint"


@dataclass(frozen=True)
class ClosedRoad:
    """A road row with at least one closed edge, and why."""

    row: int
    road_id: str
    edges: int
    reasons: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class ClosedEdges:
    """Which edges are closed (``mask``, read-only) and the road rows they belong to."""

    mask: NDArray[np.bool_]
    roads: tuple[ClosedRoad, ...]

    @property
    def count(self) -> int:
        """Number of closed edges."""
        return int(self.mask.sum())


# ---------------------------------------------------------------- closures


def _area(footprint: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry, crs: CRS) -> BaseGeometry:
    footprint = footprint_series(footprint)
    area = shapely.union_all(footprint.to_crs(crs).dropna().to_numpy())
    if area.is_empty:
        raise GeometryError("footprint: the geometry is empty", field="footprint")
    return area


def closures(
    network: RoadNetwork,
    *,
    footprint: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry | None,
    hazard_zones: gpd.GeoDataFrame | None = None,
    closing_kinds: Collection[str] = (),
) -> ClosedEdges:
    """Close every edge that crosses (or touches) the footprint or a closing hazard zone.

    Parameters
    ----------
    footprint
        The disaster footprint; a bare shapely geometry is taken as EPSG:4326. None:
        only hazard zones close roads (a travel query without a footprint).
    hazard_zones
        ``id``, ``kind``, ``risk``; zones whose ``kind`` is in ``closing_kinds`` close
        the edges they touch too (e.g. ``landslide`` on a mountain road).
    """
    if closing_kinds and hazard_zones is None:
        raise InputError("closing_kinds: given without hazard_zones", field="closing_kinds")
    mask = np.zeros(network.n_edges, dtype=bool)
    # Rows the footprint closes, and the zones' reasons by row: a province's footprint
    # closes ten thousand rows, each given the one footprint reason without a dict entry.
    crossed = np.zeros(len(network.road_ids), dtype=bool)
    why: dict[int, list[str]] = defaultdict(list)
    if footprint is not None:
        hits = network.tree.query(_area(footprint, network.crs), predicate="intersects")
        mask[hits] = True
        crossed[network.edge_road[hits]] = True
    if hazard_zones is not None and closing_kinds:
        zones = require_zones(hazard_zones)
        zones = zones[zones["kind"].astype(str).isin(list(closing_kinds))].to_crs(network.crs)
        zone, edge = network.tree.query(zones.geometry.to_numpy(), predicate="intersects")
        mask[edge] = True
        labels = [f"hazard zone {i} ({k})" for i, k in zip(zones["id"], zones["kind"], strict=True)]
        pairs = np.unique(np.stack([network.edge_road[edge], zone], axis=1), axis=0)
        for row, z in pairs.tolist():
            why[row].append(labels[z])
    counts = np.bincount(network.edge_road[mask], minlength=len(network.road_ids))
    mask.flags.writeable = False
    rows = np.flatnonzero(counts)
    return ClosedEdges(
        mask=mask,
        roads=tuple(
            ClosedRoad(
                row=row,
                road_id=network.road_ids[row],
                edges=edges,
                reasons=(FOOTPRINT, *why.get(row, ())) if by_footprint else tuple(why[row]),
            )
            for row, edges, by_footprint in zip(
                rows.tolist(), counts[rows].tolist(), crossed[rows].tolist(), strict=True
            )
        ),
    )
