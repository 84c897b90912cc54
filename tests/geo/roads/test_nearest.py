"""Rows to the nearest destinations, each point searched from its group's level on.

On the winding network of `test_chains` (one-way roads both ways, a ring, a loop, a dead
end, points on shape points and on one chain): the rows are those of the ladder they
replace (every point searched at the first limit, those short at the next …, each step
one `travel_times`), however the points are grouped: the same rows cut at the same
limits, each time the same but for the last bits (a step searches from the junctions
its points share or from each point, `geo.roads._times`, and adds the same times in
another order); and, up to each row's own limit, they are the times networkx finds over
every edge.
"""

from __future__ import annotations

import numpy as np
import pytest
from roadnets import UTM
from test_chains import points, reference, winding_network

from geo.roads import nearest as nearest_code
from geo.roads._dijkstra import attach, way_of
from geo.roads._times import Way
from geo.roads.chains import build_chains
from geo.roads.nearest import nearest_times
from geo.roads.travel import travel_matrix, travel_times

LIMITS = (60.0, 120.0, 240.0, np.inf)


def ladder(net, origins, destinations, wanted, nearest):
    """The ladder as the evacuation searches ran it, one `travel_times` per step."""
    cost = np.full((len(origins), len(destinations)), np.inf)
    todo = np.arange(len(origins))
    for limit in LIMITS:
        part = travel_times(
            net, origins=origins[todo], destinations=destinations, snap_max_m=300.0,
            points_crs=UTM, limit_s=limit,
        )  # fmt: skip
        cost[todo] = part
        todo = todo[np.isfinite(part[:, wanted]).sum(axis=1) < nearest]
        if not todo.size:
            break
    return cost


def apart(rng: np.random.Generator, net, n: int) -> np.ndarray:
    """``n`` points on distinct chains, one in the middle of an edge of each (x/y)."""
    chains = build_chains(net)
    picked = rng.choice(chains.ptr.size - 1, n, replace=False)
    edge = chains.edge[(chains.ptr[picked] + chains.ptr[picked + 1]) // 2]
    return net.node_xy[net.edge_nodes[edge]].mean(axis=1)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("nearest", [1, 4, 9])
@pytest.mark.parametrize("group", [1, 5, 1000])
@pytest.mark.parametrize("kind", ["forward", "reverse", "apart"])
def test_rows_are_the_ladder_rows(monkeypatch, seed, nearest, group, kind):
    """Forward and reverse: the points share junctions, and each step searches from them.

    Apart (on distinct chains, fewer than their junctions): one virtual node per point,
    each searched from its group's level on (`start_levels`, however grouped).
    """
    monkeypatch.setattr(nearest_code, "GROUP_POINTS", group)
    rng = np.random.default_rng(seed)
    net = winding_network(rng)
    sizes = {"forward": (20, 30), "reverse": (30, 12), "apart": (0, 30)}[kind]
    origins, destinations = points(rng, net, sizes[0]), points(rng, net, sizes[1])
    if kind == "apart":
        origins = apart(rng, net, 7)
    snaps = attach(net, origins, destinations, snap_max_m=300.0, closed=None, points_crs=UTM)
    assert way_of(snaps) == Way(kind == "reverse", from_junctions=kind != "apart")
    wanted = rng.random(len(destinations)) < 0.8
    want = ladder(net, origins, destinations, wanted, nearest)
    got = nearest_times(
        net, origins=origins, destinations=destinations, snap_max_m=300.0, limits=LIMITS,
        wanted=wanted, nearest=nearest, points_crs=UTM,
    )  # fmt: skip
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(want))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    assert np.isfinite(want).any()


@pytest.mark.parametrize("seed", [3, 4])
def test_rows_are_the_networkx_times_up_to_their_own_limit(seed):
    rng = np.random.default_rng(seed)
    net = winding_network(rng)
    origins, destinations = points(rng, net, 25), points(rng, net, 20)
    wanted = np.ones(len(destinations), dtype=bool)
    got = nearest_times(
        net, origins=origins, destinations=destinations, snap_max_m=300.0, limits=LIMITS,
        wanted=wanted, nearest=5, points_crs=UTM,
    )  # fmt: skip
    m = travel_matrix(
        net, origins=origins, destinations=destinations, snap_max_m=300.0, points_crs=UTM
    )
    times, _ = reference(net, np.zeros(net.n_edges, dtype=bool), m)
    # each row's own limit: the first within which networkx reaches five destinations
    counts = np.stack([(times <= limit).sum(axis=1) for limit in LIMITS], axis=1)
    own = np.array(LIMITS)[np.argmax(np.c_[counts[:, :-1] >= 5, np.ones(len(times), bool)], 1)]
    expected = np.where(times <= own[:, None], times, np.inf)
    assert np.array_equal(np.isfinite(got), np.isfinite(expected))
    ok = np.isfinite(expected)
    assert len(set(own.tolist())) > 1  # rows stop at more than one limit
    assert ok.sum() > 20
    np.testing.assert_allclose(got[ok], expected[ok], rtol=1e-9, atol=1e-6)
