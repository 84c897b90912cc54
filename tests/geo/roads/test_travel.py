"""Closures, the travel-time matrix and routes on tiny exact networks (UTM 49N, metres)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from roadnets import UTM, X0, Y0, roads, speeds
from shapely.geometry import LineString, Point, box
from shapely.ops import unary_union

from geo import reasons
from geo.errors import GeometryError, InputError
from geo.reasons import Reason
from geo.roads.closures import FOOTPRINT as CROSSES
from geo.roads.travel import (
    RoadNetwork,
    TravelMatrix,
    build_network,
    closures,
    route,
    travel_matrix,
)


def xy(*points: tuple[float, float]) -> np.ndarray:
    return np.array([(X0 + x, Y0 + y) for x, y in points], dtype=float)


def metric_length(line: LineString) -> float:
    return float(gpd.GeoSeries([line], crs="EPSG:4326").to_crs(UTM).length.iloc[0])


def matrix(
    net: RoadNetwork, origins: np.ndarray, destinations: np.ndarray, **options: object
) -> TravelMatrix:
    options.setdefault("snap_max_m", 300.0)
    return travel_matrix(net, origins=origins, destinations=destinations, points_crs=UTM, **options)


# ---------------------------------------------------------------- the detour network
#
#   (0,3000) ───── detour, residential 10 m/s ───── (4000,3000)
#      │                                                │
#   D1 (0,0) ─ direct 20 m/s ─ D2 (2000,0) ─ S1 (4000,0) ─ spur ─ (6000,0) ─ (7000,0) ─ S2 (8000,0)
#             [ footprint 1500–2500 ]                       [ footprint 5500–6500 ]

FOOTPRINT = unary_union(
    [box(X0 + 1500, Y0 - 500, X0 + 2500, Y0 + 500), box(X0 + 5500, Y0 - 500, X0 + 6500, Y0 + 500)]
)
DEPOTS = xy((0, 0), (2000, 0))
SHELTERS = xy((4000, 0), (8000, 0), (9000, 5000))


def detour_network() -> RoadNetwork:
    frame = roads(
        [(0, 0), (2000, 0), (4000, 0)],
        [(0, 0), (0, 3000), (4000, 3000), (4000, 0)],
        [(4000, 0), (6000, 0), (7000, 0), (8000, 0)],
        highway=["primary", "residential", "residential"],
        id=["direct", "detour", "spur"],
    )
    return build_network(frame, speeds=speeds(), metric_crs=UTM)


def footprint() -> gpd.GeoSeries:
    return gpd.GeoSeries([FOOTPRINT], crs=UTM)


def test_open_network_takes_the_direct_road() -> None:
    m = matrix(detour_network(), DEPOTS, SHELTERS)
    assert m.durations_s[0, :2].tolist() == [200.0, 600.0]
    assert m.distances_m[0, :2].tolist() == [4000.0, 8000.0]


def test_closures_name_the_roads_and_why() -> None:
    closed = closures(detour_network(), footprint=footprint())
    assert closed.count == 4
    assert [(r.road_id, r.edges, r.reasons) for r in closed.roads] == [
        ("direct", 2, ("crosses the footprint",)),
        ("spur", 2, ("crosses the footprint",)),
    ]


def test_route_takes_the_detour_and_never_crosses_the_footprint() -> None:
    net = detour_network()
    m = matrix(net, DEPOTS, SHELTERS, closed=closures(net, footprint=footprint()))
    assert m.durations_s[0, 0] == 1000.0
    assert m.distances_m[0, 0] == 10000.0
    path = route(net, m, 0, 0)
    in_metres = gpd.GeoSeries([path], crs="EPSG:4326").to_crs(UTM).iloc[0]
    assert in_metres.intersects(FOOTPRINT) is False
    assert in_metres.length == pytest.approx(10000.0, abs=1e-3)


def test_shelter_reachable_only_through_the_footprint_is_unreachable() -> None:
    net = detour_network()
    m = matrix(
        net, DEPOTS, SHELTERS, closed=closures(net, footprint=footprint()), origin_label="depot"
    )
    assert np.isinf(m.durations_s[:, 1]).all()
    assert m.destinations[1].attached
    assert m.destination_reasons == (
        None,
        Reason(reasons.NO_PATH_FROM_ANY_DEPOT),
        Reason(reasons.NO_ROAD_NEAR, metres=300.0),
    )
    with pytest.raises(InputError, match=reasons.NO_PATH_FROM_ANY_DEPOT):
        route(net, m, 0, 1)


def test_depot_whose_roads_are_all_closed_reaches_nothing() -> None:
    net = detour_network()
    m = matrix(net, DEPOTS, SHELTERS, closed=closures(net, footprint=footprint()))
    assert np.isinf(m.durations_s[1]).all()
    assert not m.origins[1].attached
    assert m.origins[1].reason == Reason(reasons.ROADS_NEAR_CLOSED, metres=300.0)
    assert m.origin_reasons[1] == Reason(reasons.ROADS_NEAR_CLOSED, metres=300.0)


def test_hazard_zones_of_closing_kinds_close_roads() -> None:
    net = detour_network()
    zones = gpd.GeoDataFrame(
        {"id": ["H1", "H2"], "kind": ["landslide", "fault"], "risk": ["high", "high"]},
        geometry=[
            box(X0 + 1900, Y0 + 2900, X0 + 2100, Y0 + 3100),
            box(X0 + 3900, Y0 + 1000, X0 + 4100, Y0 + 1200),
        ],
        crs=UTM,
    )
    closed = closures(net, footprint=footprint(), hazard_zones=zones, closing_kinds=["landslide"])
    assert [(r.road_id, r.reasons) for r in closed.roads][1] == (
        "detour",
        ("hazard zone H1 (landslide)",),
    )
    assert np.isinf(matrix(net, DEPOTS, SHELTERS, closed=closed).durations_s).all()


def test_a_road_closed_by_the_footprint_and_a_zone_gives_both_reasons_footprint_first() -> None:
    net = detour_network()
    everywhere = gpd.GeoDataFrame(
        {"id": ["Z1", "Z2"], "kind": ["landslide", "landslide"], "risk": ["high", "low"]},
        geometry=[box(X0 - 10_000, Y0 - 10_000, X0 + 10_000, Y0 + 10_000)] * 2,
        crs=UTM,
    )
    by_footprint = {r.road_id for r in closures(net, footprint=footprint()).roads}
    closed = closures(
        net, footprint=footprint(), hazard_zones=everywhere, closing_kinds=["landslide"]
    )
    zones = ("hazard zone Z1 (landslide)", "hazard zone Z2 (landslide)")
    assert by_footprint
    assert [(r.road_id, r.reasons) for r in closed.roads] == [
        (road, (CROSSES, *zones) if road in by_footprint else zones) for road in net.road_ids
    ]


def test_projection_onto_the_edge_gives_partial_lengths() -> None:
    net = build_network(
        roads([(0, 0), (1000, 0)], [(1000, 0), (1000, 1000)]), speeds=speeds(), metric_crs=UTM
    )
    m = matrix(net, xy((300, 50)), xy((800, -20), (1050, 600)))
    start = m.origins[0]
    assert (start.edge, start.road_id, start.fraction) == (0, "0", pytest.approx(0.3))
    assert start.snap_m == pytest.approx(50.0)
    assert m.destinations[1].fraction == pytest.approx(0.6)
    assert m.durations_s[0].tolist() == pytest.approx([50.0, 130.0])
    assert m.distances_m[0].tolist() == pytest.approx([500.0, 1300.0])
    assert metric_length(route(net, m, 0, 0)) == pytest.approx(500.0, abs=1e-3)
    assert metric_length(route(net, m, 0, 1)) == pytest.approx(1300.0, abs=1e-3)


def test_oneway_is_honoured() -> None:
    one_way = roads([(0, 0), (1000, 0)], oneway=[True])
    net = build_network(one_way, speeds=speeds(), metric_crs=UTM)
    m = matrix(net, xy((200, 0), (800, 0)), xy((800, 0), (200, 0)))
    assert m.durations_s.ravel().tolist() == pytest.approx([60.0, 0.0, 0.0, np.inf])
    looped = roads(
        [(0, 0), (1000, 0)], [(1000, 0), (1000, 1000), (0, 1000), (0, 0)], oneway=[True, False]
    )
    net = build_network(looped, speeds=speeds(), metric_crs=UTM)
    m = matrix(net, xy((800, 0)), xy((200, 0)))
    assert m.durations_s[0, 0] == pytest.approx(340.0)
    assert metric_length(route(net, m, 0, 0)) == pytest.approx(3400.0, abs=1e-3)


def test_a_bridge_without_a_shared_vertex_does_not_connect() -> None:
    net = build_network(
        roads([(0, 0), (2000, 0)], [(1000, -1000), (1000, 1000)]), speeds=speeds(), metric_crs=UTM
    )
    m = matrix(net, xy((0, 0)), xy((1000, 1000)))
    assert np.isinf(m.durations_s[0, 0])
    assert m.destination_reasons == (Reason(reasons.NO_PATH_FROM_ANY_ORIGIN),)


def test_lonlat_points_are_the_default() -> None:
    net = detour_network()
    lonlat = gpd.GeoSeries([Point(p) for p in DEPOTS], crs=UTM).to_crs("EPSG:4326")
    m = travel_matrix(
        net,
        origins=np.c_[lonlat.x, lonlat.y],
        destinations=np.c_[lonlat.x, lonlat.y],
        snap_max_m=10.0,
    )
    assert m.durations_s.ravel().tolist() == pytest.approx([0.0, 100.0, 100.0, 0.0], abs=1e-6)


def grid_network(oneway: list[bool]) -> RoadNetwork:
    """A 4 × 4 grid of 100 m blocks; each of its 24 streets may be oneway."""
    lines = [[(100 * i, 100 * j), (100 * (i + 1), 100 * j)] for j in range(4) for i in range(3)]
    lines += [[(100 * i, 100 * j), (100 * i, 100 * (j + 1))] for i in range(4) for j in range(3)]
    return build_network(roads(*lines, oneway=oneway), speeds=speeds(), metric_crs=UTM)


@settings(max_examples=30, deadline=None)
@given(
    oneway=st.lists(st.booleans(), min_size=24, max_size=24),
    origins=st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)), min_size=3, max_size=6),
    target=st.tuples(st.integers(0, 300), st.integers(0, 300)),
)
def test_searching_from_either_side_gives_the_same_answer(
    oneway: list[bool], origins: list[tuple[int, int]], target: tuple[int, int]
) -> None:
    net = grid_network(oneway)
    many = matrix(net, xy(*origins), xy(target), snap_max_m=1000.0)  # searched from the target
    for i, origin in enumerate(origins):
        one = matrix(net, xy(origin), xy(target), snap_max_m=1000.0)  # from the origin
        assert many.durations_s[i, 0] == pytest.approx(one.durations_s[0, 0], abs=1e-9)
        assert many.distances_m[i, 0] == pytest.approx(one.distances_m[0, 0], abs=1e-6)
        if np.isfinite(one.durations_s[0, 0]):
            length = metric_length(route(net, many, i, 0))
            assert length == pytest.approx(one.distances_m[0, 0], abs=1e-3)


def test_parallel_roads_use_the_open_one() -> None:
    frame = roads([(0, 0), (1000, 0)], [(0, 0), (1000, 0)], highway=["primary", "residential"])
    net = build_network(frame, speeds=speeds(), metric_crs=UTM)
    assert matrix(net, xy((0, 0)), xy((1000, 0))).durations_s[0, 0] == 50.0
    closed = np.array([True, False])
    assert matrix(net, xy((0, 0)), xy((1000, 0)), closed=closed).durations_s[0, 0] == 100.0


def test_refusals() -> None:
    net = detour_network()
    with pytest.raises(InputError, match="snap_max_m: expected a positive number"):
        matrix(net, DEPOTS, SHELTERS, snap_max_m=0)
    with pytest.raises(InputError, match=r"closed: expected one boolean per edge \(8\)"):
        matrix(net, DEPOTS, SHELTERS, closed=np.zeros(3, dtype=bool))
    with pytest.raises(InputError, match=r"origins: expected \(n, 2\) finite coordinates"):
        matrix(net, np.array([[X0, np.nan]]), SHELTERS)
    with pytest.raises(InputError, match=r"destinations: expected \(n, 2\)"):
        matrix(net, DEPOTS, np.array([1.0, 2.0, 3.0]))
    m = matrix(net, DEPOTS, SHELTERS)
    with pytest.raises(InputError, match=r"route: \(0, 5\) is outside the 2 × 3 matrix"):
        route(net, m, 0, 5)
    with pytest.raises(InputError, match="given without hazard_zones"):
        closures(net, footprint=footprint(), closing_kinds=["landslide"])
    with pytest.raises(GeometryError, match="footprint: the geometry is empty"):
        closures(net, footprint=gpd.GeoSeries([], crs=UTM))
    with pytest.raises(GeometryError, match="footprint: no CRS"):
        closures(net, footprint=gpd.GeoSeries([FOOTPRINT]))
    with pytest.raises(GeometryError, match="expected a geometry or a GeoDataFrame"):
        closures(net, footprint="box")  # type: ignore[arg-type]
