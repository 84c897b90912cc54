"""The graphs the searches run on: open junction arcs as CSR, sources, neighbourhoods.

Internal to `geo.roads._dijkstra` and `geo.roads._times`. The open graph of the
junctions (`geo.roads.chains`) with nothing closed is the same for every evacuation of
a pack: it is made once per chains and kept (`geo._kept.derived`); a search from points
adds one virtual node per point after the junctions (`open_graph`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from geo._kept import derived
from geo.roads.network import Arcs

#: Dijkstra is run in chunks of sources so one chunk's distances stay under this many cells.
CHUNK_CELLS = 20_000_000
#: Junction numbers and times of each point's two slots (points × 2).
Slots = tuple[NDArray[np.int64], NDArray[np.float64]]
#: Open arcs of a search graph: row pointer, heads, chain arc codes.
OpenArcs = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]


@dataclass(frozen=True, eq=False)
class JunctionGraph:
    """The open arcs between junctions, the fastest of parallel ones, as CSR arrays."""

    indptr: NDArray[np.int64]
    head: NDArray[np.int64]
    time_s: NDArray[np.float64]
    code: NDArray[np.int64]

    @property
    def csr(self) -> sparse.csr_matrix:
        """The junctions' time graph (no virtual nodes)."""
        n = self.indptr.size - 1
        return sparse.csr_matrix((self.time_s, self.head, self.indptr), shape=(n, n))


def _build(arcs: Arcs, closed: NDArray[np.bool_], n_nodes: int) -> JunctionGraph:
    keep = np.flatnonzero(~closed[arcs.edge])
    tail, head = arcs.tail[keep], arcs.head[keep]
    # Arcs are sorted by (tail, head, time): the first of each pair is the fastest.
    first = np.ones(keep.size, dtype=bool)
    first[1:] = (tail[1:] != tail[:-1]) | (head[1:] != head[:-1])
    keep = keep[first]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(arcs.tail[keep], minlength=n_nodes))])
    graph = JunctionGraph(indptr, arcs.head[keep], arcs.time_s[keep], arcs.edge[keep])
    for array in (graph.indptr, graph.head, graph.time_s, graph.code):
        array.flags.writeable = False
    return graph


def junction_graph(arcs: Arcs, closed: NDArray[np.bool_], n_nodes: int) -> JunctionGraph:
    """The open junction graph; with nothing closed, the one kept for these arcs."""
    if closed.any():
        return _build(arcs, closed, n_nodes)
    return derived((arcs,), ("open junction graph", n_nodes), lambda: _build(arcs, closed, n_nodes))


def open_graph(
    arcs: Arcs, closed: NDArray[np.bool_], n_nodes: int, sources: Slots
) -> tuple[sparse.csr_matrix, OpenArcs]:
    """CSR time graph: open arcs (the fastest of parallel ones), then sources; the open arcs.

    The open arcs as CSR: the junctions' row pointer, each arc's head and chain arc code.

    Source ``s`` is the virtual node ``n_nodes + s``, with an arc to each junction its
    attachment may leave by (the faster slot when both reach one junction).
    """
    junctions = junction_graph(arcs, closed, n_nodes)
    node, time = sources
    time = time.copy()
    twice = (node[:, 0] == node[:, 1]) & (time[:, 1] < time[:, 0])
    time[twice, 0] = time[twice, 1]
    time[node[:, 0] == node[:, 1], 1] = np.inf
    usable = np.isfinite(time).ravel()
    per_source = usable.reshape(-1, 2).sum(axis=1)
    size = n_nodes + node.shape[0]
    indptr = np.concatenate([junctions.indptr, junctions.indptr[-1] + np.cumsum(per_source)])
    heads = np.concatenate([junctions.head, node.ravel()[usable]])
    times = np.concatenate([junctions.time_s, time.ravel()[usable]])
    graph = sparse.csr_matrix((times, heads, indptr), shape=(size, size))
    return graph, (junctions.indptr, junctions.head, junctions.code)


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
    index: NDArray[np.int64]

    @classmethod
    def of(
        cls, graph: sparse.csr_matrix, sources: NDArray[np.int64], limit: float
    ) -> Neighbourhood:
        """The subgraph within ``limit`` of the nodes ``sources``.

        Only the rows of the nodes kept are read: arcs of cost 0 (a point on an edge's
        end) stay arcs, and each row keeps its arcs in their order.
        """
        dist = dijkstra(graph, directed=True, indices=sources, min_only=True, limit=limit)
        keep = np.isfinite(dist)
        keep[sources] = True
        kept = np.flatnonzero(keep)
        index = np.full(graph.shape[0], -1, dtype=np.int64)
        index[kept] = np.arange(kept.size)
        first, counts = graph.indptr[kept], np.diff(graph.indptr)[kept]
        ends = np.cumsum(counts)
        at = np.repeat(first - (ends - counts), counts) + np.arange(int(counts.sum()))
        heads = graph.indices[at]
        inside = keep[heads]
        row = np.repeat(np.arange(kept.size), counts)[inside]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=kept.size))])
        sub = sparse.csr_matrix(
            (graph.data[at[inside]], index[heads[inside]], indptr), shape=(kept.size, kept.size)
        )
        return cls(graph=sub, index=index)

    def column(self, nodes: NDArray[np.int64]) -> NDArray[np.int64]:
        """Each node's column in the subgraph's distances; the extra last column if outside."""
        found = self.index[nodes]
        return np.where(found >= 0, found, self.graph.shape[0])
