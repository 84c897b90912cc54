"""The open junction graph under closures, made from the kept graph of every arc.

Against the graph made directly from the open arcs (each (tail, head) pair's fastest
open arc, in the arcs' order), on the winding network of `test_chains` with parallel
roads, where closing a pair's fastest arc must bring in the next one: the same CSR,
array for array, for random closures, none and all.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_chains import winding_network

from geo.roads._graph import junction_graph
from geo.roads.chains import build_chains


def direct(arcs, closed: np.ndarray, n: int):
    """Each pair's fastest open arc, rows in tail order (the definition)."""
    rows = {}
    for k in range(arcs.tail.size):
        if closed[arcs.edge[k]]:
            continue
        pair = (int(arcs.tail[k]), int(arcs.head[k]))
        if pair not in rows or arcs.time_s[k] < arcs.time_s[rows[pair]]:
            rows[pair] = k
    chosen = [rows[p] for p in sorted(rows)]
    counts = np.bincount([p[0] for p in sorted(rows)], minlength=n)
    return np.r_[0, np.cumsum(counts)], arcs.head[chosen], arcs.time_s[chosen], arcs.edge[chosen]


@pytest.mark.parametrize("share", [0.0, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("reverse", [False, True])
def test_closed_graph_is_the_direct_build(share, reverse):
    rng = np.random.default_rng(int(share * 10) + reverse)
    chains = build_chains(winding_network(rng))
    arcs = chains.reverse_arcs if reverse else chains.arcs
    # Parallel chains between the same junctions: some pair has more than one arc.
    pairs = arcs.tail.astype(np.int64) * chains.n_junctions + arcs.head
    assert np.unique(pairs).size < pairs.size
    closed = rng.random(2 * (chains.ptr.size - 1)) < share
    got = junction_graph(arcs, closed, chains.n_junctions)
    want = direct(arcs, closed, chains.n_junctions)
    for ours, theirs in zip((got.indptr, got.head, got.time_s, got.code), want, strict=True):
        np.testing.assert_array_equal(ours, theirs)
