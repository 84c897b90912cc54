"""Times without routes, searched from the junctions points share or from each point.

On the winding network of `test_chains`, with closed edges: many points crowd onto a few
chains (they leave by fewer junctions than there are points) and others are scattered.
Either way of searching (`geo.roads._times.Way`), forward or from the destinations, with
or without a limit, gives networkx's times over every edge; the two ways agree but for
the last bits; and a point's times do not depend, to the bit, on which other points are
searched with it, the property the evacuation ladder's steps rely on.
"""

from __future__ import annotations

import numpy as np
import pytest
from roadnets import UTM, X0, Y0
from test_chains import points, reference, winding_network

from geo.roads._dijkstra import attach, times_between, way_of
from geo.roads._times import Way
from geo.roads.travel import limited_times, travel_matrix

LIMIT_S = 150.0


def crowded(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` points within 40 m of two chains (y ≈ 2000 and x ≈ 3000, between junctions)."""
    along = rng.uniform(1050, 1950, n)
    side = rng.uniform(-40, 40, n)
    first = np.c_[X0 + along, Y0 + 2000 + side]
    second = np.c_[X0 + 3000 + side, Y0 + along + 1000]
    return np.where((np.arange(n) % 2 == 0)[:, None], first, second)


def setting(seed: int, reverse: bool):
    rng = np.random.default_rng(seed)
    net = winding_network(rng)
    closed = rng.random(net.n_edges) < 0.03
    # The crowd is the smaller side, which is searched: from the destinations if reverse.
    crowd = np.concatenate([crowded(rng, 40), points(rng, net, 4)])
    others = points(rng, net, 100)
    origins, destinations = (others, crowd) if reverse else (crowd, others)
    snaps = attach(net, origins, destinations, snap_max_m=300.0, closed=closed, points_crs=UTM)
    m = travel_matrix(
        net, origins=origins, destinations=destinations, snap_max_m=300.0, closed=closed,
        points_crs=UTM,
    )  # fmt: skip
    times, _ = reference(net, closed, m)
    return net, snaps, times


@pytest.mark.parametrize("seed", [5, 6])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("limit", [np.inf, LIMIT_S])
def test_both_ways_give_the_networkx_times(seed, reverse, limit):
    net, snaps, times = setting(seed, reverse)
    assert snaps.reverse == reverse
    assert way_of(snaps) == Way(reverse, from_junctions=True)  # the crowd shares junctions
    want = np.where(times <= limit, times, np.inf)
    ok = np.isfinite(want)
    assert ok.sum() > 40
    assert (~ok).sum() > 0
    got = {}
    for shared in (True, False):
        got[shared] = limited_times(net, snaps, limit, Way(reverse, from_junctions=shared))
        assert np.array_equal(np.isfinite(got[shared]), ok)
        np.testing.assert_allclose(got[shared][ok], want[ok], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(got[True][ok], got[False][ok], rtol=1e-12, atol=0)


@pytest.mark.parametrize("shared", [True, False])
def test_a_points_times_do_not_depend_on_the_others(shared):
    _, snaps, _ = setting(7, reverse=False)
    way = Way(reverse=False, from_junctions=shared)
    whole = times_between(snaps, LIMIT_S, way)
    for rows in (np.arange(0, 44, 3), np.array([1]), np.arange(20, 44)):
        part = snaps.of_origins(rows)  # as a step of the evacuation ladder takes them
        np.testing.assert_array_equal(times_between(part, LIMIT_S, way), whole[rows])
