"""The search behind `geo.roads.travel`: points attached to the junctions, one Dijkstra.

Internal to `geo.roads.travel`: the open graph of junctions and chain arcs
(`geo.roads.chains`) as CSR with one virtual node per source point, the multi-source
search from whichever side has fewer points, optionally without predecessors or up to a
time limit, and travel along one edge or one chain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from geo._crs import transformer
from geo.errors import InputError
from geo.roads import chains as chain_code
from geo.roads.chains import Chains
from geo.roads.closures import ClosedEdges
from geo.roads.network import Arcs, RoadNetwork
from geo.roads.places import Places, along_chain, costs, matching, places, slots
from geo.roads.snapping import Snapped, snap

#: Dijkstra is run in chunks of sources so one chunk's distances stay under this many cells.
CHUNK_CELLS = 20_000_000
#: Refuse a search whose predecessor table would exceed this many cells (4 bytes each).
MAX_PATH_CELLS = 250_000_000
#: Which slot of a target a best time came through: its two chain ends, the shared edge,
#: or straight along the shared chain.
VIA_DIRECT = 2
VIA_CHAIN = 3
UNREACHED = -1

#: Junction numbers and times of each point's two slots (points × 2).
Slots = tuple[NDArray[np.int64], NDArray[np.float64]]
#: Open arcs of a search graph: row pointer, heads, chain arc codes.
OpenArcs = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]


@dataclass(frozen=True, eq=False)
class Search:
    """One Dijkstra over the open junction graph plus one virtual node per source point.

    In ``reverse`` mode the sources are the destinations and the graph is reversed;
    ``rows`` maps a source point to its row of ``pred`` (-1: not attached). The arcs
    leaving junction ``u`` are ``arc_ptr[u]:arc_ptr[u + 1]``, with their ``arc_head`` and
    the ``arc_code`` of their chain arc.
    """

    reverse: bool
    n_nodes: int
    pred: NDArray[np.int32]
    rows: NDArray[np.int64]
    source_node: NDArray[np.int64]
    source_time: NDArray[np.float64]
    target_node: NDArray[np.int64]
    via: NDArray[np.int8]
    arc_ptr: NDArray[np.int64]
    arc_head: NDArray[np.int64]
    arc_code: NDArray[np.int64]


def open_graph(
    arcs: Arcs, closed: NDArray[np.bool_], n_nodes: int, sources: Slots
) -> tuple[sparse.csr_matrix, OpenArcs]:
    """CSR time graph: open arcs (the fastest of parallel ones), then sources; the open arcs.

    The open arcs as CSR: the junctions' row pointer, each arc's head and chain arc code.

    Source ``s`` is the virtual node ``n_nodes + s``, with an arc to each junction its
    attachment may leave by (the faster slot when both reach one junction).
    """
    keep = np.flatnonzero(~closed[arcs.edge])
    tail, head = arcs.tail[keep], arcs.head[keep]
    # Arcs are sorted by (tail, head, time): the first of each pair is the fastest.
    first = np.ones(keep.size, dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    keep = keep[first]
    node, time = sources
    time = time.copy()
    twice = (node[:, 0] == node[:, 1]) & (time[:, 1] < time[:, 0])
    time[twice, 0] = time[twice, 1]
    time[node[:, 0] == node[:, 1], 1] = np.inf
    usable = np.isfinite(time).ravel()
    virtual = n_nodes + np.repeat(np.arange(node.shape[0], dtype=np.int64), 2)
    tails = np.concatenate([arcs.tail[keep], virtual[usable]])
    size = n_nodes + node.shape[0]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(tails, minlength=size))])
    heads = np.concatenate([arcs.head[keep], node.ravel()[usable]])
    times = np.concatenate([arcs.time_s[keep], time.ravel()[usable]])
    graph = sparse.csr_matrix((times, heads, indptr), shape=(size, size))
    return graph, (indptr[: n_nodes + 1], arcs.head[keep], arcs.edge[keep])


@dataclass(frozen=True, eq=False)
class Neighbourhood:
    """The part of the graph a time-limited search can reach: nodes within the limit.

    One Dijkstra from all sources at once (``min_only``, one row of memory) finds every
    node some source reaches within the limit. A fastest path of at most the limit from
    any source passes only such nodes (times never decrease along a path), so searching
    the subgraph they induce gives the same time, to the bit, for every node within the
    limit, and inf beyond it, as searching the whole graph: the work and memory of each
    search grow with the incident's neighbourhood, not with the province's roads.
    """

    graph: sparse.csr_matrix
    source: NDArray[np.int64]
    index: NDArray[np.int64]

    @classmethod
    def of(
        cls, graph: sparse.csr_matrix, n_nodes: int, n_sources: int, limit: float
    ) -> Neighbourhood:
        """The subgraph within ``limit`` of the virtual sources ``n_nodes …``.

        Built from the CSR arrays as `open_graph` builds the graph: arcs of cost 0 (a
        point on an edge's end) stay arcs.
        """
        sources = n_nodes + np.arange(n_sources)
        dist = dijkstra(graph, directed=True, indices=sources, min_only=True, limit=limit)
        keep = np.isfinite(dist)
        keep[sources] = True
        kept = np.flatnonzero(keep)
        index = np.full(graph.shape[0], -1, dtype=np.int64)
        index[kept] = np.arange(kept.size)
        row = np.repeat(np.arange(graph.shape[0]), np.diff(graph.indptr))
        inside = keep[row] & keep[graph.indices]
        counts = np.bincount(index[row[inside]], minlength=kept.size)
        indptr = np.concatenate([[0], np.cumsum(counts)])
        sub = sparse.csr_matrix(
            (graph.data[inside], index[graph.indices[inside]], indptr),
            shape=(kept.size, kept.size),
        )
        return cls(graph=sub, source=index[sources], index=index)

    def column(self, nodes: NDArray[np.int64]) -> NDArray[np.int64]:
        """Each node's column in the subgraph's distances; the extra last column if outside."""
        found = self.index[nodes]
        return np.where(found >= 0, found, self.graph.shape[0])


def _check_path_cells(s: int, n: int) -> None:
    if s * (n + s) > MAX_PATH_CELLS:
        raise InputError(
            f"origins, destinations: {s} points on the smaller side are too many for one "
            f"search over {n} road nodes; split them into batches",
            field="origins",
        )


def _search_graph(
    graph: sparse.csr_matrix, n: int, s: int, targets: Slots, *, paths: bool, limit: float
) -> tuple[sparse.csr_matrix, NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """The graph each chunk searches, its source rows, each target slot's column and time.

    A time-limited search without paths runs on the `Neighbourhood` of the sources; a
    target slot outside it is never reached: its time is inf (and its column any one).
    """
    t_node, t_time = targets
    if paths or not np.isfinite(limit):
        return graph, n + np.arange(s), t_node, t_time
    near = Neighbourhood.of(graph, n, s, limit)
    column = near.column(t_node)
    outside = column == near.graph.shape[0]
    return near.graph, near.source, np.where(outside, 0, column), np.where(outside, np.inf, t_time)


def _fastest_slot(
    dist: NDArray[np.float64], column: NDArray[np.int64], t_time: NDArray[np.float64], limit: float
) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """Each (source, target)'s best arrival over the target's two slots, and which slot.

    Slot 0 wins a tie, as `numpy.argmin` over the two would have it; an arrival above a
    finite ``limit`` is inf (its slot then means nothing). Two (sources × targets)
    arrays, not one with the slots last, keep every step on contiguous memory.
    """
    first = dist[:, column[:, 0]] + t_time[:, 0]
    second = dist[:, column[:, 1]] + t_time[:, 1]
    later = second < first
    best = np.where(later, second, first)
    if np.isfinite(limit):
        best[best > limit] = np.inf
    return best, later.astype(np.int8)


def run_search(
    chains: Chains,
    closed: NDArray[np.bool_],
    sources: Slots,
    targets: Slots,
    *,
    reverse: bool,
    paths: bool = True,
    limit: float = np.inf,
) -> tuple[Search, NDArray[np.float64]]:
    """Run the multi-source Dijkstra; best time from every source point to every target.

    ``closed`` tells, per chain arc code, whether the chain is closed (`closed_arcs`).
    Without ``paths`` no predecessors are kept (times only). With a finite ``limit`` the
    search stops at that many seconds and every time above it is inf: a time at or under
    the limit is exact, since every node of its fastest path lies within the limit.
    """
    node, time = sources
    attached = np.isfinite(time).any(axis=1)
    rows = np.where(attached, np.cumsum(attached) - 1, -1).astype(np.int64)
    n, s = chains.n_junctions, int(attached.sum())
    if paths:
        _check_path_cells(s, n)
    arcs = chains.reverse_arcs if reverse else chains.arcs
    graph, kept = open_graph(arcs, closed, n, (node[attached], time[attached]))
    t_node = targets[0]
    best = np.full((node.shape[0], t_node.shape[0]), np.inf)
    via = np.full(best.shape, UNREACHED, dtype=np.int8)
    pred = np.empty((s, n + s) if paths else (0, 0), dtype=np.int32)
    points = np.flatnonzero(attached)
    search_graph, source, column, t_time = _search_graph(
        graph, n, s, targets, paths=paths, limit=limit
    )
    step = max(1, CHUNK_CELLS // search_graph.shape[0])
    for start in range(0, s, step):
        chunk = np.arange(start, min(s, start + step))
        if paths:
            dist, pred[chunk] = dijkstra(
                graph, directed=True, indices=n + chunk, return_predecessors=True, limit=limit
            )
        else:
            dist = dijkstra(search_graph, directed=True, indices=source[chunk], limit=limit)
        fastest, slot = _fastest_slot(dist, column, t_time, limit)
        best[points[chunk]] = fastest
        via[points[chunk]] = np.where(np.isfinite(fastest), slot, UNREACHED)
    search = Search(
        reverse=reverse, n_nodes=n, pred=pred, rows=rows, source_node=node, source_time=time,
        target_node=t_node, via=via, arc_ptr=kept[0], arc_head=kept[1], arc_code=kept[2],
    )  # fmt: skip
    return search, best


def closed_arcs(chains: Chains, mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Per chain arc code (`geo.roads.chains.Chains`): whether its chain has a closed edge."""
    shut = np.bincount(chains.chain[chains.position[mask]], minlength=chains.ptr.size - 1) > 0
    return np.repeat(shut, 2)


def direct(
    network: RoadNetwork, origins: Snapped, destinations: Snapped
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Time and length along the edge itself for pairs attached to the same edge (else inf)."""
    time = np.full((origins.edge.size, destinations.edge.size), np.inf)
    length = time.copy()
    i, j = matching(origins.edge, destinations.edge)
    e = origins.edge[i]
    ahead = destinations.fraction[j] - origins.fraction[i]
    # Standing still is allowed on any edge; moving, only in a direction the edge allows.
    allowed = (ahead == 0) | np.where(ahead > 0, network.edge_forward[e], network.edge_backward[e])
    time[i, j] = np.where(allowed, np.abs(ahead) * network.edge_time_s[e], np.inf)
    length[i, j] = np.abs(ahead) * network.edge_length_m[e]
    return time, length


def project_points(
    points: ArrayLike, name: str, crs: CRS | str, target: CRS
) -> NDArray[np.float64]:
    """(n, 2) points in ``crs`` as metric x/y in ``target``, refused when not finite."""
    array = np.asarray(points, dtype=float)
    if array.size == 0:
        return np.zeros((0, 2))
    if array.ndim != 2 or array.shape[1] != 2 or not np.isfinite(array).all():
        raise InputError(f"{name}: expected (n, 2) finite coordinates", field=name)
    source = CRS.from_user_input(crs)
    if source == target:
        return array
    x, y = transformer(source, target).transform(array[:, 0], array[:, 1])
    xy = np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])
    if not np.isfinite(xy).all():
        raise InputError(f"{name}: some points cannot be projected to {target.name}", field=name)
    return xy


def closed_mask(network: RoadNetwork, closed: ClosedEdges | ArrayLike | None) -> NDArray[np.bool_]:
    """One boolean per edge from `closures` output, a mask, or None (nothing closed)."""
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


@dataclass(frozen=True, eq=False)
class Snaps:
    """Both point sets attached to the open network, with the closed-edge mask.

    ``chains``, ``cost`` (`geo.roads.places.costs` under this mask) and the points'
    places on the chains are what the searches over the junctions take.
    """

    mask: NDArray[np.bool_]
    origins: Snapped
    destinations: Snapped
    snap_m: float
    chains: Chains
    cost: NDArray[np.float64]
    origin_places: Places
    destination_places: Places

    @property
    def reverse(self) -> bool:
        """Search from the destinations when fewer of them are attached."""
        return int((self.destinations.edge >= 0).sum()) < int((self.origins.edge >= 0).sum())

    def slots(self) -> tuple[Slots, Slots]:
        """The origins' exits and the destinations' entries."""
        return (
            slots(self.chains, self.origin_places, self.cost, leaving_points=True),
            slots(self.chains, self.destination_places, self.cost, leaving_points=False),
        )

    def along_chain(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        """Pairs on one chain (not one edge) and their time straight along it."""
        return along_chain(self.chains, self.origin_places, self.destination_places, self.cost)


def attach(
    network: RoadNetwork,
    origins: ArrayLike,
    destinations: ArrayLike,
    *,
    snap_max_m: float,
    closed: ClosedEdges | ArrayLike | None,
    points_crs: CRS | str,
) -> Snaps:
    """Attach origins and destinations to the nearest open edge within ``snap_max_m``."""
    if isinstance(snap_max_m, bool) or not np.isfinite(snap_max_m) or snap_max_m <= 0:
        raise InputError("snap_max_m: expected a positive number of metres", field="snap_max_m")
    snap_m = float(snap_max_m)
    mask = closed_mask(network, closed)
    o_xy = project_points(origins, "origins", points_crs, network.crs)
    d_xy = project_points(destinations, "destinations", points_crs, network.crs)
    o_snap = snap(network, o_xy, closed=mask, snap_max_m=snap_m)
    d_snap = snap(network, d_xy, closed=mask, snap_max_m=snap_m)
    chains = chain_code.chains_of(network)
    return Snaps(
        mask=mask, origins=o_snap, destinations=d_snap, snap_m=snap_m, chains=chains,
        cost=costs(network, chains, mask), origin_places=places(chains, o_snap),
        destination_places=places(chains, d_snap),
    )  # fmt: skip


def best_times(
    snaps: Snaps, *, paths: bool, limit: float = np.inf
) -> tuple[Search, NDArray[np.float64], NDArray[np.int8]]:
    """The search from the smaller side; best times and slots as (origins × destinations)."""
    exits, entries = snaps.slots()
    closed = closed_arcs(snaps.chains, snaps.mask)
    if snaps.reverse:
        search, best = run_search(
            snaps.chains, closed, entries, exits, reverse=True, paths=paths, limit=limit
        )
        return search, best.T, search.via.T
    search, best = run_search(
        snaps.chains, closed, exits, entries, reverse=False, paths=paths, limit=limit
    )
    return search, best, search.via


def reached_from(
    snaps: Snaps, sources: Slots, targets: Slots, *, reverse: bool
) -> NDArray[np.bool_]:
    """Which targets any source reaches: ONE Dijkstra from all sources at once (min_only)."""
    node, time = sources
    attached = np.isfinite(time).any(axis=1)
    t_node, t_time = targets
    if not attached.any() or t_node.shape[0] == 0:
        return np.zeros(t_node.shape[0], dtype=bool)
    chains = snaps.chains
    arcs = chains.reverse_arcs if reverse else chains.arcs
    n = chains.n_junctions
    closed = closed_arcs(chains, snaps.mask)
    graph, _ = open_graph(arcs, closed, n, (node[attached], time[attached]))
    dist = dijkstra(graph, directed=True, indices=n + np.arange(int(attached.sum())), min_only=True)
    reached: NDArray[np.bool_] = np.isfinite(dist[t_node] + t_time).any(axis=1)
    return reached
