"""The search behind `geo.roads.travel`: points attached to the junctions, one Dijkstra.

Internal to `geo.roads.travel`: points attached to the open roads (`Snaps`), the
multi-source search with predecessors from whichever side has fewer points, over the
open graph of junctions and chain arcs (`geo.roads.chains`, `geo.roads._graph`) with one
virtual node per source point; times without routes, up to a time limit
(`geo.roads._times`); which points reach which (`reached_each_way`); and travel along
one edge or one chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS
from scipy.sparse.csgraph import dijkstra

from geo._crs import transformer
from geo.errors import InputError
from geo.roads import chains as chain_code
from geo.roads._graph import CHUNK_CELLS, Parts, Slots, junction_graph, open_graph
from geo.roads._times import Way, shares_junctions, times_only
from geo.roads.chains import Chains
from geo.roads.closures import ClosedEdges
from geo.roads.network import RoadNetwork
from geo.roads.places import Places, along_chain, costs, matching, places, slots
from geo.roads.snapping import Snapped, snap

#: Refuse a search whose predecessor table would exceed this many cells (4 bytes each).
MAX_PATH_CELLS = 250_000_000
#: Which slot of a target a best time came through: its two chain ends, the shared edge,
#: or straight along the shared chain.
VIA_DIRECT = 2
VIA_CHAIN = 3
UNREACHED = -1


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


def _check_path_cells(s: int, n: int) -> None:
    if s * (n + s) > MAX_PATH_CELLS:
        raise InputError(
            f"origins, destinations: {s} points on the smaller side are too many for one "
            f"search over {n} road nodes; split them into batches",
            field="origins",
        )


def _fastest_slot(
    dist: NDArray[np.float64], column: NDArray[np.int64], t_time: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.int8]]:
    """Each (source, target)'s best arrival over the target's two slots, and which slot.

    Slot 0 wins a tie, as `numpy.argmin` over the two would have it. Two (sources ×
    targets) arrays, not one with the slots last, keep every step on contiguous memory.
    """
    first = dist[:, column[:, 0]] + t_time[:, 0]
    second = dist[:, column[:, 1]] + t_time[:, 1]
    later = second < first
    return np.where(later, second, first), later.astype(np.int8)


def run_search(
    chains: Chains, closed: NDArray[np.bool_], sources: Slots, targets: Slots, *, reverse: bool
) -> tuple[Search, NDArray[np.float64]]:
    """Run the multi-source Dijkstra with predecessors; best time from every source point.

    ``closed`` tells, per chain arc code, whether the chain is closed (`closed_arcs`).
    Times without routes are searched by `geo.roads._times.times_only`.
    """
    node, time = sources
    attached = np.isfinite(time).any(axis=1)
    rows = np.where(attached, np.cumsum(attached) - 1, -1).astype(np.int64)
    n, s = chains.n_junctions, int(attached.sum())
    _check_path_cells(s, n)
    arcs = chains.reverse_arcs if reverse else chains.arcs
    graph, kept = open_graph(arcs, closed, n, (node[attached], time[attached]))
    t_node, t_time = targets
    best = np.full((node.shape[0], t_node.shape[0]), np.inf)
    via = np.full(best.shape, UNREACHED, dtype=np.int8)
    pred = np.empty((s, n + s), dtype=np.int32)
    points = np.flatnonzero(attached)
    step = max(1, CHUNK_CELLS // graph.shape[0])
    for start in range(0, s, step):
        chunk = np.arange(start, min(s, start + step))
        dist, pred[chunk] = dijkstra(
            graph, directed=True, indices=n + chunk, return_predecessors=True
        )
        fastest, slot = _fastest_slot(dist, t_node, t_time)
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


def same_edge(
    network: RoadNetwork, origins: Snapped, destinations: Snapped
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Pairs attached to the same edge, and their time (inf: no way) and length along it."""
    i, j = matching(origins.edge, destinations.edge)
    e = origins.edge[i]
    ahead = destinations.fraction[j] - origins.fraction[i]
    # Standing still is allowed on any edge; moving, only in a direction the edge allows.
    allowed = (ahead == 0) | np.where(ahead > 0, network.edge_forward[e], network.edge_backward[e])
    time = np.where(allowed, np.abs(ahead) * network.edge_time_s[e], np.inf)
    return i, j, time, np.abs(ahead) * network.edge_length_m[e]


def direct(
    network: RoadNetwork, origins: Snapped, destinations: Snapped
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Time and length along the edge itself for pairs attached to the same edge (else inf)."""
    time = np.full((origins.edge.size, destinations.edge.size), np.inf)
    length = time.copy()
    i, j, along_s, along_m = same_edge(network, origins, destinations)
    time[i, j], length[i, j] = along_s, along_m
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
    #: What `slots` and `shortcuts` found, worked out once per Snaps (read-only).
    _kept: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    @property
    def reverse(self) -> bool:
        """Search from the destinations when fewer of them are attached."""
        return int((self.destinations.edge >= 0).sum()) < int((self.origins.edge >= 0).sum())

    def slots(self) -> tuple[Slots, Slots]:
        """The origins' exits and the destinations' entries."""
        if "slots" not in self._kept:
            found = (
                slots(self.chains, self.origin_places, self.cost, leaving_points=True),
                slots(self.chains, self.destination_places, self.cost, leaving_points=False),
            )
            for array in (*found[0], *found[1]):
                array.flags.writeable = False
            self._kept["slots"] = found
        kept: tuple[Slots, Slots] = self._kept["slots"]
        return kept

    def along_chain(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        """Pairs on one chain (not one edge) and their time straight along it."""
        return along_chain(self.chains, self.origin_places, self.destination_places, self.cost)

    def shortcuts(
        self, network: RoadNetwork
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        """Pairs that may go without the junctions: on one edge or one chain; their time."""
        if "shortcuts" not in self._kept:
            i, j, time, _ = same_edge(network, self.origins, self.destinations)
            ci, cj, along = self.along_chain()
            found = (
                np.concatenate([i, ci]),
                np.concatenate([j, cj]),
                np.concatenate([time, along]),
            )
            for array in found:
                array.flags.writeable = False
            self._kept["shortcuts"] = found
        kept: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]
        kept = self._kept["shortcuts"]
        return kept

    def of_origins(self, rows: NDArray[np.int64]) -> Snaps:
        """The same attachments for the distinct origins ``rows`` only, and what is known."""
        o, p = self.origins, self.origin_places
        part = replace(
            self,
            origins=Snapped(
                o.edge[rows], o.fraction[rows], o.distance[rows], o.xy[rows], o.nearby[rows],
                o.node[rows],
            ),
            origin_places=Places(p.junction[rows], p.pos[rows], p.back[rows], p.ahead[rows],
                                 p.edge[rows]),
        )  # fmt: skip
        if "slots" in self._kept:
            (node, time), entries = self._kept["slots"]
            part._kept["slots"] = ((node[rows], time[rows]), entries)
        if "shortcuts" in self._kept:
            i, j, along = self._kept["shortcuts"]
            at = np.full(o.edge.size, -1)
            at[rows] = np.arange(rows.size)
            keep = at[i] >= 0
            part._kept["shortcuts"] = (at[i[keep]], j[keep], along[keep])
        return part


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


def best_times(snaps: Snaps) -> tuple[Search, NDArray[np.float64], NDArray[np.int8]]:
    """The search from the smaller side; best times and slots as (origins × destinations)."""
    exits, entries = snaps.slots()
    closed = closed_arcs(snaps.chains, snaps.mask)
    if snaps.reverse:
        search, best = run_search(snaps.chains, closed, entries, exits, reverse=True)
        return search, best.T, search.via.T
    search, best = run_search(snaps.chains, closed, exits, entries, reverse=False)
    return search, best, search.via


def way_of(snaps: Snaps) -> Way:
    """How `times_between` searches these points: from the smaller side, shared junctions."""
    exits, entries = snaps.slots()
    return Way(snaps.reverse, shares_junctions(entries if snaps.reverse else exits))


def times_between(snaps: Snaps, limit: float, way: Way | None = None) -> NDArray[np.float64]:
    """`best_times` without routes (origins × destinations), inf above a finite ``limit``.

    ``way``: that of a larger set these points are part of (default: their own).
    """
    way = way_of(snaps) if way is None else way
    exits, entries = snaps.slots()
    closed = closed_arcs(snaps.chains, snaps.mask)
    if way.reverse:
        return times_only(snaps.chains, closed, entries, exits, way, limit=limit).T
    return times_only(snaps.chains, closed, exits, entries, way, limit=limit)


def reached_each_way(snaps: Snaps) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Which origins reach some destination, and which destinations some origin reaches.

    Over the strongly connected parts of the open junction graph (`Parts`): a point
    reaches another exactly when the part of a junction it leaves by reaches the part
    of a junction the other is entered from.
    """
    (o_node, o_time), (d_node, d_time) = snaps.slots()
    o_ok, d_ok = np.isfinite(o_time), np.isfinite(d_time)
    chains = snaps.chains
    graph = junction_graph(chains.arcs, closed_arcs(chains, snaps.mask), chains.n_junctions).csr
    parts = Parts.of(graph)
    from_origins = parts.reached(o_node[o_ok], reverse=False)
    to_destinations = parts.reached(d_node[d_ok], reverse=True)
    origin_ok = np.asarray((to_destinations[parts.label[o_node]] & o_ok).any(axis=1))
    destination_ok = np.asarray((from_origins[parts.label[d_node]] & d_ok).any(axis=1))
    return origin_ok, destination_ok
