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
from scipy.sparse.csgraph import connected_components, dijkstra

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
    """The open arcs between junctions, the fastest of parallel ones, as CSR arrays.

    ``arc`` is each entry's index in the arcs it was made from.
    """

    indptr: NDArray[np.int64]
    head: NDArray[np.int64]
    time_s: NDArray[np.float64]
    code: NDArray[np.int64]
    arc: NDArray[np.int64]

    @property
    def csr(self) -> sparse.csr_matrix:
        """The junctions' time graph (no virtual nodes)."""
        n = self.indptr.size - 1
        return sparse.csr_matrix((self.time_s, self.head, self.indptr), shape=(n, n))


def _frozen(graph: JunctionGraph) -> JunctionGraph:
    for array in (graph.indptr, graph.head, graph.time_s, graph.code, graph.arc):
        array.flags.writeable = False
    return graph


def _build(arcs: Arcs, n_nodes: int) -> JunctionGraph:
    """Every pair's fastest arc: arcs are sorted by (tail, head, time), the first wins."""
    first = np.ones(arcs.tail.size, dtype=bool)
    first[1:] = (arcs.tail[1:] != arcs.tail[:-1]) | (arcs.head[1:] != arcs.head[:-1])
    keep = np.flatnonzero(first)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(arcs.tail[keep], minlength=n_nodes))])
    return _frozen(JunctionGraph(indptr, arcs.head[keep], arcs.time_s[keep], arcs.edge[keep], keep))


def _without(graph: JunctionGraph, arcs: Arcs, closed: NDArray[np.bool_]) -> JunctionGraph:
    """``graph`` (of every arc) with the closed arcs out: each pair's fastest open arc.

    A pair whose fastest arc is closed takes its next open one (its arcs run from that
    arc to the next pair's), or leaves the graph; the rest stay as they are.
    """
    shut = np.flatnonzero(closed[graph.code])
    if not shut.size:
        return graph
    start = graph.arc[shut]
    count = np.append(graph.arc, arcs.tail.size)[shut + 1] - start - 1
    group = np.repeat(np.arange(shut.size), count)
    step = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    later = np.repeat(start + 1, count) + step
    open_ = ~closed[arcs.edge[later]]
    found, first = np.unique(group[open_], return_index=True)
    better = later[open_][first]
    time, code, arc = graph.time_s.copy(), graph.code.copy(), graph.arc.copy()
    swap = shut[found]
    time[swap], code[swap], arc[swap] = arcs.time_s[better], arcs.edge[better], better
    gone = np.setdiff1d(shut, swap)
    keep = np.ones(graph.head.size, dtype=bool)
    keep[gone] = False
    n = graph.indptr.size - 1
    row = np.searchsorted(graph.indptr, gone, side="right") - 1
    indptr = graph.indptr - np.concatenate([[0], np.cumsum(np.bincount(row, minlength=n))])
    return _frozen(JunctionGraph(indptr, graph.head[keep], time[keep], code[keep], arc[keep]))


def junction_graph(arcs: Arcs, closed: NDArray[np.bool_], n_nodes: int) -> JunctionGraph:
    """The open junction graph: the one kept for these arcs, less the closed arcs."""
    every = derived((arcs,), ("junction graph", n_nodes), lambda: _build(arcs, n_nodes))
    return _without(every, arcs, closed)


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


@dataclass(frozen=True, eq=False)
class Parts:
    """The strongly connected parts of a graph and the arcs between them (a DAG).

    Every node of a part reaches every other, so a node reaches another exactly when its
    part reaches the other's in the DAG: which points reach which is answered over the
    parts (a few), not over the province's junctions.
    """

    label: NDArray[np.int32]
    dag: sparse.csr_matrix

    @classmethod
    def of(cls, graph: sparse.csr_matrix) -> Parts:
        """The parts of ``graph`` (CSR, arcs of any positive time) and the DAG between them."""
        count, label = connected_components(graph, directed=True, connection="strong")
        tail = label[np.repeat(np.arange(graph.shape[0]), np.diff(graph.indptr))]
        head = label[graph.indices]
        cross = tail != head
        ones = np.ones(int(cross.sum()))
        dag = sparse.csr_matrix((ones, (tail[cross], head[cross])), shape=(count, count))
        return cls(label=label, dag=dag)

    def reached(self, nodes: NDArray[np.int64], *, reverse: bool) -> NDArray[np.bool_]:
        """Per part, whether some node of ``nodes`` reaches it (is reached from it: reverse)."""
        starts = np.unique(self.label[nodes])
        if not starts.size:
            return np.zeros(self.dag.shape[0], dtype=bool)
        dag = self.dag.T.tocsr() if reverse else self.dag
        found: NDArray[np.bool_] = np.isfinite(
            dijkstra(dag, directed=True, indices=starts, min_only=True)
        )
        return found
