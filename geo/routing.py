"""Closed roads, travel times between depots and shelters, and the routes between them.

`build_network` (from `geo.network`) turns the roads layer into a graph once. Per
incident, `closures` closes every edge that crosses the footprint (and, optionally,
hazard zones of listed kinds). `travel_matrix` attaches each origin and destination to
the nearest OPEN edge within ``snap_max_m`` by projecting it onto the edge, then runs
ONE multi-source Dijkstra (`scipy.sparse.csgraph.dijkstra` with ``indices``) over the
open graph, from whichever side has fewer points: the origins over the graph, or the
destinations over the reversed graph. `route` follows the predecessors of that search
along the road geometry, partial edges at both ends included.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer
from scipy import sparse
from scipy.sparse.csgraph import dijkstra, reconstruct_path
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from geo.errors import GeometryError, InputError
from geo.network import (
    LONLAT,
    Arcs,
    Attachment,
    RoadNetwork,
    Snapped,
    attachments,
    build_network,
    snap,
)
from geo.setbacks import require_zones

__all__ = [
    "Attachment",
    "ClosedEdges",
    "ClosedRoad",
    "RoadNetwork",
    "TravelMatrix",
    "build_network",
    "closures",
    "route",
    "travel_matrix",
]

#: Why an edge is closed when it crosses the footprint.
FOOTPRINT = "crosses the footprint"
#: Dijkstra is run in chunks of sources so one chunk's distances stay under this many cells.
CHUNK_CELLS = 20_000_000
#: Refuse a search whose predecessor table would exceed this many cells (4 bytes each).
MAX_PATH_CELLS = 250_000_000
#: Which slot of a target a best time came through: its two edge ends, or the shared edge.
VIA_DIRECT = 2
UNREACHED = -1


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
    if isinstance(footprint, BaseGeometry):
        footprint = gpd.GeoSeries([footprint], crs=LONLAT)
    elif isinstance(footprint, gpd.GeoDataFrame):
        footprint = footprint.geometry
    if not isinstance(footprint, gpd.GeoSeries):
        raise GeometryError("footprint: expected a geometry or a GeoDataFrame", field="footprint")
    if footprint.crs is None:
        raise GeometryError("footprint: no CRS is defined", field="footprint")
    area = shapely.union_all(footprint.to_crs(crs).dropna().to_numpy())
    if area.is_empty:
        raise GeometryError("footprint: the geometry is empty", field="footprint")
    return area


def closures(
    network: RoadNetwork,
    *,
    footprint: gpd.GeoDataFrame | gpd.GeoSeries | BaseGeometry,
    hazard_zones: gpd.GeoDataFrame | None = None,
    closing_kinds: Collection[str] = (),
) -> ClosedEdges:
    """Close every edge that crosses (or touches) the footprint or a closing hazard zone.

    Parameters
    ----------
    footprint
        The disaster footprint; a bare shapely geometry is taken as EPSG:4326.
    hazard_zones
        ``id``, ``kind``, ``risk``; zones whose ``kind`` is in ``closing_kinds`` close
        the edges they touch too (e.g. ``landslide`` on a mountain road).
    """
    if closing_kinds and hazard_zones is None:
        raise InputError("closing_kinds: given without hazard_zones", field="closing_kinds")
    mask = np.zeros(network.n_edges, dtype=bool)
    why: dict[int, list[str]] = defaultdict(list)
    hits = network.tree.query(_area(footprint, network.crs), predicate="intersects")
    mask[hits] = True
    for row in np.unique(network.edge_road[hits]).tolist():
        why[row].append(FOOTPRINT)
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
    return ClosedEdges(
        mask=mask,
        roads=tuple(
            ClosedRoad(
                row=row,
                road_id=network.road_ids[row],
                edges=int(counts[row]),
                reasons=tuple(reasons),
            )
            for row, reasons in sorted(why.items())
        ),
    )


# ---------------------------------------------------------------- the search


@dataclass(frozen=True, eq=False)
class _Search:
    """One Dijkstra over the open graph plus one virtual node per source point.

    In ``reverse`` mode the sources are the destinations and the graph is reversed;
    ``rows`` maps a source point to its row of ``pred`` (-1: not attached).
    """

    reverse: bool
    n_nodes: int
    lengths: sparse.csr_matrix
    pred: NDArray[np.int32]
    rows: NDArray[np.int64]
    target_node: NDArray[np.int64]
    target_length: NDArray[np.float64]

    via: NDArray[np.int8]


def _open_graph(
    arcs: Arcs,
    closed: NDArray[np.bool_],
    n_nodes: int,
    slots: tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]],
) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """CSR time and length graphs: open arcs (the fastest of parallel ones), then sources.

    Source ``s`` is the virtual node ``n_nodes + s``, with an arc to each edge end its
    attachment may leave by, costing the partial edge.
    """
    keep = np.flatnonzero(~closed[arcs.edge])
    tail, head = arcs.tail[keep], arcs.head[keep]
    # Arcs are sorted by (tail, head, time): the first of each pair is the fastest.
    first = np.ones(keep.size, dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    keep = keep[first]
    node, time, length = slots
    usable = np.isfinite(time).ravel()
    virtual = n_nodes + np.repeat(np.arange(node.shape[0], dtype=np.int64), 2)
    tails = np.concatenate([arcs.tail[keep], virtual[usable]])
    size = n_nodes + node.shape[0]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(tails, minlength=size))])
    heads = np.concatenate([arcs.head[keep], node.ravel()[usable]])
    times = np.concatenate([arcs.time_s[keep], time.ravel()[usable]])
    lengths = np.concatenate([arcs.length_m[keep], length.ravel()[usable]])
    return (
        sparse.csr_matrix((times, heads, indptr), shape=(size, size)),
        sparse.csr_matrix((lengths, heads, indptr), shape=(size, size)),
    )


Slots = tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]


def _search(
    network: RoadNetwork,
    closed: NDArray[np.bool_],
    sources: Slots,
    targets: Slots,
    *,
    reverse: bool,
) -> tuple[_Search, NDArray[np.float64]]:
    """Run the multi-source Dijkstra; best time from every source point to every target."""
    node, time, length = sources
    attached = np.isfinite(time).any(axis=1)
    rows = np.where(attached, np.cumsum(attached) - 1, -1).astype(np.int64)
    n, s = network.n_nodes, int(attached.sum())
    if s * (n + s) > MAX_PATH_CELLS:
        raise InputError(
            f"origins, destinations: {s} points on the smaller side are too many for one "
            f"search over {n} road nodes; split them into batches",
            field="origins",
        )
    arcs = network.reverse_arcs if reverse else network.arcs
    graph, lengths = _open_graph(
        arcs, closed, n, (node[attached], time[attached], length[attached])
    )
    t_node, t_time, _ = targets
    best = np.full((node.shape[0], t_node.shape[0]), np.inf)
    via = np.full(best.shape, UNREACHED, dtype=np.int8)
    pred = np.empty((s, n + s), dtype=np.int32)
    points = np.flatnonzero(attached)
    step = max(1, CHUNK_CELLS // (n + s))
    for start in range(0, s, step):
        chunk = np.arange(start, min(s, start + step))
        dist, pred[chunk] = dijkstra(
            graph, directed=True, indices=n + chunk, return_predecessors=True
        )
        arrive = dist[:, t_node] + t_time[None]  # (chunk, targets, 2 slots)
        slot = np.argmin(arrive, axis=2)
        fastest = np.take_along_axis(arrive, slot[..., None], axis=2)[..., 0]
        best[points[chunk]] = fastest
        via[points[chunk]] = np.where(np.isfinite(fastest), slot, UNREACHED)
    search = _Search(
        reverse=reverse,
        n_nodes=n,
        lengths=lengths,
        pred=pred,
        rows=rows,
        target_node=t_node,
        target_length=targets[2],
        via=via,
    )
    return search, best


def _direct(
    network: RoadNetwork, origins: Snapped, destinations: Snapped
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Time and length along the edge itself for pairs attached to the same edge (else inf)."""
    time = np.full((origins.edge.size, destinations.edge.size), np.inf)
    length = time.copy()
    i, j = np.nonzero(
        (origins.edge[:, None] == destinations.edge[None, :]) & (origins.edge >= 0)[:, None]
    )
    e = origins.edge[i]
    ahead = destinations.fraction[j] - origins.fraction[i]
    allowed = np.where(ahead >= 0, network.edge_forward[e], network.edge_backward[e])
    time[i, j] = np.where(allowed, np.abs(ahead) * network.edge_time_s[e], np.inf)
    length[i, j] = np.abs(ahead) * network.edge_length_m[e]
    return time, length


# ---------------------------------------------------------------- the matrix


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Travel times (s) from each origin to each destination over open roads; inf: no way.

    ``durations_s`` is (origins × destinations) and may be used directly as the
    ``cost`` of `geo.shelters.assign_displaced` or `geo.supply.allocate`.
    ``distances_m`` (the length of each fastest route) is computed on first use.
    """

    durations_s: NDArray[np.float64]
    origins: tuple[Attachment, ...]
    destinations: tuple[Attachment, ...]
    origin_reasons: tuple[str | None, ...]
    destination_reasons: tuple[str | None, ...]
    snap_max_m: float
    _search: _Search = field(repr=False)
    _via: NDArray[np.int8] = field(repr=False)
    _direct_m: NDArray[np.float64] = field(repr=False)

    @property
    def reachable(self) -> NDArray[np.bool_]:
        """(origins × destinations): whether a way over open roads exists."""
        return np.isfinite(self.durations_s)

    @cached_property
    def distances_m(self) -> NDArray[np.float64]:
        """(origins × destinations) length in metres of each fastest route; inf: no way."""
        out = np.where(self._via == VIA_DIRECT, self._direct_m, np.inf)
        i, j = np.nonzero((self._via >= 0) & (self._via != VIA_DIRECT))
        search = self._search
        s_pt, t_pt = (j, i) if search.reverse else (i, j)
        slot = self._via[i, j].astype(np.int64)
        rows = search.rows[s_pt]
        ends = search.target_node[t_pt, slot]
        out[i, j] = _tree_lengths(search, rows, ends) + search.target_length[t_pt, slot]
        out.flags.writeable = False
        return out


def _tree_lengths(
    search: _Search, rows: NDArray[np.int64], ends: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Length from each row's source to each end node along the shortest-path tree."""
    step = np.zeros((search.pred.shape[0], search.pred.shape[1]))
    for r in np.unique(rows).tolist():
        tree = reconstruct_path(search.lengths, search.pred[r], directed=True)
        step[r] = np.asarray(tree.sum(axis=0)).ravel()
    total = np.zeros(ends.size)
    cur = ends.copy()
    live = np.flatnonzero(search.pred[rows, cur] >= 0)
    while live.size:
        r, c = rows[live], cur[live]
        total[live] += step[r, c]
        cur[live] = up = search.pred[r, c]
        live = live[search.pred[r, up] >= 0]
    return total


def _points(points: ArrayLike, name: str, crs: CRS | str, target: CRS) -> NDArray[np.float64]:
    array = np.asarray(points, dtype=float)
    if array.size == 0:
        return np.zeros((0, 2))
    if array.ndim != 2 or array.shape[1] != 2 or not np.isfinite(array).all():
        raise InputError(f"{name}: expected (n, 2) finite coordinates", field=name)
    source = CRS.from_user_input(crs)
    if source == target:
        return array
    x, y = Transformer.from_crs(source, target, always_xy=True).transform(array[:, 0], array[:, 1])
    xy = np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])
    if not np.isfinite(xy).all():
        raise InputError(f"{name}: some points cannot be projected to {target.name}", field=name)
    return xy


def _closed_mask(network: RoadNetwork, closed: ClosedEdges | ArrayLike | None) -> NDArray[np.bool_]:
    if closed is None:
        return np.zeros(network.n_edges, dtype=bool)
    mask = np.asarray(closed.mask if isinstance(closed, ClosedEdges) else closed)
    if mask.dtype != bool or mask.shape != (network.n_edges,):
        raise InputError(
            f"closed: expected one boolean per edge ({network.n_edges}), got {mask.dtype} "
            f"{mask.shape}",
            field="closed",
        )
    return mask


def _reasons(
    attachments: Sequence[Attachment], reached: NDArray[np.bool_], other: str
) -> tuple[str | None, ...]:
    return tuple(
        a.reason if not a.attached else None if ok else f"no path over open roads from any {other}"
        for a, ok in zip(attachments, reached.tolist(), strict=True)
    )


def travel_matrix(
    network: RoadNetwork,
    *,
    origins: ArrayLike,
    destinations: ArrayLike,
    snap_max_m: float,
    closed: ClosedEdges | ArrayLike | None = None,
    points_crs: CRS | str = LONLAT,
    origin_label: str = "origin",
    destination_label: str = "destination",
) -> TravelMatrix:
    """Fastest travel times over open roads from every origin to every destination.

    Parameters
    ----------
    origins, destinations
        (n, 2) coordinates in ``points_crs`` (lon/lat by default; pass
        ``network.crs`` for metric x/y such as `geo.shelters.shelter_xy`).
    snap_max_m
        A point joins the nearest open edge within this distance, at its projection on
        the edge; a point with none is not attached and reaches nothing.
    closed
        `closures` output, or one boolean per edge; nothing closed when None.
    origin_label, destination_label
        Words used in the reasons (e.g. ``"depot"``, ``"shelter"``).
    """
    if isinstance(snap_max_m, bool) or not np.isfinite(snap_max_m) or snap_max_m <= 0:
        raise InputError("snap_max_m: expected a positive number of metres", field="snap_max_m")
    snap_m = float(snap_max_m)
    mask = _closed_mask(network, closed)
    o_xy = _points(origins, "origins", points_crs, network.crs)
    d_xy = _points(destinations, "destinations", points_crs, network.crs)
    o_snap = snap(network, o_xy, closed=mask, snap_max_m=snap_m)
    d_snap = snap(network, d_xy, closed=mask, snap_max_m=snap_m)
    exits = o_snap.slots(network, leaving=True)
    entries = d_snap.slots(network, leaving=False)
    reverse = int((d_snap.edge >= 0).sum()) < int((o_snap.edge >= 0).sum())
    if reverse:
        search, best = _search(network, mask, entries, exits, reverse=True)
        best, via = best.T, search.via.T
    else:
        search, best = _search(network, mask, exits, entries, reverse=False)
        via = search.via
    direct_s, direct_m = _direct(network, o_snap, d_snap)
    shorter = direct_s < best
    durations = np.where(shorter, direct_s, best)
    via = np.where(shorter, np.int8(VIA_DIRECT), via).astype(np.int8)
    durations.flags.writeable = False
    o_att = attachments(network, o_snap, snap_max_m=snap_m)
    d_att = attachments(network, d_snap, snap_max_m=snap_m)
    reach = np.isfinite(durations)
    return TravelMatrix(
        durations_s=durations,
        origins=o_att,
        destinations=d_att,
        origin_reasons=_reasons(o_att, np.asarray(reach.any(axis=1)), destination_label),
        destination_reasons=_reasons(d_att, np.asarray(reach.any(axis=0)), origin_label),
        snap_max_m=snap_m,
        _search=search,
        _via=via,
        _direct_m=direct_m,
    )


def route(network: RoadNetwork, matrix: TravelMatrix, i: int, j: int) -> LineString:
    """The fastest route from origin ``i`` to destination ``j`` along the roads, in lon/lat.

    It starts and ends where the two points join the roads (partial edges included).

    Raises
    ------
    InputError
        ``i`` or ``j`` is out of range, or no way over open roads joins them.
    """
    n_o, n_d = matrix.durations_s.shape
    if not (0 <= i < n_o and 0 <= j < n_d):
        raise InputError(f"route: ({i}, {j}) is outside the {n_o} × {n_d} matrix", field="route")
    if not np.isfinite(matrix.durations_s[i, j]):
        why = matrix.destination_reasons[j] or matrix.origin_reasons[i] or "no path over open roads"
        raise InputError(
            f"route: destination {j} is unreachable from origin {i} ({why})", field="route"
        )
    o, d = matrix.origins[i], matrix.destinations[j]
    start, end = (o.lon, o.lat), (d.lon, d.lat)
    via = int(matrix._via[i, j])
    coords: list[tuple[float | None, float | None]] = [start]
    if via != VIA_DIRECT:
        search = matrix._search
        s_pt, t_pt = (j, i) if search.reverse else (i, j)
        row, node = int(search.rows[s_pt]), int(search.target_node[t_pt, via])
        nodes = [node]
        while (up := int(search.pred[row, node])) >= 0 and up < search.n_nodes:
            nodes.append(up)
            node = up
        if not search.reverse:
            nodes.reverse()
        coords.extend(map(tuple, network.node_lonlat[nodes].tolist()))
    coords.append(end)
    kept = [c for k, c in enumerate(coords) if k == 0 or c != coords[k - 1]]
    return LineString(kept if len(kept) > 1 else kept * 2)
