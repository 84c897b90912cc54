"""Searches over contracted chains against networkx on the whole (uncontracted) edge list.

The network winds: every road has a shape point each 100 m, so most nodes lie inside
chains; one-way roads (both ways), a one-way direction change and a class change inside a
chain, a loop from a junction back to itself, a ring with no junction, parallel roads and
a dead end. Random edges are closed, most of them inside chains. Points fall at random,
on shape points, and several on one chain.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
from roadnets import UTM, X0, Y0, roads, speeds

from geo.roads.chains import build_chains
from geo.roads.travel import (
    Attachment,
    RoadNetwork,
    TravelMatrix,
    build_network,
    reachable,
    route,
    travel_matrix,
    travel_times,
)

SPAN, BLOCK, STEP = 4000, 1000, 100


def _line(rng: np.random.Generator, k: int, *, across: bool) -> list[tuple[float, float]]:
    along = np.arange(0, SPAN + 1, STEP, dtype=float)
    wobble = np.where(along % BLOCK == 0, 0.0, rng.uniform(-30, 30, along.size))
    at = k * BLOCK + wobble
    return list(zip(at, along, strict=True)) if across else list(zip(along, at, strict=True))


def winding_network(rng: np.random.Generator) -> RoadNetwork:
    lines, oneway, highway = [], [], []
    for k in range(5):
        for across in (False, True):
            line = _line(rng, k, across=across)
            if k == 2 and not across:  # split at a shape point: the chain changes class, way
                lines += [line[:16], line[15:]]
                oneway += ["yes", "-1"]
                highway += ["primary", "residential"]
                continue
            lines.append(line)
            oneway.append(["no", "yes", "no", "-1", "no"][(k + 2 * across) % 5])
            highway.append("primary" if k % 2 else "residential")
    extra = [
        [(0, 0), (-300, 100), (-500, -100), (-200, -300), (0, 0)],  # loop back to a junction
        [(6000, 0), (6300, 100), (6500, -200), (6200, -400), (6000, 0)],  # ring, no junction
        [(0, 0), (300, -150), (700, -150), (1000, 0)],  # parallel to the first block
        [(2000, 2000), (2200, 2300), (2500, 2400)],  # dead end
    ]
    lines += extra
    oneway += ["no", "yes", "no", "no"]
    highway += ["residential"] * len(extra)
    frame = roads(*lines, oneway=oneway, highway=highway)
    return build_network(frame, speeds=speeds(), metric_crs=UTM)


def points(rng: np.random.Generator, net: RoadNetwork, n: int) -> np.ndarray:
    """Random points, shape points and points along one chain (y ≈ 1000, 1000 < x < 2000)."""
    scattered = rng.uniform(-800, SPAN + 800, (n, 2)) + np.array([X0, Y0])
    degree = np.bincount(net.edge_nodes.ravel(), minlength=net.n_nodes)
    shape = net.node_xy[rng.choice(np.flatnonzero(degree == 2), 4, replace=False)]
    on_chain = np.c_[X0 + rng.uniform(1050, 1950, 4), Y0 + 1000 + rng.uniform(-50, 50, 4)]
    return np.concatenate([scattered, shape, on_chain])


class Reference:
    """A networkx DiGraph of every open edge (the fastest of parallel arcs) plus the points."""

    def __init__(self, net: RoadNetwork, closed: np.ndarray) -> None:
        self.net, self.g = net, nx.DiGraph()
        for e, (a, b) in enumerate(net.edge_nodes.tolist()):
            if closed[e]:
                continue
            if net.edge_forward[e]:
                self.arc(a, b, e, 1.0)
            if net.edge_backward[e]:
                self.arc(b, a, e, 1.0)

    def arc(self, u: object, v: object, e: int, share: float) -> None:
        time, length = share * self.net.edge_time_s[e], share * self.net.edge_length_m[e]
        if not self.g.has_edge(u, v) or self.g[u][v]["weight"] > time:
            self.g.add_edge(u, v, weight=float(time), length=float(length))

    def attach(self, key: tuple[str, int], p: Attachment, *, leaving: bool) -> None:
        """Arcs from an origin to the ends of its edge, or into a destination from them."""
        if p.node is not None:
            self.g.add_edge(*((key, p.node) if leaving else (p.node, key)), weight=0.0, length=0.0)
            return
        e, f = p.edge, p.fraction
        a, b = self.net.edge_nodes[e].tolist()
        forward, backward = self.net.edge_forward[e], self.net.edge_backward[e]
        if forward:
            self.arc(*((key, b) if leaving else (a, key)), e, 1 - f if leaving else f)
        if backward:
            self.arc(*((key, a) if leaving else (b, key)), e, f if leaving else 1 - f)

    def same_edge(self, i: int, o: Attachment, j: int, d: Attachment) -> None:
        """Both inside one edge: straight along it, where its direction allows."""
        if o.edge != d.edge or (o.node is not None and d.node is not None):
            return
        ahead = d.fraction - o.fraction
        if self.net.edge_forward[o.edge] if ahead >= 0 else self.net.edge_backward[o.edge]:
            self.arc(("o", i), ("d", j), o.edge, abs(ahead))

    def solve(self, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        times, lengths = np.full(shape, np.inf), np.full(shape, np.inf)
        for i in range(shape[0]):
            if ("o", i) not in self.g:
                continue
            found, paths = nx.single_source_dijkstra(self.g, ("o", i), weight="weight")
            for j in range(shape[1]):
                if ("d", j) in found:
                    times[i, j] = found[("d", j)]
                    hops = itertools.pairwise(paths[("d", j)])
                    lengths[i, j] = sum(self.g[u][v]["length"] for u, v in hops)
        return times, lengths


def reference(
    net: RoadNetwork, closed: np.ndarray, m: TravelMatrix
) -> tuple[np.ndarray, np.ndarray]:
    """networkx times and path lengths over every open edge, points attached as snapped."""
    ref = Reference(net, closed)
    for i, o in enumerate(m.origins):
        if o.attached:
            ref.attach(("o", i), o, leaving=True)
    for j, d in enumerate(m.destinations):
        if d.attached:
            ref.attach(("d", j), d, leaving=False)
    for i, o in enumerate(m.origins):
        for j, d in enumerate(m.destinations):
            if o.attached and d.attached:
                ref.same_edge(i, o, j, d)
    return ref.solve(m.durations_s.shape)


def metric_length(line: object) -> float:
    return float(gpd.GeoSeries([line], crs="EPSG:4326").to_crs(UTM).length.iloc[0])


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("sizes", [(6, 30), (30, 6)])  # forward and reverse searches
def test_times_lengths_and_routes_match_networkx(seed: int, sizes: tuple[int, int]) -> None:
    rng = np.random.default_rng(seed)
    net = winding_network(rng)
    closed = rng.random(net.n_edges) < 0.03
    origins, destinations = points(rng, net, sizes[0]), points(rng, net, sizes[1])
    m = travel_matrix(
        net, origins=origins, destinations=destinations, snap_max_m=300.0, closed=closed,
        points_crs=UTM,
    )  # fmt: skip
    times, lengths = reference(net, closed, m)
    assert np.array_equal(np.isfinite(m.durations_s), np.isfinite(times))
    ok = np.isfinite(times)
    assert ok.sum() > 0.2 * ok.size
    np.testing.assert_allclose(m.durations_s[ok], times[ok], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(m.distances_m[ok], lengths[ok], rtol=1e-9, atol=1e-6)
    i, j = np.nonzero(ok)
    batch, lines = m.ways(i, j)
    np.testing.assert_allclose(batch, lengths[ok], rtol=1e-9, atol=1e-6)
    for a, b, line in list(zip(i.tolist(), j.tolist(), lines, strict=True))[::7]:
        assert m.distance_m(a, b) == pytest.approx(lengths[a, b], rel=1e-9, abs=1e-6)
        single = route(net, m, a, b)
        assert single.equals_exact(line, 0.0)
        assert metric_length(single) == pytest.approx(lengths[a, b], rel=1e-6, abs=1e-3)
    limited = travel_times(
        net, origins=origins, destinations=destinations, snap_max_m=300.0, closed=closed,
        points_crs=UTM, limit_s=200.0,
    )  # fmt: skip
    within = times <= 200.0
    np.testing.assert_allclose(limited[within], times[within], rtol=1e-9, atol=1e-6)
    assert np.isinf(limited[~within]).all()
    o_why, d_why = reachable(
        net, origins=origins, destinations=destinations, snap_max_m=300.0, closed=closed,
        points_crs=UTM,
    )  # fmt: skip
    assert [w is None for w in o_why] == ok.any(axis=1).tolist()
    assert [w is None for w in d_why] == ok.any(axis=0).tolist()


def test_chains_cover_every_edge_once_between_junctions() -> None:
    net = winding_network(np.random.default_rng(4))
    chains = build_chains(net)
    degree = np.bincount(net.edge_nodes.ravel(), minlength=net.n_nodes)
    assert np.array_equal(np.sort(chains.edge), np.arange(net.n_edges))
    inner = np.diff(chains.chain) == 0
    assert np.array_equal(chains.head[:-1][inner], chains.tail[1:][inner])
    assert (degree[chains.head[:-1][inner]] == 2).all()
    assert (chains.junction[chains.head[:-1][inner]] < 0).all()
    # every node of degree other than 2 is a junction, and the ring got one of its own
    assert (chains.junction[degree != 2] >= 0).all()
    assert chains.n_junctions == int((degree != 2).sum()) + 1
    assert chains.n_junctions < net.n_nodes / 4
