"""The province-scale paths give the answers of the full computations they replace.

On a jittered grid with one-way streets and a closed block: route lengths walked one
at a time equal the matrix of all lengths; times without routes, or up to a limit, equal
the full matrix where they are finite; the two-search reachability equals the matrix's
reasons; the evacuation rows stopped early keep the k cheapest shelters of the full
rows; the nearest-k placement equals the full one when k covers every shelter.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from roadnets import UTM, X0, Y0, roads, speeds
from shapely.geometry import box

from geo.errors import InputError
from geo.roads.network import build_network
from geo.roads.travel import closures, reachable, travel_matrix, travel_times
from geo.shelters.placement import assign_displaced
from geo.shelters.status import ShelterStatus
from geo.supply.plan import evacuation_cost

SIDE, BLOCK = 9, 500.0


@pytest.fixture(scope="module")
def net():
    rng = np.random.default_rng(11)
    x = BLOCK * np.arange(SIDE)[None, :] + rng.uniform(-60, 60, (SIDE, SIDE))
    y = BLOCK * np.arange(SIDE)[:, None] + rng.uniform(-60, 60, (SIDE, SIDE))
    lines, oneway = [], []
    for k in range(SIDE):
        for coords in (np.c_[x[k], y[k]], np.c_[x[:, k], y[:, k]]):
            lines.append([tuple(p) for p in coords])
            oneway.append(k % 4 == 1)
    frame = roads(*lines, oneway=oneway)
    return build_network(frame, speeds=speeds(), metric_crs=UTM)


def points(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    span = BLOCK * (SIDE - 1)
    return np.c_[X0 + rng.uniform(0, span, n), Y0 + rng.uniform(0, span, n)]


@pytest.fixture(scope="module")
def closed(net):
    block = gpd.GeoSeries([box(X0 + 1_200, Y0 + 1_200, X0 + 2_300, Y0 + 2_300)], crs=UTM)
    return closures(net, footprint=block.to_crs("EPSG:4326"))


@pytest.mark.parametrize(("n_o", "n_d"), [(3, 12), (12, 3)])
def test_one_route_length_equals_the_matrix_of_lengths(net, closed, n_o, n_d):
    m = travel_matrix(
        net,
        origins=points(n_o, 1),
        destinations=points(n_d, 2),
        snap_max_m=400,
        closed=closed,
        points_crs=UTM,
    )
    assert np.isfinite(m.durations_s).sum() > n_o * n_d // 2
    for i in range(n_o):
        for j in range(n_d):
            assert m.distance_m(i, j) == m.distances_m[i, j]  # literally the same float


@pytest.mark.parametrize("limit", [np.inf, 400.0, 150.0])
def test_times_without_routes_and_up_to_a_limit(net, closed, limit):
    o, d = points(7, 3), points(15, 4)
    full = travel_matrix(
        net, origins=o, destinations=d, snap_max_m=400, closed=closed, points_crs=UTM
    ).durations_s
    part = travel_times(
        net,
        origins=o,
        destinations=d,
        snap_max_m=400,
        closed=closed,
        points_crs=UTM,
        limit_s=limit,
    )
    within = full <= limit
    np.testing.assert_array_equal(part[within], full[within])
    assert np.isinf(part[~within]).all()


def test_limit_must_be_a_non_negative_number(net):
    with pytest.raises(InputError, match="limit_s: expected a non-negative number"):
        travel_times(
            net,
            origins=points(1, 1),
            destinations=points(1, 2),
            snap_max_m=400,
            points_crs=UTM,
            limit_s=-1.0,
        )


def test_two_searches_give_the_matrix_reasons(net, closed):
    far = np.array([[X0 - 5_000, Y0]])  # no road within reach
    inside = np.array([[X0 + 1_750, Y0 + 1_750]])  # every road near it closed
    o = np.vstack([points(5, 5), far, inside])
    d = np.vstack([points(9, 6), inside, far])
    kwargs = {
        "snap_max_m": 300,
        "closed": closed,
        "points_crs": UTM,
        "origin_label": "depot",
        "destination_label": "shelter",
    }
    m = travel_matrix(net, origins=o, destinations=d, **kwargs)
    assert reachable(net, origins=o, destinations=d, **kwargs) == (
        m.origin_reasons,
        m.destination_reasons,
    )
    assert m.origin_reasons[-2] is not None


@pytest.mark.parametrize("nearest", [1, 3, 8])
def test_evacuation_rows_stopped_early_keep_the_cheapest_shelters(net, nearest, monkeypatch):
    # limits short enough on this 4 km grid that rows stop at each of them
    monkeypatch.setattr("geo.supply.plan.EVACUATION_LIMITS_S", (40.0, 80.0, 160.0, np.inf))
    demand, shelters = points(10, 7), points(25, 8)
    eligible = np.arange(25) % 5 != 0
    to_lonlat = gpd.GeoSeries(gpd.points_from_xy(*demand.T), crs=UTM).to_crs("EPSG:4326")
    sites = gpd.GeoSeries(gpd.points_from_xy(*shelters.T), crs=UTM).to_crs("EPSG:4326")
    d_ll, s_ll = np.c_[to_lonlat.x, to_lonlat.y], np.c_[sites.x, sites.y]
    full = evacuation_cost(net, d_ll, s_ll, snap_max_m=400)
    fast = evacuation_cost(net, d_ll, s_ll, snap_max_m=400, nearest=nearest, eligible=eligible)
    penalty = np.where(eligible, 0.0, 1e6)
    for a, b in zip(full + penalty, fast + penalty, strict=True):
        k = np.argsort(a, kind="stable")[:nearest]
        np.testing.assert_array_equal(np.argsort(b, kind="stable")[:nearest], k)
        np.testing.assert_array_equal(a[k], b[k])


def status(sid: str, capacity: int) -> ShelterStatus:
    return ShelterStatus(sid, sid, "emergency", capacity, "usable", ())


def test_nearest_covering_every_shelter_is_the_full_plan():
    rng = np.random.default_rng(3)
    demand = pd.DataFrame({"county": list("AABBC"), "persons": [40, 25, 60, 10, 35]})
    cost = rng.uniform(100, 5_000, (5, 6))
    shelters = [status(f"S{j}", c) for j, c in enumerate([30, 20, 50, 10, 40, 15])]
    full = assign_displaced(demand, shelters, cost=cost)
    assert assign_displaced(demand, shelters, cost=cost, nearest=6) == full


def test_nearest_one_leaves_people_unplaced_rather_than_sending_them_farther():
    demand = pd.DataFrame({"county": ["A", "B"], "persons": [8, 6]})
    cost = np.array([[1.0, 5.0], [2.0, 3.0]])
    shelters = [status("S1", 10), status("S2", 10)]
    result = assign_displaced(demand, shelters, cost=cost, nearest=1)
    assert result.assigned == {"S1": 10, "S2": 0}
    assert result.unplaced == {"A": 0, "B": 4}


@pytest.mark.parametrize("nearest", [0, -3, True])
def test_nearest_must_be_a_positive_count(nearest):
    demand = pd.DataFrame({"county": ["A"], "persons": [1]})
    with pytest.raises(InputError, match="nearest: expected a whole number of shelters"):
        assign_displaced(demand, [status("S1", 1)], cost=[[1.0]], nearest=nearest)


def test_a_time_at_the_limit_is_kept_and_one_above_it_is_not():
    line = roads([(0, -3_000), (4_000, -3_000)])
    small = build_network(line, speeds=speeds(), metric_crs=UTM)
    o = np.array([[X0 + 100, Y0 - 3_000]])
    d = np.array([[X0 + 3_900, Y0 - 3_000]])
    for limit, expected in ((np.inf, 380.0), (380.0, 380.0), (379.9, np.inf)):
        times = travel_times(
            small, origins=o, destinations=d, snap_max_m=10, points_crs=UTM, limit_s=limit
        )
        assert times[0, 0] == expected
