"""Who goes where: capacity-bound assignment, its invariants, straight-line costs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shelterworld import THREE, UTM, X0, Y0, status

from geo._crs import lonlat_xy
from geo.errors import InputError
from geo.shelters.placement import assign_displaced, straight_line_cost
from geo.shelters.status import ShelterStatus, shelter_xy


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
