"""Where points join the roads: a vertex joins its node, an edge's inside honours oneway.

Expected times are worked out by hand from the drawings (residential 10 m/s), not taken
from earlier output.
"""

from __future__ import annotations

import numpy as np
import pytest
from roadnets import UTM, X0, Y0, roads, speeds

from geo.roads.travel import RoadNetwork, build_network, route, travel_matrix

#   A (0,0) ──one-way──▶ B (1000,0) ──one-way──▶ C (2000,0)   (C is a dead end)
#                        │
#                        ▼ one-way
#                        D (1000,-500) ──one-way──▶ E (1500,-500)
#
# The B→C line is digitised first, so its edge has the lowest number at B: a point at B
# snapped to that edge alone could only leave towards C, and a point at B reached over
# it could only be reached from B itself.


def junction() -> RoadNetwork:
    frame = roads(
        [(1000, 0), (2000, 0)],
        [(0, 0), (1000, 0)],
        [(1000, 0), (1000, -500)],
        [(1000, -500), (1500, -500)],
        oneway=[True, True, True, True],
    )
    return build_network(frame, speeds=speeds(), metric_crs=UTM)


def times(net: RoadNetwork, origins: list[tuple[float, float]], dests: list[tuple[float, float]]):
    def at(points: list[tuple[float, float]]) -> np.ndarray:
        return np.array([(X0 + x, Y0 + y) for x, y in points], dtype=float)

    return travel_matrix(
        net, origins=at(origins), destinations=at(dests), snap_max_m=50.0, points_crs=UTM
    )


def test_a_point_on_a_junction_leaves_by_every_open_arc() -> None:
    m = times(junction(), [(1000, 0)], [(1500, -500), (2000, 0), (1000, -250)])
    # B→D 500 m + D→E 500 m; B→C 1000 m; half of B→D.
    assert m.durations_s[0].tolist() == pytest.approx([100.0, 100.0, 25.0], abs=1e-9)
    assert m.origins[0].node is not None
    assert m.origins[0].fraction in (0.0, 1.0)


def test_a_point_on_a_junction_is_reached_over_every_open_arc() -> None:
    m = times(junction(), [(0, 0), (500, 0)], [(1000, 0)])
    assert m.durations_s[:, 0].tolist() == pytest.approx([100.0, 50.0], abs=1e-9)
    assert m.distances_m[:, 0].tolist() == pytest.approx([1000.0, 500.0], abs=1e-9)


def test_a_point_beyond_a_segment_end_joins_the_end_node() -> None:
    # (1000, 30) projects onto B from every edge that meets there.
    m = times(junction(), [(1000, 30)], [(1000, -30), (1500, -500)])
    assert m.durations_s[0].tolist() == pytest.approx([3.0, 100.0], abs=1e-9)
    assert m.origins[0].snap_m == pytest.approx(30.0)


def test_the_same_junction_point_is_no_journey() -> None:
    m = times(junction(), [(1000, 0)], [(1000, 0)])
    assert m.durations_s.tolist() == [[0.0]]
    start = (m.origins[0].lon, m.origins[0].lat)
    assert list(route(junction(), m, 0, 0).coords) == [start, start]


@pytest.mark.parametrize(
    ("oneway", "expected"),
    [
        # Inside a two-way edge a point leaves and is reached both ways.
        (False, [40.0, 60.0, 40.0, 60.0]),
        # Inside a one-way edge it leaves only towards the head, is reached only from the tail.
        (True, [np.inf, 60.0, 40.0, np.inf]),
    ],
)
def test_inside_an_edge_oneway_decides(oneway: bool, expected: list[float]) -> None:
    # A single edge A (0,0) → B (1000,0) with stubs beyond both ends (two-way).
    frame = roads(
        [(0, 0), (1000, 0)],
        [(-100, 0), (0, 0)],
        [(1000, 0), (1100, 0)],
        oneway=[oneway, False, False],
    )
    net = build_network(frame, speeds=speeds(), metric_crs=UTM)
    # A point at 400 m: to the far side of A's stub (leave backwards), to B's stub
    # (leave forwards), from A's stub (arrive from the tail), from B's stub (from the head).
    to = times(net, [(400, 0)], [(-100, 0), (1100, 0)]).durations_s[0]
    back = times(net, [(-100, 0), (1100, 0)], [(400, 0)]).durations_s[:, 0]
    got = [to[0] - 10.0, to[1] - 10.0, back[0] - 10.0, back[1] - 10.0]
    assert got == pytest.approx(expected, abs=1e-9)
