"""Supply: demand per shelter, least-time allocation with shortfall."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from needprofiles import UNITS, profile, stock

from geo.errors import InputError
from geo.supply.allocation import Demand, allocate, demand

INF = np.inf


def wanted(quantity: list[list[float]], shelters: tuple[str, ...] = ("S1", "S2", "S3")) -> Demand:
    """Tents (whole) and food (kg) per shelter."""
    return Demand(
        shelters=shelters,
        items=("tent", "food_ration"),
        quantity=np.array(quantity, dtype=float).reshape(len(shelters), 2),
        units=UNITS,
        integral=frozenset({"tent"}),
        days=3,
    )


COST = np.array([[1.0, 2.0, INF], [3.0, 1.0, INF], [INF, INF, INF]])  # D3 cut off
DEPOTS = ["A", "B", "D3"]


def test_demand_per_shelter_is_literal() -> None:
    d = demand({"S1": 10, "S2": 11, "S3": 0}, needs=profile(), days=3)
    assert d.items == ("tent", "quilt", "food_ration")
    assert d.frame().to_dict(orient="index") == {
        "S1": {"tent": 4.0, "quilt": 10.0, "food_ration": 15.0},
        "S2": {"tent": 5.0, "quilt": 11.0, "food_ration": 16.5},
        "S3": {"tent": 0.0, "quilt": 0.0, "food_ration": 0.0},
    }
    assert d.integral == frozenset({"tent", "quilt"})


def test_allocation_is_least_time_and_its_shortfall_exact() -> None:
    plan = allocate(
        stock(("A", "tent", 10), ("B", "tent", 5), ("A", "food_ration", 2.5), ("D3", "tent", 99)),
        wanted([[6, 1.5], [6, 1.5], [4, 0]]),
        cost=COST,
        depots=DEPOTS,
    )
    assert [(s.depot, s.shelter, s.items, s.duration_s) for s in plan.shipments] == [
        ("A", "S1", {"tent": 6, "food_ration": 1.5}, 1.0),
        ("A", "S2", {"tent": 1, "food_ration": 1.0}, 2.0),
        ("B", "S2", {"tent": 5}, 1.0),
    ]
    assert plan.shortfall == {"tent": 4, "food_ration": 0.5}
    assert plan.shortfall_by_shelter == {"S2": {"food_ration": 0.5}, "S3": {"tent": 4}}
    assert plan.sent == {"A": {"tent": 7, "food_ration": 2.5}, "B": {"tent": 5}}
    assert plan.unreachable == ("S3",)
    assert isinstance(plan.shortfall["tent"], int)


def test_depot_cut_off_by_closed_roads_sends_nothing() -> None:
    plan = allocate(
        stock(("D3", "tent", 1000), ("A", "tent", 1)),
        wanted([[6, 0], [6, 0], [0, 0]]),
        cost=COST,
        depots=DEPOTS,
    )
    assert "D3" not in plan.sent
    assert plan.sent == {"A": {"tent": 1}}
    assert plan.shortfall == {"tent": 11, "food_ration": 0.0}


def test_shortfall_goes_where_delivery_would_cost_most() -> None:
    plan = allocate(
        stock(("A", "tent", 8)), wanted([[6, 0], [6, 0], [0, 0]]), cost=COST, depots=DEPOTS
    )
    assert plan.shortfall_by_shelter == {"S2": {"tent": 4}}


@settings(max_examples=60, deadline=None)
@given(
    held=arrays(np.int64, (3, 2), elements=st.integers(0, 40)),
    need=arrays(np.int64, (4, 2), elements=st.integers(0, 40)),
    cost=arrays(np.float64, (3, 4), elements=st.sampled_from([1.0, 2.5, 7.0, 30.0, INF])),
)
def test_no_depot_sends_more_than_it_holds(
    held: np.ndarray, need: np.ndarray, cost: np.ndarray
) -> None:
    depots, shelters = ["A", "B", "C"], ("S1", "S2", "S3", "S4")
    rows = [(d, i, float(held[k, j])) for k, d in enumerate(depots) for j, i in enumerate(UNITS)]
    plan = allocate(stock(*rows), wanted(need.tolist(), shelters), cost=cost, depots=depots)
    for k, depot in enumerate(depots):
        for j, item in enumerate(UNITS):
            assert plan.sent.get(depot, {}).get(item, 0) <= held[k, j]
    received = np.zeros(need.shape)
    for s in plan.shipments:
        d, t = depots.index(s.depot), shelters.index(s.shelter)
        assert np.isfinite(cost[d, t])
        assert all(isinstance(q, int) for q in s.items.values()) or "food_ration" in s.items
        for j, item in enumerate(UNITS):
            received[t, j] += s.items.get(item, 0)
    short = np.array(
        [[plan.shortfall_by_shelter.get(s, {}).get(i, 0) for i in UNITS] for s in shelters]
    )
    assert np.allclose(received + short, need)
    if np.isfinite(cost).all():  # everything reaches everywhere: deliver all one can
        assert np.allclose(received.sum(axis=0), np.minimum(held.sum(axis=0), need.sum(axis=0)))


@pytest.mark.parametrize("seed", range(5))
def test_last_bits_of_the_times_do_not_choose_among_equal_plans(seed: int) -> None:
    """Times that differ only in their last bits (summed in another order) give one plan."""
    rng = np.random.default_rng(seed)
    depots, shelters = [f"D{k}" for k in range(6)], tuple(f"S{k}" for k in range(8))
    # many equal-cost plans: few distinct times, every depot holding both items
    cost = rng.choice([60.0, 120.0, 180.3], size=(6, 8))
    rows = [(d, i, float(rng.integers(5, 30))) for d in depots for i in UNITS]
    need = rng.integers(0, 20, size=(8, 2)).tolist()
    noisy = cost * (1 + rng.uniform(-4e-16, 4e-16, size=cost.shape)) + 1e-12 * rng.random(
        cost.shape
    )
    plans = [
        allocate(stock(*rows), wanted(need, shelters), cost=c, depots=depots) for c in (cost, noisy)
    ]
    assert [(s.depot, s.shelter, s.items) for s in plans[0].shipments] == [
        (s.depot, s.shelter, s.items) for s in plans[1].shipments
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: allocate(stock(), wanted([[1, 1]] * 3), cost=np.ones((2, 3)), depots=DEPOTS),
            r"cost: expected a 3 × 3 matrix",
        ),
        (
            lambda: allocate(stock(), wanted([[1, 1]] * 3), cost=-COST, depots=DEPOTS),
            "cost: expected non-negative",
        ),
        (
            lambda: allocate(stock(), wanted([[1, 1]] * 3), cost=COST * np.nan, depots=DEPOTS),
            "cost: expected non-negative",
        ),
        (
            lambda: allocate(
                stock(("Z", "tent", 1)), wanted([[1, 1]] * 3), cost=COST, depots=DEPOTS
            ),
            r"stock: depots \['Z'\] are not in depots",
        ),
        (
            lambda: allocate(
                stock(("A", "tent", -1)), wanted([[1, 1]] * 3), cost=COST, depots=DEPOTS
            ),
            "stock.quantity: expected non-negative",
        ),
        (
            lambda: allocate(
                stock().drop(columns="unit"), wanted([[1, 1]] * 3), cost=COST, depots=DEPOTS
            ),
            r"stock: missing columns \['unit'\]",
        ),
        (
            lambda: allocate(
                stock(("A", "food_ration", 1)).assign(unit="斤"),
                wanted([[1, 1]] * 3),
                cost=COST,
                depots=DEPOTS,
            ),
            r"stock.unit: food_ration in '斤' \(needs use 'kg'\)",
        ),
        (
            lambda: demand({"S1": -1}, needs=profile(), days=3),
            r"assigned_by_shelter\['S1'\]: expected a non-negative whole number",
        ),
        (
            lambda: demand({"S1": 2.5}, needs=profile(), days=3),
            "expected a non-negative whole number",
        ),
        (
            lambda: demand({"S1": 2}, needs=profile(), days=0),
            "days: expected a whole number of days",
        ),
    ],
)
def test_refusals(call: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        call()  # type: ignore[operator]
