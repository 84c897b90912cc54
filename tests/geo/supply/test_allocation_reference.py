"""Supply allocation against an independent LP, and the split among co-located depots."""

from __future__ import annotations

import numpy as np
import pytest
from needprofiles import UNITS, stock
from scipy.optimize import linprog

from geo.supply.allocation import Demand, allocate, colocated_nodes

INF = np.inf
ITEMS = tuple(UNITS)


def _reference(cost: np.ndarray, held: np.ndarray, need: np.ndarray) -> tuple[float, np.ndarray]:
    """scipy's default LP on the dense problem: most delivered, then least time.

    Delivering one unit more is worth more than any time (a reward per unit above the
    total of all finite times), so the least-cost plan delivers the most it can.
    """
    n_d, n_s = cost.shape
    pairs = np.argwhere(np.isfinite(cost))
    if not len(pairs):
        return 0.0, np.zeros(n_s)
    reward = float(cost[np.isfinite(cost)].sum()) + 1.0
    a_depot = np.zeros((n_d, len(pairs)))
    a_shelter = np.zeros((n_s, len(pairs)))
    a_depot[pairs[:, 0], np.arange(len(pairs))] = 1.0
    a_shelter[pairs[:, 1], np.arange(len(pairs))] = 1.0
    result = linprog(
        cost[pairs[:, 0], pairs[:, 1]] - reward,
        A_ub=np.vstack([a_depot, a_shelter]),
        b_ub=np.concatenate([held, need]),
    )
    assert result.status == 0
    flows = np.round(result.x)
    return float(cost[pairs[:, 0], pairs[:, 1]] @ flows), a_shelter @ flows


@pytest.mark.parametrize("seed", range(30))
def test_random_plans_cost_and_deliver_as_the_reference(seed: int) -> None:
    # Integer times (no two plans cost the same, almost surely), some pairs cut off,
    # stock above or below demand, and some depots co-located (a copy of another's row
    # of times): merged, then split back.
    rng = np.random.default_rng(seed)
    n_d, n_s = int(rng.integers(2, 8)), int(rng.integers(1, 12))
    cost = rng.integers(1, 10**6, (n_d, n_s)).astype(float)
    cost[rng.random((n_d, n_s)) < 0.25] = INF
    for d in range(1, n_d):
        if rng.random() < 0.3:
            cost[d] = cost[int(rng.integers(0, d))]
    depots = [f"D{k:02d}" for k in rng.permutation(n_d)]
    held = rng.integers(0, 30 if seed % 2 else 6, (n_d, len(ITEMS)))
    need = rng.integers(0, 10, (n_s, len(ITEMS)))
    shelters = tuple(f"S{j}" for j in range(n_s))
    plan = allocate(
        stock(
            *[(depots[d], i, float(held[d, k])) for d in range(n_d) for k, i in enumerate(ITEMS)]
        ),
        Demand(shelters, ITEMS, need.astype(float), UNITS, frozenset(ITEMS), 3),
        cost=cost,
        depots=depots,
    )
    for k, item in enumerate(ITEMS):
        total, received = _reference(cost, held[:, k].astype(float), need[:, k].astype(float))
        got = np.zeros(n_s)
        spent = 0.0
        for s in plan.shipments:
            q = s.items.get(item, 0)
            got[shelters.index(s.shelter)] += q
            spent += q * cost[depots.index(s.depot), shelters.index(s.shelter)]
        assert spent == pytest.approx(total, abs=1e-6)
        assert got.tolist() == received.tolist()
        for d, depot in enumerate(depots):
            assert plan.sent.get(depot, {}).get(item, 0) <= held[d, k]


def test_co_located_depots_give_in_id_order_each_up_to_its_stock() -> None:
    # "B" and "A" are co-located (times within 1e-6 s); "C" is 1 ms away: not merged.
    cost = np.array([[1.0, 2.0], [1.0 + 1e-7, 2.0], [1.001, 2.0]])
    assert colocated_nodes(cost, ["B", "A", "C"]).tolist() == [1, 1, 2]
    plan = allocate(
        stock(("B", "tent", 5), ("A", "tent", 3)),
        Demand(("S1", "S2"), ("tent",), np.array([[4.0], [2.0]]), UNITS, frozenset({"tent"}), 3),
        cost=cost,
        depots=["B", "A", "C"],
    )
    # The node (A then B, by id) sends 4 to S1 and 2 to S2: A gives its 3 to S1 first.
    assert sorted((s.depot, s.shelter, s.items["tent"]) for s in plan.shipments) == [
        ("A", "S1", 3),
        ("B", "S1", 1),
        ("B", "S2", 2),
    ]
    assert plan.sent == {"A": {"tent": 3}, "B": {"tent": 3}}
