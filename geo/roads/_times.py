"""Times without routes: one Dijkstra per junction the points leave by, or per point.

Internal to `geo.roads.travel`. A point joins the junction graph at its chain's two end
junctions (`geo.roads.places.slots`). Points close together share them: the 291 demand
points of a 100 km² flood on the Jiangsu pack leave by 51 junctions. When the points
share fewer junctions than there are points, each junction is searched once and a
point's time to a target is the better of its two slots: its time to the junction plus
the junction's time onwards. Otherwise each point is a virtual node with arcs to its
two junctions, searched from there. Either way a finite limit stops each search, which
then runs on the `Neighbourhood` of the sources only. The two ways add the same times
in another order (to the junction, then onwards, or the whole way from the point), so
they may differ in the last bit: searches whose times are compared or combined (the
evacuation ladder's steps, each on some of its points) take the way of the whole set
(`Way`), and then give every point the same times, to the bit, whatever the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from geo.roads._graph import CHUNK_CELLS, Neighbourhood, Slots, junction_graph, open_graph
from geo.roads.chains import Chains


@dataclass(frozen=True)
class Way:
    """How a times-only search runs: from the destinations (``reverse``), from junctions."""

    reverse: bool
    from_junctions: bool


def shares_junctions(sources: Slots) -> bool:
    """Whether the points leave by fewer junctions than there are points."""
    node, time = sources
    usable = np.isfinite(time)
    return np.unique(node[usable]).size < int(usable.any(axis=1).sum())


@dataclass(frozen=True, eq=False)
class Starts:
    """Where the searches start: one node per search, and per point slot its search.

    ``search`` (points × 2) is the search row each slot of a point starts from (-1:
    none), ``offset`` the time to that row's node (inf: none).
    """

    graph: sparse.csr_matrix
    nodes: NDArray[np.int64]
    search: NDArray[np.int64]
    offset: NDArray[np.float64]


def starts(chains: Chains, closed: NDArray[np.bool_], sources: Slots, way: Way) -> Starts:
    """From the junctions the points leave by, or from one node per point."""
    node, time = sources
    usable = np.isfinite(time)
    attached = usable.any(axis=1)
    arcs = chains.reverse_arcs if way.reverse else chains.arcs
    n = chains.n_junctions
    if way.from_junctions:
        junctions = np.unique(node[usable])
        search = np.where(usable, np.searchsorted(junctions, node), -1)
        graph = junction_graph(arcs, closed, n).csr
        return Starts(graph, junctions, search, np.where(usable, time, np.inf))
    graph, _ = open_graph(arcs, closed, n, (node[attached], time[attached]))
    row = np.where(attached, np.cumsum(attached) - 1, -1)
    search = np.column_stack([row, np.full(row.size, -1)])
    offset = np.column_stack([np.where(attached, 0.0, np.inf), np.full(row.size, np.inf)])
    return Starts(graph, n + np.arange(int(attached.sum())), search, offset)


def search_space(
    graph: sparse.csr_matrix, nodes: NDArray[np.int64], targets: NDArray[np.int64], limit: float
) -> tuple[sparse.csr_matrix, NDArray[np.int64], NDArray[np.int64]]:
    """The graph searched, its source rows and each target slot's column.

    Up to a finite limit, the `Neighbourhood` of the sources; a target slot outside it
    gets the extra last column (never reached).
    """
    if not np.isfinite(limit):
        return graph, nodes, targets
    near = Neighbourhood.of(graph, nodes, limit)
    return near.graph, near.index[nodes], near.column(targets)


def times_only(
    chains: Chains,
    closed: NDArray[np.bool_],
    sources: Slots,
    targets: Slots,
    way: Way,
    *,
    limit: float = np.inf,
) -> NDArray[np.float64]:
    """Best time from every source point to every target; inf above a finite ``limit``.

    ``closed`` tells, per chain arc code, whether the chain is closed; ``way.reverse``
    that the sources are the destinations, over the reversed graph. Every time at or
    under the limit is exact: every node of its fastest path lies within the limit.
    """
    start = starts(chains, closed, sources, way)
    every = np.full((start.search.shape[0], targets[0].shape[0]), np.inf)
    if not start.nodes.size:
        return every
    graph, nodes, column = search_space(start.graph, start.nodes, targets[0], limit)
    inside = column < graph.shape[0]
    found = np.flatnonzero(inside.any(axis=1))  # targets the search may reach
    # A slot outside the graph searched: any column, never reached (inf to enter).
    column = np.where(inside, column, 0)[found]
    t_time = np.where(inside, targets[1], np.inf)[found]
    best = np.full((start.search.shape[0], found.size), np.inf)
    step = max(1, CHUNK_CELLS // graph.shape[0])
    for first in range(0, nodes.size, step):
        last = min(nodes.size, first + step)
        dist = dijkstra(graph, directed=True, indices=nodes[first:last], limit=limit)
        # Each search's best arrival over the target's two slots, then per point slot.
        first_slot = dist[:, column[:, 0]] + t_time[:, 0]
        arrive = np.minimum(first_slot, dist[:, column[:, 1]] + t_time[:, 1])
        for side in (0, 1):
            row = start.search[:, side]
            at = np.flatnonzero((row >= first) & (row < last))
            through = start.offset[at, side, None] + arrive[row[at] - first]
            best[at] = np.minimum(best[at], through)
    if np.isfinite(limit):
        best[best > limit] = np.inf
    every[:, found] = best
    return every
