"""Chains of shape points contracted into single arcs between junctions, for the searches.

Most nodes of a real road graph are shape points: two edges meet there and nothing
else. A JUNCTION is a node where any other number of edges meet (a ring of shape points
with no junction gets one, its lowest node). Each maximal run of edges through shape
points between two junctions is a CHAIN. The searches (`geo.roads._dijkstra`) run over
the junctions only, with one arc per chain and direction the chain may be travelled
through (every edge allowed that way, and open), costing the chain's summed time: the
fastest paths between junctions are those of the whole graph.

A point on a chain joins the search at the chain's two end junctions, at the time along
the chain over the edges it may travel (`Runs`); two points on one chain may also go
straight along it (`geo.roads.routes.along_chain`). Routes expand each arc back into the
chain's edges (`geo.roads.routes`). Times along a run are added edge after edge in the
order of travel, as the search over the whole graph adds them.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from geo.roads.network import Arcs, RoadNetwork, named_arrays, stored_arcs

#: The arrays of `Chains` a cache keeps, by attribute (arcs as ``arcs.tail`` …).
CHAIN_ARRAYS = ("junction", "ptr", "edge", "along", "tail", "head", "start", "end")
#: `walk_sums` pads and sums blocks of at most this many cells at a time.
SUM_CELLS = 1 << 22


@dataclass(frozen=True, eq=False)
class Chains:
    """The chains of a network; a POSITION is one edge of one chain, in chain order.

    Chain ``c`` holds positions ``ptr[c]:ptr[c + 1]``; ``tail``/``head`` are each
    position's nodes in chain order (``along``: the same as the edge's own). ``start``
    and ``end`` are each chain's end junctions, ``junction`` each node's junction number
    (-1 at a shape point). ``arcs`` run between junction numbers; an arc's ``edge`` is
    ``2 × chain`` from start to end, ``2 × chain + 1`` from end to start.
    """

    junction: NDArray[np.int64]
    ptr: NDArray[np.int64]
    edge: NDArray[np.int64]
    along: NDArray[np.bool_]
    tail: NDArray[np.int64]
    head: NDArray[np.int64]
    start: NDArray[np.int64]
    end: NDArray[np.int64]
    arcs: Arcs
    reverse_arcs: Arcs

    @property
    def n_junctions(self) -> int:
        """Number of junctions: the nodes of the searches."""
        return int(self.junction.max(initial=-1)) + 1

    @cached_property
    def chain(self) -> NDArray[np.int64]:
        """The chain of each position."""
        return np.repeat(np.arange(self.ptr.size - 1), np.diff(self.ptr))

    @cached_property
    def position(self) -> NDArray[np.int64]:
        """The position of each edge."""
        found = np.empty(self.edge.size, dtype=np.int64)
        found[self.edge] = np.arange(self.edge.size)
        return found


def walk_sums(
    values: NDArray[np.float64],
    first: NDArray[np.int64],
    count: NDArray[np.int64],
    step: NDArray[np.int64],
    init: NDArray[np.float64],
) -> NDArray[np.float64]:
    """``init + values[first] + values[first + step] + …`` (``count`` terms), in that order.

    Rows of similar length are padded with zeros (adding 0 changes no sum) and summed by
    one cumulative sum each block, which adds strictly left to right.
    """
    total = np.array(init, dtype=np.float64, copy=True)
    order = np.argsort(count, kind="stable")
    done = 0
    while done < order.size:
        widths = count[order[done:]]  # ascending: the last row of a block is its widest
        rows = max(1, int(np.sum(np.arange(1, widths.size + 1) * widths <= SUM_CELLS)))
        block = order[done : done + rows]
        width = int(widths[rows - 1])
        if width:
            j = np.arange(width)
            at = first[block, None] + j * step[block, None]
            inside = j < count[block, None]
            cells = np.where(inside, values[np.where(inside, at, 0)], 0.0)
            cells = np.concatenate([total[block, None], cells], axis=1)
            total[block] = np.cumsum(cells, axis=1)[:, -1]
        done += block.size
    return total


def _successors(flat: NDArray[np.int64], junction: NDArray[np.bool_]) -> NDArray[np.int64]:
    """The half-edge (``2 × edge + side`` it leaves from) after each one, -1 at a junction."""
    order = np.argsort(flat, kind="stable")
    inner = order[~junction[flat[order]]]  # two entries per shape point, side by side
    other = np.full(flat.size, -1, dtype=np.int64)
    other[inner[0::2]], other[inner[1::2]] = inner[1::2], inner[0::2]
    succ: NDArray[np.int64] = other[np.arange(flat.size) ^ 1]
    return succ


def _rank(succ: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[Any]]:
    """Steps to each walk's last half-edge and that half-edge (pointer jumping); rings."""
    jump = succ.copy()
    steps = (succ >= 0).astype(np.int64)
    last = np.where(succ >= 0, succ, np.arange(succ.size))
    live = np.flatnonzero(jump >= 0)
    while live.size:
        ahead = jump[live]
        steps[live] += steps[ahead]
        last[live] = last[ahead]
        jump[live] = jump[ahead]
        still = live[jump[live] >= 0]
        if still.size == live.size:  # only rings left: they never end
            return steps, last, still
        live = still
    return steps, last, live


def _ring_junctions(
    ends: NDArray[np.int64], junction: NDArray[np.bool_], ring: NDArray[np.int64]
) -> NDArray[np.bool_]:
    """The junction mask with the lowest node of each ring of shape points added."""
    edges = np.unique(ring // 2)
    n = junction.size
    links = sparse.coo_matrix((np.ones(edges.size), (ends[edges, 0], ends[edges, 1])), (n, n))
    _, label = connected_components(links, directed=False)
    nodes = np.unique(ends[edges])
    lowest = np.full(n, n)
    np.minimum.at(lowest, label[nodes], nodes)
    out = junction.copy()
    out[lowest[label[nodes]]] = True
    return out


def build_chains(network: RoadNetwork, *, contract: bool = True) -> Chains:
    """The chains of ``network``; with ``contract=False`` every node is a junction."""
    ends = network.edge_nodes
    flat = ends.ravel()
    junction = np.ones(network.n_nodes, dtype=bool)
    if contract:
        junction = np.bincount(flat, minlength=network.n_nodes) != 2
    steps, last, ring = _rank(_successors(flat, junction))
    if ring.size:
        junction = _ring_junctions(ends, junction, ring)
        steps, last, _ = _rank(_successors(flat, junction))
    starts = np.flatnonzero(junction[flat])
    canonical = starts[starts < (last[starts] ^ 1)]  # one of a chain's two walks
    count = steps[canonical] + 1
    ptr = np.concatenate([[0], np.cumsum(count)]).astype(np.int64)
    chain_of_last = np.full(flat.size, -1, dtype=np.int64)
    chain_of_last[last[canonical]] = np.arange(canonical.size)
    member = np.flatnonzero(chain_of_last[last] >= 0)
    c = chain_of_last[last[member]]
    half = np.empty(ends.shape[0], dtype=np.int64)
    half[ptr[c] + count[c] - 1 - steps[member]] = member
    number = np.where(junction, np.cumsum(junction) - 1, -1).astype(np.int64)
    tail, head = flat[half], flat[half ^ 1]
    return _with_arcs(
        network,
        junction=number,
        ptr=ptr,
        edge=half // 2,
        along=half % 2 == 0,
        tail=tail,
        head=head,
        start=number[tail[ptr[:-1]]],
        end=number[head[ptr[1:] - 1]],
    )


def allowed(
    network: RoadNetwork, along: NDArray[np.bool_], edge: NDArray[np.int64]
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Whether each position may be travelled forward, and backward, along its chain."""
    forward, backward = network.edge_forward[edge], network.edge_backward[edge]
    return np.where(along, forward, backward), np.where(along, backward, forward)


def _with_arcs(network: RoadNetwork, **fields: NDArray[Any]) -> Chains:
    """Chains with their through arcs: each chain direction every edge allows, not a loop."""
    ptr, edge = fields["ptr"], fields["edge"]
    count = np.diff(ptr)
    n = count.size
    chain = np.repeat(np.arange(n), count)
    ahead_ok, back_ok = allowed(network, fields["along"], edge)
    zero, up, down = np.zeros(n), np.ones(n, dtype=np.int64), -np.ones(n, dtype=np.int64)
    time, length = network.edge_time_s[edge], network.edge_length_m[edge]
    sums = [walk_sums(v, f, count, s, zero) for f, s in ((ptr[:-1], up), (ptr[1:] - 1, down))
            for v in (time, length)]  # fmt: skip
    start, end = fields["start"], fields["end"]
    fwd = (np.bincount(chain[~ahead_ok], minlength=n) == 0) & (start != end)
    bwd = (np.bincount(chain[~back_ok], minlength=n) == 0) & (start != end)
    ids = np.arange(n, dtype=np.int64)
    arcs = Arcs.of(
        np.concatenate([start[fwd], end[bwd]]),
        np.concatenate([end[fwd], start[bwd]]),
        np.concatenate([sums[0][fwd], sums[2][bwd]]),
        np.concatenate([sums[1][fwd], sums[3][bwd]]),
        np.concatenate([2 * ids[fwd], 2 * ids[bwd] + 1]),
    )
    return Chains(**fields, arcs=arcs, reverse_arcs=arcs.reversed())


def chain_arrays(chains: Chains) -> dict[str, NDArray[Any]]:
    """Every array of ``chains`` by name (``arcs.tail`` …): what a cache stores."""
    return named_arrays(chains, CHAIN_ARRAYS)


def restore_chains(arrays: Mapping[str, NDArray[Any]]) -> Chains:
    """The chains `build_chains` made, from their `chain_arrays` (e.g. mmapped)."""
    fields: dict[str, Any] = {name: arrays[name] for name in CHAIN_ARRAYS}
    fields.update(stored_arcs(arrays))
    return Chains(**fields)


_KNOWN: weakref.WeakKeyDictionary[RoadNetwork, Chains] = weakref.WeakKeyDictionary()


def remember(network: RoadNetwork, chains: Chains) -> None:
    """Use ``chains`` (built for ``network``, e.g. read from a cache) for its searches."""
    _KNOWN[network] = chains


def chains_of(network: RoadNetwork) -> Chains:
    """The chains of ``network``, built on first use and kept as long as the network."""
    found = _KNOWN.get(network)
    if found is None:
        found = _KNOWN[network] = build_chains(network)
    return found
