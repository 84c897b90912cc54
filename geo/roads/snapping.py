"""Where a point joins the roads: the nearest open edge within a distance, or why none.

`snap` attaches points (depots, shelters, demand cells) to the nearest open edge within
a distance, by projection onto the edge; `attachments` describes the result in lon/lat,
with a reason code (`geo.reasons`) for a point that joins no open road.

A point whose projection falls on a vertex (within `VERTEX_TOLERANCE_M`, the tolerance
that makes vertices one node) joins the graph NODE itself, not one of the edges that
meet there: it may leave by, and be reached over, every open arc of that node, whatever
the direction of the edge that happened to be nearest. A point inside an edge leaves
towards each end the edge may be travelled to (both on a two-way road, only the head
on a one-way one) and is reached from each end the edge may be travelled from.
"""

from __future__ import annotations

import hashlib
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from geo._crs import LONLAT, transformer
from geo.reasons import NO_ROAD_NEAR, ROADS_NEAR_CLOSED, Reason
from geo.roads.network import PROJECTED_TOLERANCE_M, RoadNetwork

#: A projection this close (metres) to a vertex joins the vertex's node itself.
VERTEX_TOLERANCE_M = PROJECTED_TOLERANCE_M
#: Point sets whose nearest edges are kept per network: the same shelters and depots are
#: snapped at every assessment, so their STRtree query is answered once per process.
NEAREST_MEMO_SIZE = 16

_NEAREST: weakref.WeakKeyDictionary[
    RoadNetwork, OrderedDict[bytes, tuple[NDArray[np.intp], NDArray[np.intp]]]
] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Attachment:
    """Where a point joins the open road network, or why it does not.

    ``fraction`` runs along the edge from its first vertex; ``lon``/``lat`` is the
    joining position on the road; ``snap_m`` the distance from the point to it.
    ``node`` is the graph node when the point joins at a vertex (``fraction`` is then 0
    or 1 of one of the edges meeting there), else None.
    """

    edge: int | None
    road_id: str | None
    fraction: float | None
    snap_m: float | None
    lon: float | None
    lat: float | None
    reason: Reason | None
    node: int | None = None

    @property
    def attached(self) -> bool:
        """Whether the point joins an open road."""
        return self.edge is not None


@dataclass(frozen=True, eq=False)
class Snapped:
    """Attachment arrays of a set of points; ``edge`` is -1 where a point is not attached.

    ``node`` is the graph node of a point that joins at a vertex, else -1.
    """

    edge: NDArray[np.int64]
    fraction: NDArray[np.float64]
    distance: NDArray[np.float64]
    xy: NDArray[np.float64]
    nearby: NDArray[np.bool_]
    node: NDArray[np.int64]

    def slots(
        self, network: RoadNetwork, *, leaving: bool
    ) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
        """Per point, the two edge ends it reaches (leaving) or is reached from, and the costs.

        Returns (node, time, length), each (points × 2); time is inf for a slot the
        edge's direction does not allow or a point that is not attached. A point at a
        vertex has its node in both slots at no cost: the node's own arcs decide.
        """
        attached = self.edge >= 0
        e = np.where(attached, self.edge, 0)
        t = self.fraction
        ends = network.edge_nodes[e]
        part = np.stack([t, 1.0 - t], axis=1)  # share of the edge to its first, second end
        # Leaving towards the first end runs against the digitised direction; arriving
        # from the first end runs along it.
        to_first = network.edge_backward[e] if leaving else network.edge_forward[e]
        to_second = network.edge_forward[e] if leaving else network.edge_backward[e]
        allowed = np.stack([to_first, to_second], axis=1) & attached[:, None]
        time = np.where(allowed, part * network.edge_time_s[e][:, None], np.inf)
        length = part * network.edge_length_m[e][:, None]
        at_node = self.node >= 0
        ends = np.where(at_node[:, None], self.node[:, None], ends)
        time = np.where(at_node[:, None], 0.0, time)
        length = np.where(at_node[:, None], 0.0, length)
        return ends, time, length


def snap(
    network: RoadNetwork, xy: NDArray[np.float64], *, closed: NDArray[np.bool_], snap_max_m: float
) -> Snapped:
    """Attach each point (metric x/y) to the nearest open edge within ``snap_max_m``."""
    k = xy.shape[0]
    geoms = shapely.points(xy)
    # Most points' nearest edge is open: ask for the nearest first, and look at every edge
    # within reach only for the points whose nearest edges are all closed.
    point, edge = _nearest_edges(network, xy, geoms, snap_max_m)
    blocked = np.setdiff1d(point, point[~closed[edge]])
    if blocked.size:
        more, more_edge = network.tree.query(
            geoms[blocked], predicate="dwithin", distance=snap_max_m
        )
        point = np.concatenate([point, blocked[more]])
        edge = np.concatenate([edge, more_edge])
    a = network.node_xy[network.edge_nodes[edge, 0]]
    d = network.node_xy[network.edge_nodes[edge, 1]] - a
    t = np.clip(np.einsum("ij,ij->i", xy[point] - a, d) / np.einsum("ij,ij->i", d, d), 0.0, 1.0)
    foot = a + t[:, None] * d
    distance = np.hypot(*(xy[point] - foot).T)
    near = distance <= snap_max_m
    nearby = np.zeros(k, dtype=bool)
    nearby[point[near]] = True
    usable = np.flatnonzero(near & ~closed[edge])
    # Nearest open edge per point; ties go to the lowest edge number, for repeatability.
    order = usable[np.lexsort((edge[usable], distance[usable], point[usable]))]
    first = order[np.r_[True, point[order][1:] != point[order][:-1]]] if order.size else order
    out_edge = np.full(k, -1, dtype=np.int64)
    out_t, out_d = np.full(k, np.nan), np.full(k, np.nan)
    out_xy = np.full((k, 2), np.nan)
    out_edge[point[first]] = edge[first]
    out_t[point[first]] = t[first]
    out_d[point[first]] = distance[first]
    out_xy[point[first]] = foot[first]
    out_node = _vertex_nodes(network, out_edge, out_t)
    return Snapped(
        edge=out_edge, fraction=out_t, distance=out_d, xy=out_xy, nearby=nearby, node=out_node
    )


def _nearest_edges(
    network: RoadNetwork, xy: NDArray[np.float64], geoms: NDArray[np.object_], snap_max_m: float
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Every point's nearest edges within ``snap_max_m`` (all ties), closed or not.

    The answer depends only on the network, the points and the distance, so a point set
    asked again (the pack's shelters and depots, at every assessment) is answered from
    the last `NEAREST_MEMO_SIZE` sets kept for this network.
    """
    memo = _NEAREST.setdefault(network, OrderedDict())
    key = hashlib.blake2b(
        np.ascontiguousarray(xy, dtype=np.float64).tobytes() + np.float64(snap_max_m).tobytes(),
        digest_size=16,
    ).digest()
    if key in memo:
        memo.move_to_end(key)
        return memo[key]
    found = network.tree.query_nearest(geoms, max_distance=snap_max_m, all_matches=True)
    memo[key] = (found[0], found[1])
    for array in memo[key]:
        array.flags.writeable = False
    if len(memo) > NEAREST_MEMO_SIZE:
        memo.popitem(last=False)
    return memo[key]


def _vertex_nodes(
    network: RoadNetwork, edge: NDArray[np.int64], fraction: NDArray[np.float64]
) -> NDArray[np.int64]:
    """The node a point joins when its projection lies on a vertex of its edge, else -1."""
    node = np.full(edge.size, -1, dtype=np.int64)
    at = np.flatnonzero(edge >= 0)
    e, t = edge[at], fraction[at]
    along = t * network.edge_length_m[e]
    first = along <= VERTEX_TOLERANCE_M
    second = ~first & (network.edge_length_m[e] - along <= VERTEX_TOLERANCE_M)
    node[at[first]] = network.edge_nodes[e[first], 0]
    node[at[second]] = network.edge_nodes[e[second], 1]
    return node


def attachments(
    network: RoadNetwork, snapped: Snapped, *, snap_max_m: float
) -> tuple[Attachment, ...]:
    """The attachments of snapped points, positions in lon/lat, with reasons where none."""
    to_lonlat = transformer(network.crs, LONLAT)
    lon, lat = to_lonlat.transform(snapped.xy[:, 0], snapped.xy[:, 1])
    lon, lat = np.atleast_1d(lon).copy(), np.atleast_1d(lat).copy()
    at_node = snapped.node >= 0
    # A point at a vertex joins exactly where the node is (routes start on it).
    lon[at_node], lat[at_node] = network.node_lonlat[snapped.node[at_node]].T
    out = []
    why = why_not_attached(snapped, snap_max_m=snap_max_m)
    for i, e in enumerate(snapped.edge.tolist()):
        if e < 0:
            out.append(Attachment(None, None, None, None, None, None, why[i]))
            continue
        out.append(
            Attachment(
                edge=e,
                road_id=network.road_ids[int(network.edge_road[e])],
                fraction=float(snapped.fraction[i]),
                snap_m=float(snapped.distance[i]),
                lon=float(lon[i]),
                lat=float(lat[i]),
                reason=None,
                node=int(snapped.node[i]) if snapped.node[i] >= 0 else None,
            )
        )
    return tuple(out)


def why_not_attached(snapped: Snapped, *, snap_max_m: float) -> tuple[Reason | None, ...]:
    """Per point, why it joins no open road (None where it joins one)."""
    return tuple(
        None if e >= 0 else Reason(ROADS_NEAR_CLOSED if near else NO_ROAD_NEAR, metres=snap_max_m)
        for e, near in zip(snapped.edge.tolist(), snapped.nearby.tolist(), strict=True)
    )
