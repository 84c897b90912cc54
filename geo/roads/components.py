"""Whether the road network holds together: its connected parts, and shelters or depots cut off.

A road layer drawn by hand or clipped from OSM often falls apart into pieces: a spur that
misses the junction by a few metres, a village road network that touches no trunk road.
Routes cannot cross from one piece to another, so a shelter on a piece that no depot
joins can receive nothing, and a depot on a piece without shelters can send nothing. This
module counts the pieces (connected components of the graph, direction ignored) and
names the shelters and depots so cut off, or joined to no road at all within the snap
distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from geo.roads.network import RoadNetwork
from geo.roads.snapping import snap


@dataclass(frozen=True)
class Connectivity:
    """The road network's connected parts and the points cut off from the others.

    ``sizes`` are node counts per part, largest first. A shelter is cut off
    (``isolated_shelters``) when it joins no road within the snap distance or joins a part
    that no depot joins; a depot, likewise, when no shelter joins its part.
    """

    components: int
    sizes: tuple[int, ...]
    isolated_shelters: tuple[str, ...]
    isolated_depots: tuple[str, ...]

    @property
    def largest_share(self) -> float:
        """The share of the network's nodes in its largest part (1.0 when whole)."""
        total = sum(self.sizes)
        return self.sizes[0] / total if total else 0.0


def _labels(network: RoadNetwork) -> tuple[int, NDArray[np.int32]]:
    """The number of parts and each node's part, edge direction ignored."""
    n = network.n_nodes
    tail, head = network.edge_nodes[:, 0], network.edge_nodes[:, 1]
    graph = coo_matrix((np.ones(tail.size), (tail, head)), shape=(n, n)).tocsr()
    count, labels = connected_components(graph, directed=False)
    return int(count), labels


def _parts(
    network: RoadNetwork, labels: NDArray[np.int32], points: gpd.GeoDataFrame, snap_max_m: float
) -> NDArray[np.int64]:
    """The part each point joins (its nearest road within ``snap_max_m``), -1 for none."""
    if points.empty:
        return np.empty(0, dtype=np.int64)
    anchors = points.to_crs(network.crs).geometry.representative_point()
    xy = np.column_stack([anchors.x.to_numpy(), anchors.y.to_numpy()])
    closed = np.zeros(network.n_edges, dtype=bool)
    snapped = snap(network, xy, closed=closed, snap_max_m=snap_max_m)
    parts = np.full(len(points), -1, dtype=np.int64)
    joined = snapped.edge >= 0
    parts[joined] = labels[network.edge_nodes[snapped.edge[joined], 0]]
    return parts


def _cut_off(ids: list[str], parts: NDArray[np.int64], others: set[int]) -> tuple[str, ...]:
    return tuple(i for i, p in zip(ids, parts.tolist(), strict=True) if p < 0 or p not in others)


def connectivity(
    network: RoadNetwork,
    *,
    shelters: gpd.GeoDataFrame,
    depots: gpd.GeoDataFrame,
    snap_max_m: float,
) -> Connectivity:
    """Count the network's connected parts and name the shelters and depots cut off.

    Parameters
    ----------
    network
        The road graph (`geo.roads.network.build_network`).
    shelters, depots
        Layers with an ``id`` column, in any defined CRS; polygons join by a point inside.
    snap_max_m
        How far (metres) a point may lie from the road it joins, as in supply planning.
    """
    count, labels = _labels(network)
    sizes = np.bincount(labels, minlength=count)
    shelter_parts = _parts(network, labels, shelters, snap_max_m)
    depot_parts = _parts(network, labels, depots, snap_max_m)
    return Connectivity(
        components=count,
        sizes=tuple(sorted((int(s) for s in sizes), reverse=True)),
        isolated_shelters=_cut_off(
            [str(i) for i in shelters["id"]], shelter_parts, set(depot_parts.tolist()) - {-1}
        ),
        isolated_depots=_cut_off(
            [str(i) for i in depots["id"]], depot_parts, set(shelter_parts.tolist()) - {-1}
        ),
    )
