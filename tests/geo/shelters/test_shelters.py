"""Shelters: statuses with literal distances, capacity-bound assignment, service coverage."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import LineString, Point, box

from geo._crs import lonlat_xy
from geo.errors import GeometryError, InputError
from geo.hazards.setbacks import Setbacks, parse_setbacks
from geo.shelters.placement import assign_displaced, straight_line_cost
from geo.shelters.service_area import service_coverage
from geo.shelters.status import ShelterStatus, classify_shelters, shelter_xy

UTM = "EPSG:32649"
X0, Y0 = 700_000.0, 4_190_000.0


def profile() -> Setbacks:
    """Landslide high 200 m, fault high 200 m, everything else 50 m."""

    def kind(high: float, other: float) -> dict:
        return {
            "extreme": high,
            "high": high,
            "medium": other,
            "low": other,
            "basis": "test",
            "rationale": "test",
        }

    return parse_setbacks(
        {
            "setbacks": {
                "landslide": kind(200, 100),
                "fault": kind(200, 100),
                "default": kind(50, 50),
            },
            "service_radius": {
                "emergency": {"metres": 500, "source": "GB 50413-2007"},
                "short_term": {"metres": 2000, "source": "GB 50413-2007"},
                "long_term": {"metres": 3000, "source": "GB 50413-2007"},
            },
        },
        source="test",
    )


def lonlat(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Built in UTM, handed over in EPSG:4326 as the API gives them."""
    return frame.to_crs("EPSG:4326")


def zones() -> gpd.GeoDataFrame:
    """A landslide square (high) and a fault line (high) in the 10 km square."""
    return lonlat(
        gpd.GeoDataFrame(
            {"id": ["H1", "F1"], "kind": ["landslide", "fault"], "risk": ["high", "high"]},
            geometry=[
                box(X0 + 7_000, Y0 + 7_000, X0 + 7_300, Y0 + 7_300),
                LineString([(X0 + 1_000, Y0), (X0 + 1_000, Y0 + 10_000)]),
            ],
            crs=UTM,
        )
    )


def shelters(*geometries: object, kinds: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    n = len(geometries)
    return lonlat(
        gpd.GeoDataFrame(
            {
                "id": [f"S{i + 1}" for i in range(n)],
                "name": [f"{i + 1}号" for i in range(n)],
                "capacity": [100 * (i + 1) for i in range(n)],
                "kind": list(kinds or ["emergency"] * n),
            },
            geometry=list(geometries),
            crs=UTM,
        )
    )


FOOTPRINT = lonlat(gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 3_000, Y0 + 3_000)], crs=UTM))
THREE = shelters(
    Point(X0 + 1_100, Y0 + 2_500),  # in the footprint, 100 m from the fault
    Point(X0 + 7_450, Y0 + 7_150),  # 150 m east of the landslide
    box(X0 + 8_000, Y0 + 5_000, X0 + 8_400, Y0 + 5_400),  # a park far from both
    kinds=("emergency", "short_term", "long_term"),
)


def classify(frame: gpd.GeoDataFrame, footprint: object = FOOTPRINT) -> tuple[ShelterStatus, ...]:
    return classify_shelters(
        frame, footprint=footprint, hazard_zones=zones(), setbacks=profile(), metric_crs=UTM
    )


def test_three_shelters_get_literal_statuses_and_distances() -> None:
    s1, s2, s3 = classify(THREE)
    assert (s1.status, s2.status, s3.status) == ("in_footprint", "hazard_conflict", "usable")
    assert [(c.zone_id, c.kind, c.risk, c.distance_m, c.setback_m) for c in s1.conflicts] == [
        ("F1", "fault", "high", 100.0, 200.0)
    ]
    assert [(c.zone_id, c.distance_m) for c in s2.conflicts] == [("H1", 150.0)]
    assert s3.conflicts == ()
    assert (s3.id, s3.name, s3.kind, s3.capacity, s3.usable) == (
        "S3",
        "3号",
        "long_term",
        300,
        True,
    )


def test_inside_a_zone_is_distance_zero_and_polygons_count_their_whole_ground() -> None:
    inside, park = classify(
        shelters(Point(X0 + 7_100, Y0 + 7_100), box(X0 + 7_400, Y0 + 7_400, X0 + 7_800, Y0 + 7_800))
    )
    assert [(c.zone_id, c.distance_m) for c in inside.conflicts] == [("H1", 0.0)]
    # The park's corner is 141.4 m from the landslide, its centre 424.3 m: the ground counts.
    assert [(c.zone_id, c.distance_m) for c in park.conflicts] == [("H1", 141.4)]


@pytest.mark.parametrize(
    ("east", "status", "distances"),
    [(199.9, "hazard_conflict", [199.9]), (200.1, "usable", [])],
)
def test_setback_edge(east: float, status: str, distances: list[float]) -> None:
    (shelter,) = classify(shelters(Point(X0 + 7_300 + east, Y0 + 7_150)))
    assert shelter.status == status
    assert [c.distance_m for c in shelter.conflicts] == distances


def test_exactly_at_the_setback_is_a_conflict() -> None:
    # Built in UTM so no reprojection blurs the 200.0 m; the setback is inclusive.
    zone = gpd.GeoDataFrame(
        {"id": ["H1"], "kind": ["landslide"], "risk": ["high"]},
        geometry=[box(X0 + 7_000, Y0 + 7_000, X0 + 7_300, Y0 + 7_300)],
        crs=UTM,
    )
    shelter = gpd.GeoDataFrame(
        {"id": ["S1"], "name": ["一号"], "capacity": [1], "kind": ["emergency"]},
        geometry=[Point(X0 + 7_500, Y0 + 7_150)],
        crs=UTM,
    )
    (result,) = classify_shelters(
        shelter, footprint=FOOTPRINT, hazard_zones=zone, setbacks=profile(), metric_crs=UTM
    )
    assert [(c.zone_id, c.distance_m) for c in result.conflicts] == [("H1", 200.0)]


def test_conflicts_are_listed_nearest_first() -> None:
    extra = gpd.GeoDataFrame(
        {"id": ["H2"], "kind": ["landslide"], "risk": ["medium"]},
        geometry=[box(X0 + 7_400, Y0 + 7_100, X0 + 7_500, Y0 + 7_200)],
        crs=UTM,
    ).to_crs("EPSG:4326")
    (shelter,) = classify_shelters(
        shelters(Point(X0 + 7_340, Y0 + 7_150)),
        footprint=FOOTPRINT,
        hazard_zones=pd.concat([extra, zones()], ignore_index=True),
        setbacks=profile(),
        metric_crs=UTM,
    )
    assert [(c.zone_id, c.distance_m, c.setback_m) for c in shelter.conflicts] == [
        ("H1", 40.0, 200.0),
        ("H2", 60.0, 100.0),
    ]


def test_footprint_may_be_a_bare_geometry_and_unknown_kinds_take_the_default() -> None:
    odd = zones().assign(kind=["sinkhole", "fault"])
    (shelter,) = classify_shelters(
        shelters(Point(X0 + 7_340, Y0 + 7_150)),
        footprint=FOOTPRINT.geometry.iloc[0],
        hazard_zones=odd,
        setbacks=profile(),
        metric_crs=UTM,
    )
    assert [(c.kind, c.distance_m, c.setback_m) for c in shelter.conflicts] == [
        ("sinkhole", 40.0, 50.0)
    ]


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"metric_crs": "EPSG:4326"}, InputError, "not a projected CRS in metres"),
        ({"metric_crs": "nonsense"}, InputError, "is not a CRS"),
        (
            {"shelters": THREE.drop(columns="capacity")},
            InputError,
            r"missing columns \['capacity'\]",
        ),
        ({"shelters": THREE.set_crs(None, allow_override=True)}, InputError, "shelters: no CRS"),
        ({"hazard_zones": zones().assign(risk="severe")}, InputError, "risk values"),
        ({"footprint": gpd.GeoSeries([box(0, 0, 1, 1)])}, GeometryError, "footprint: no CRS"),
        ({"footprint": Point(0, 0).buffer(0)}, GeometryError, "footprint: the geometry is empty"),
        ({"footprint": "a polygon"}, GeometryError, "expected a geometry"),
    ],
)
def test_classify_refusals(change: dict, error: type[Exception], match: str) -> None:
    args = {
        "shelters": THREE,
        "footprint": FOOTPRINT,
        "hazard_zones": zones(),
        "setbacks": profile(),
        "metric_crs": UTM,
    }
    args.update(change)
    with pytest.raises(error, match=match):
        classify_shelters(args.pop("shelters"), **args)


def status(sid: str, state: str = "usable", capacity: int = 10) -> ShelterStatus:
    return ShelterStatus(sid, sid, "emergency", capacity, state, ())  # type: ignore[arg-type]


def test_assignment_is_nearest_first_within_capacity() -> None:
    demand = pd.DataFrame({"county": ["A", "B"], "persons": [8, 6]})
    result = assign_displaced(
        demand, [status("S1"), status("S2")], cost=np.array([[1.0, 5.0], [2.0, 3.0]])
    )
    assert result.assigned == {"S1": 10, "S2": 4}
    assert result.unplaced == {"A": 0, "B": 0}
    assert [(f.point, f.shelter, f.persons, f.cost) for f in result.flows] == [
        (0, "S1", 8, 1.0),
        (1, "S1", 2, 2.0),
        (1, "S2", 4, 3.0),
    ]
    assert result.total_cost == 24.0


def test_short_capacity_leaves_the_costliest_unplaced_and_skips_closed_shelters() -> None:
    demand = pd.DataFrame({"county": ["A", "B", "B"], "persons": [8, 6, 0]})
    result = assign_displaced(
        demand,
        [status("S1"), status("S2"), status("S3", "in_footprint", 99)],
        cost=np.array([[1.0, 5.0, 0.0], [2.0, 3.0, 0.0], [1.0, 1.0, 1.0]]),
        capacity=[5, 3, 99],
    )
    assert result.assigned == {"S1": 5, "S2": 3, "S3": 0}
    assert result.unplaced == {"A": 3, "B": 3}
    assert (result.placed_total, result.unplaced_total, result.total_cost) == (8, 6, 14.0)


def test_unreachable_pairs_are_never_used() -> None:
    demand = pd.DataFrame({"county": ["A"], "persons": [5]})
    result = assign_displaced(demand, [status("S1")], cost=np.array([[np.inf]]))
    assert (result.assigned, result.unplaced, result.flows) == ({"S1": 0}, {"A": 5}, ())


@pytest.mark.parametrize(
    ("persons", "cost", "capacity", "match"),
    [
        ([1.5], [[1.0]], None, "demand.persons: expected non-negative whole numbers"),
        ([-1], [[1.0]], None, "demand.persons: expected non-negative whole numbers"),
        ([1], [[1.0, 2.0]], None, r"cost: expected a 1 × 1 matrix"),
        ([1], [[-1.0]], None, "cost: expected non-negative costs"),
        ([1], [[np.nan]], None, "cost: expected non-negative costs"),
        ([1], [[1.0]], [1, 2], r"capacity: expected one value per shelter \(1\)"),
        ([1], [[1.0]], [2.5], "capacity: expected non-negative whole numbers"),
    ],
)
def test_assignment_refusals(persons: list, cost: list, capacity: list | None, match: str) -> None:
    demand = pd.DataFrame({"county": ["A"] * len(persons), "persons": persons})
    with pytest.raises(InputError, match=match):
        assign_displaced(demand, [status("S1")], cost=np.array(cost), capacity=capacity)


def test_assignment_needs_county_and_persons() -> None:
    with pytest.raises(InputError, match=r"demand: missing columns \['county'\]"):
        assign_displaced(pd.DataFrame({"persons": [1]}), [status("S1")], cost=[[1.0]])


STATES = st.sampled_from(["usable", "usable", "in_footprint", "hazard_conflict"])


@st.composite
def problems(draw: st.DrawFn) -> tuple[pd.DataFrame, list[ShelterStatus], np.ndarray, list[int]]:
    n = draw(st.integers(1, 6))
    m = draw(st.integers(1, 5))
    demand = pd.DataFrame(
        {
            "county": draw(st.lists(st.sampled_from("ABC"), min_size=n, max_size=n)),
            "persons": draw(st.lists(st.integers(0, 60), min_size=n, max_size=n)),
        }
    )
    statuses = [status(f"S{j}", draw(STATES)) for j in range(m)]
    cost = np.array(
        draw(st.lists(st.integers(0, 20_000), min_size=n * m, max_size=n * m)), dtype=float
    ).reshape(n, m)
    capacity = draw(st.lists(st.integers(0, 80), min_size=m, max_size=m))
    return demand, statuses, cost, capacity


@settings(max_examples=150, deadline=None)
@given(problems())
def test_assignment_invariants(problem: tuple) -> None:
    demand, statuses, cost, capacity = problem
    result = assign_displaced(demand, statuses, cost=cost, capacity=capacity)
    for s, seats in zip(statuses, capacity, strict=True):
        assert 0 <= result.assigned[s.id] <= (seats if s.usable else 0)
    wanted = demand.groupby("county")["persons"].sum()
    got = pd.Series(0, index=wanted.index)
    for flow in result.flows:
        got[demand["county"].iloc[flow.point]] += flow.persons
    assert {c: int(got[c]) + result.unplaced[c] for c in wanted.index} == wanted.to_dict()
    # Every cost is finite, so nobody is left out while a usable place is free.
    open_places = sum(c for s, c in zip(statuses, capacity, strict=True) if s.usable)
    assert result.placed_total == min(int(demand["persons"].sum()), open_places)
    assert result.total_cost == sum(f.persons * f.cost for f in result.flows)


def test_straight_line_cost_and_projection_helpers() -> None:
    assert straight_line_cost([[0, 0], [3, 0]], [[3, 4], [0, 0]]).tolist() == [
        [5.0, 0.0],
        [4.0, 3.0],
    ]
    xy = shelter_xy(THREE, metric_crs=UTM)
    assert np.allclose(xy[:2], [[X0 + 1_100, Y0 + 2_500], [X0 + 7_450, Y0 + 7_150]])
    lon, lat = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True).transform(X0, Y0)
    assert np.allclose(lonlat_xy([lon], [lat], metric_crs=UTM), [[X0, Y0]])


def test_service_coverage_literal_case() -> None:
    frame = shelters(
        Point(X0 + 1_000, Y0 + 1_000),
        Point(X0 + 5_000, Y0 + 5_000),
        Point(X0 + 8_000, Y0 + 8_000),
        kinds=("emergency", "short_term", "long_term"),
    )
    statuses = [
        ShelterStatus("S1", "1号", "emergency", 100, "usable", ()),
        ShelterStatus("S2", "2号", "short_term", 200, "usable", ()),
        ShelterStatus("S3", "3号", "long_term", 300, "in_footprint", ()),
    ]
    to_lonlat = Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
    # 400 m from S1; 1500 m from S2; 1414 m from S3, which is closed.
    lon, lat = to_lonlat.transform(
        [X0 + 1_400, X0 + 5_000, X0 + 9_000], [Y0 + 1_000, Y0 + 3_500, Y0 + 9_000]
    )
    cells = pd.DataFrame({"lon": lon, "lat": lat, "affected": [10.0, 20.0, 30.0]})
    coverage = service_coverage(
        cells, frame, statuses=statuses, radii=profile().service_radii(), metric_crs=UTM
    )
    assert (coverage.affected, coverage.covered, coverage.share) == (60.0, 30.0, 0.5)
    assert [(k.kind, k.radius_m, k.shelters, k.covered) for k in coverage.by_kind] == [
        ("emergency", 500.0, 1, 10.0),
        ("short_term", 2000.0, 1, 20.0),
        ("long_term", 3000.0, 0, 0.0),
    ]
    assert [k.share for k in coverage.by_kind] == pytest.approx([1 / 6, 1 / 3, 0.0])
    nobody = service_coverage(
        cells.assign(affected=0.0),
        frame,
        statuses=statuses,
        radii={"emergency": 500},
        metric_crs=UTM,
    )
    assert (nobody.share, nobody.by_kind[0].share) == (None, None)


@pytest.mark.parametrize(
    ("cells", "statuses", "match"),
    [
        (pd.DataFrame({"lon": [1.0], "lat": [1.0]}), 3, r"cells: missing columns \['affected'\]"),
        (
            pd.DataFrame({"lon": [1.0], "lat": [1.0], "affected": [1.0]}),
            2,
            "statuses: expected one per shelter",
        ),
    ],
)
def test_service_coverage_refusals(cells: pd.DataFrame, statuses: int, match: str) -> None:
    given_statuses = [status(f"S{i}") for i in range(statuses)]
    with pytest.raises(InputError, match=match):
        service_coverage(cells, THREE, statuses=given_statuses, radii={}, metric_crs=UTM)
