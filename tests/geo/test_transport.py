"""The one transportation problem: a literal case, the unmet slack, the integrality check."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from geo.errors import InternalError
from geo.transport import round_whole, solve_transport, solve_transports


def test_cheapest_pairs_first_and_the_excess_left_unmet() -> None:
    # Two served nodes want 5 and 4; two limited nodes hold 3 and 4.
    served = np.array([0, 0, 1, 1])
    limited = np.array([0, 1, 0, 1])
    solution = solve_transport(
        np.array([1.0, 2.0, 2.0, 1.0]),
        served=served,
        limited=limited,
        wanted=np.array([5.0, 4.0]),
        available=np.array([3.0, 4.0]),
        what="test",
    )
    assert np.allclose(solution.flows, [3.0, 0.0, 0.0, 4.0])
    assert np.allclose(solution.unmet, [2.0, 0.0])


def test_a_fractional_plan_is_refused() -> None:
    assert round_whole(np.array([2.0000000001, 3.0]), largest=10.0, what="t").tolist() == [2.0, 3.0]
    with pytest.raises(InternalError, match="t: HiGHS returned a fractional plan"):
        round_whole(np.array([2.5]), largest=10.0, what="t")


def _max_flow_min_cost(
    cost: np.ndarray, wanted: np.ndarray, available: np.ndarray
) -> tuple[float, float, dict[tuple[int, int], float]]:
    """networkx on integers: most units sent, then least cost; (sent, cost, flow per pair)."""
    graph = nx.DiGraph()
    for d, amount in enumerate(available):
        graph.add_edge("in", ("d", d), capacity=int(amount), weight=0)
    for s, amount in enumerate(wanted):
        graph.add_edge(("s", s), "out", capacity=int(amount), weight=0)
    for d, s in zip(*np.nonzero(np.isfinite(cost)), strict=True):
        graph.add_edge(("d", int(d)), ("s", int(s)), weight=int(cost[d, s]))
    flow = nx.max_flow_min_cost(graph, "in", "out")
    pairs = {
        (d, s): float(flow[("d", d)].get(("s", s), 0))
        for d, s in zip(*np.nonzero(np.isfinite(cost)), strict=True)
    }
    return float(sum(flow["in"].values())), float(nx.cost_of_flow(graph, flow)), pairs


def _solve_dense(cost: np.ndarray, wanted: np.ndarray, available: np.ndarray):  # type: ignore[no-untyped-def]
    d, s = np.nonzero(np.isfinite(cost))
    solution = solve_transport(
        cost[d, s], served=s, limited=d, wanted=wanted, available=available, what="test"
    )
    return d, s, solution


@pytest.mark.parametrize("seed", range(40))
def test_random_plans_match_networkx(seed: int) -> None:
    # Integer costs up to 1e9 (no two plans cost the same, almost surely), some pairs
    # impossible, stock above or below demand, some nodes with no pair or nothing to give.
    rng = np.random.default_rng(seed)
    n_d, n_s = int(rng.integers(1, 9)), int(rng.integers(1, 25))
    cost = rng.integers(1, 10**9, (n_d, n_s)).astype(float)
    cost[rng.random((n_d, n_s)) < 0.3] = np.inf
    cost[0, 0] = 1.0  # at least one pair
    available = rng.integers(0, 40 if seed % 2 else 8, n_d).astype(float)
    wanted = rng.integers(0, 12, n_s).astype(float)
    d, s, solution = _solve_dense(cost, wanted, available)
    sent, total, pairs = _max_flow_min_cost(cost, wanted, available)
    assert solution.flows.sum() == pytest.approx(sent)
    assert float(cost[d, s] @ solution.flows) == pytest.approx(total)
    assert solution.flows.tolist() == pytest.approx(
        [pairs[(a, b)] for a, b in zip(d, s, strict=True)], abs=1e-6
    )
    unmet = wanted - np.bincount(s, weights=solution.flows, minlength=n_s)
    assert solution.unmet.tolist() == pytest.approx(unmet.tolist(), abs=1e-6)


@pytest.mark.parametrize("seed", range(20))
def test_equal_costs_give_a_least_cost_plan(seed: int) -> None:
    # Many equal costs (many optimal plans): the cost and the amount sent are the optimum's.
    rng = np.random.default_rng(100 + seed)
    n_d, n_s = int(rng.integers(1, 6)), int(rng.integers(1, 20))
    cost = rng.choice([1.0, 2.0, 3.0], size=(n_d, n_s))
    cost[rng.random((n_d, n_s)) < 0.2] = np.inf
    cost[0, 0] = 1.0  # at least one pair
    available = rng.integers(0, 30, n_d).astype(float)
    wanted = rng.integers(0, 10, n_s).astype(float)
    d, s, solution = _solve_dense(cost, wanted, available)
    sent, total, _ = _max_flow_min_cost(cost, wanted, available)
    assert solution.flows.sum() == pytest.approx(sent)
    assert float(cost[d, s] @ solution.flows) == pytest.approx(total)
    assert (np.bincount(d, weights=solution.flows, minlength=n_d) <= available + 1e-9).all()
    assert (solution.unmet >= -1e-9).all()
    assert solution.unmet.tolist() == pytest.approx(
        (wanted - np.bincount(s, weights=solution.flows, minlength=n_s)).tolist(), abs=1e-6
    )


def test_nodes_in_no_pair_are_left_as_they_are() -> None:
    # Served node 1 and limited node 0 are in no pair: node 1's need is all unmet.
    solution = solve_transport(
        np.array([4.0]),
        served=np.array([2]),
        limited=np.array([1]),
        wanted=np.array([3.0, 5.0, 2.0]),
        available=np.array([9.0, 1.0]),
        what="test",
    )
    assert solution.flows.tolist() == [1.0]
    assert solution.unmet.tolist() == [3.0, 5.0, 1.0]


@pytest.mark.parametrize("seed", range(10))
def test_problems_sharing_pairs_each_match_networkx(seed: int) -> None:
    # Several problems over the same pairs (one per item), many pairs per node so that
    # most are priced in after the first solve; each starts from the one before.
    rng = np.random.default_rng(200 + seed)
    n_d, n_s, n_k = int(rng.integers(5, 15)), int(rng.integers(10, 40)), 4
    cost = rng.integers(1, 10**9, (n_d, n_s)).astype(float)
    cost[rng.random((n_d, n_s)) < 0.1] = np.inf
    cost[0, 0] = 1.0
    available = rng.integers(0, 60, (n_d, n_k)).astype(float)
    wanted = rng.integers(0, 20, (n_s, n_k)).astype(float)
    d, s = np.nonzero(np.isfinite(cost))
    solutions = solve_transports(
        cost[d, s], served=s, limited=d, wanted=wanted, available=available, what="test"
    )
    for k, solution in enumerate(solutions):
        sent, total, pairs = _max_flow_min_cost(cost, wanted[:, k], available[:, k])
        assert float(cost[d, s] @ solution.flows) == pytest.approx(total)
        assert solution.flows.tolist() == pytest.approx(
            [pairs[(a, b)] for a, b in zip(d, s, strict=True)], abs=1e-6
        )
        assert solution.unmet.sum() == pytest.approx(wanted[:, k].sum() - sent)
