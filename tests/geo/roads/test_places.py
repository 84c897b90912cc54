"""Pairs found by sorting equal the dense equality; chain costs with and without closures."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from roadnets import UTM, roads, speeds

from geo.roads.chains import build_chains
from geo.roads.network import build_network
from geo.roads.places import costs, matching

keys = st.lists(st.integers(-2, 6), max_size=30).map(lambda k: np.array(k, dtype=np.int64))


@settings(max_examples=200, deadline=None)
@given(a=keys, b=keys)
def test_matching_lists_the_pairs_of_the_dense_equality_in_its_order(a, b):
    i, j = matching(a, b)
    want_i, want_j = np.nonzero((a[:, None] == b[None, :]) & (a >= 0)[:, None])
    np.testing.assert_array_equal(i, want_i)
    np.testing.assert_array_equal(j, want_j)


def test_closures_put_inf_in_and_leave_the_open_times_alone():
    # a chain of three edges (residential, 10 m/s), the middle one one-way
    frame = roads(
        [(0, 0), (100, 0)], [(100, 0), (300, 0)], [(300, 0), (600, 0)], oneway=[False, True, False]
    )
    net = build_network(frame, speeds=speeds(), metric_crs=UTM)
    chains = build_chains(net)
    nothing = np.zeros(net.n_edges, dtype=bool)
    first = costs(net, chains, nothing).copy()
    order = np.argsort(net.edge_length_m[chains.edge])  # positions by edge: 100, 200, 300 m
    half = chains.edge.size
    np.testing.assert_allclose(first[:half][order], [10.0, 20.0, 30.0])
    assert np.isinf(first[half:][order]).tolist() == [False, True, False]  # one-way: no way back
    middle = np.argsort(net.edge_length_m)[1]
    shut = nothing.copy()
    shut[middle] = True
    closed = costs(net, chains, shut)
    gone = np.r_[chains.edge, chains.edge] == middle
    assert np.isinf(closed[gone]).all()
    np.testing.assert_array_equal(closed[~gone], first[~gone])
    np.testing.assert_array_equal(costs(net, chains, nothing), first)  # asked again: unchanged
