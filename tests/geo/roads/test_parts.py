"""Which nodes reach which, over strongly connected parts, against networkx's paths.

Random sparse directed graphs (many parts: one-way arcs, isolated nodes, cycles): a node
set reaches exactly the nodes networkx finds a path to from one of them, and, reversed,
is reached from exactly those with a path to one of them.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from scipy import sparse

from geo.roads._graph import Parts


def random_graph(rng: np.random.Generator, n: int, arcs: int) -> sparse.csr_matrix:
    tail, head = rng.integers(0, n, arcs), rng.integers(0, n, arcs)
    keep = tail != head
    time = rng.uniform(1.0, 60.0, int(keep.sum()))
    return sparse.csr_matrix((time, (tail[keep], head[keep])), shape=(n, n))


@pytest.mark.parametrize("seed", range(6))
def test_parts_reach_what_networkx_paths_reach(seed):
    rng = np.random.default_rng(seed)
    graph = random_graph(rng, 60, 90)
    g = nx.DiGraph()
    g.add_nodes_from(range(60))
    g.add_edges_from(zip(*graph.nonzero(), strict=True))
    parts = Parts.of(graph)
    assert parts.dag.shape[0] > 5  # many parts
    sources = rng.choice(60, 4, replace=False)
    forward = set().union(*(nx.descendants(g, int(s)) | {int(s)} for s in sources))
    backward = set().union(*(nx.ancestors(g, int(s)) | {int(s)} for s in sources))
    reached = parts.reached(sources, reverse=False)[parts.label]
    reaching = parts.reached(sources, reverse=True)[parts.label]
    assert set(np.flatnonzero(reached).tolist()) == forward
    assert set(np.flatnonzero(reaching).tolist()) == backward


def test_no_source_reaches_nothing():
    parts = Parts.of(random_graph(np.random.default_rng(0), 10, 20))
    assert not parts.reached(np.zeros(0, dtype=np.int64), reverse=False).any()
