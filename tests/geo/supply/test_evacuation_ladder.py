"""Evacuation searches stopped early place everybody where the whole-graph search does.

`geo.supply.plan.evacuation_cost` stops each point's search at the first limit of
`EVACUATION_LIMITS_S` within which it reaches the wanted number of eligible shelters.
Whatever the ladder (any increasing limits, then none), the placement restricted to the
nearest shelters (`geo.shelters.placement.assign_displaced`) must be the one made from
the whole-graph matrix (every time exact), on random grids with one-way streets.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from roadnets import UTM, X0, Y0, roads, speeds

from geo.roads.network import build_network
from geo.shelters.placement import assign_displaced
from geo.shelters.status import ShelterStatus
from geo.supply.plan import evacuation_cost

SIDE, BLOCK = 6, 400.0
#: Unsupplied shelters are penalised as `geo.assessment` does: far above any limit.
PENALTY = 1.0e6


def grid(seed: int, oneway: list[bool]):
    rng = np.random.default_rng(seed)
    x = BLOCK * np.arange(SIDE)[None, :] + rng.uniform(-50, 50, (SIDE, SIDE))
    y = BLOCK * np.arange(SIDE)[:, None] + rng.uniform(-50, 50, (SIDE, SIDE))
    lines = []
    for k in range(SIDE):
        lines += [
            [tuple(p) for p in np.c_[x[k], y[k]]],
            [tuple(p) for p in np.c_[x[:, k], y[:, k]]],
        ]
    return build_network(roads(*lines, oneway=oneway), speeds=speeds(), metric_crs=UTM)


def lonlat(rng: np.random.Generator, n: int) -> np.ndarray:
    span = BLOCK * (SIDE - 1)
    xy = gpd.GeoSeries(
        gpd.points_from_xy(X0 + rng.uniform(0, span, n), Y0 + rng.uniform(0, span, n)), crs=UTM
    ).to_crs("EPSG:4326")
    return np.c_[xy.x, xy.y]


def placements(seed: int, oneway: list[bool], ladder: tuple[float, ...], nearest: int):
    """The whole-graph and the early-stopped matrices, and the placement made from each."""
    net = grid(seed, oneway)
    rng = np.random.default_rng(seed)
    demand, sites = lonlat(rng, 12), lonlat(rng, 15)
    statuses = [
        ShelterStatus(f"s{j}", f"s{j}", "school", int(rng.integers(0, 40)), "usable", ())
        for j in range(len(sites))
    ]
    supplied = rng.random(len(sites)) > 0.2
    penalty = np.where(supplied, 0.0, PENALTY)
    eligible = supplied & np.array([s.capacity > 0 for s in statuses])
    frame = pd.DataFrame({"county": "c", "persons": rng.integers(1, 30, len(demand))})
    whole = evacuation_cost(net, demand, sites, snap_max_m=400.0)  # every time exact
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("geo.supply.plan.EVACUATION_LIMITS_S", ladder)
        early = evacuation_cost(
            net, demand, sites, snap_max_m=400.0, nearest=nearest, eligible=eligible
        )
    want = assign_displaced(frame, statuses, cost=whole + penalty, nearest=nearest)
    got = assign_displaced(frame, statuses, cost=early + penalty, nearest=nearest)
    return whole, early, want, got


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    oneway=st.lists(st.booleans(), min_size=2 * SIDE, max_size=2 * SIDE),
    steps=st.lists(st.floats(5.0, 200.0), min_size=1, max_size=5),
    nearest=st.integers(1, 6),
)
def test_any_ladder_places_as_the_whole_graph_search(seed, oneway, steps, nearest):
    ladder = (*np.cumsum(steps).tolist(), np.inf)
    _, _, want, got = placements(seed, oneway, ladder, nearest)
    assert got == want


@pytest.mark.parametrize("seed", [3, 8, 21])
def test_rows_stopped_early_still_place_as_the_whole_graph(seed):
    ladder = (40.0, 80.0, 160.0, 320.0, np.inf)
    whole, early, want, got = placements(seed, [k % 3 == 1 for k in range(2 * SIDE)], ladder, 3)
    assert np.isinf(early).sum() > np.isinf(whole).sum() + 10  # many times left unsearched
    assert want.flows
    assert got == want
