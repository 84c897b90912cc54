"""The one transportation problem: send amounts from sources to sinks at least total cost.

Used twice: displaced persons from demand points to shelters with seats
(`geo.shelters.placement`), and relief items from depots to shelters
(`geo.supply.allocation`, one problem per item over the same pairs). One side of each
pair must be served exactly — its rows are equalities with an "unmet" slack so the
problem is always feasible — and the other side may not give more than it has
(inequalities). Leaving one unit unmet costs more than any chain of moves that makes
room for it (at most min(sides) paid legs, each at most 1 after scaling), so the slack
takes only what cannot be sent. HiGHS's simplex returns a vertex, integral for integral
data because the matrix is totally unimodular.

Pricing: HiGHS first sees only each node's few cheapest pairs (`FIRST_PAIRS`); the
duals of that plan price every other pair, the pairs that would lower the cost are added
(the best few per node, `PRICED_PAIRS`) and the plan is solved again, until no pair
prices below HiGHS's own optimality tolerance. The plan is then optimal over all the
pairs — the same guarantee as handing HiGHS every pair — at a fraction of the work,
since a least-cost plan uses few pairs far from the cheapest. Problems over the same
pairs (several items) share one model: each starts from the previous one's basis,
and only the amounts change.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
from highspy._core import _Highs
from numpy.typing import NDArray

from geo.errors import InternalError

#: Rounding slack allowed between HiGHS's vertex solution and the integers it stands for,
#: relative to the largest amount in the problem.
INTEGRALITY_TOLERANCE = 1e-6
#: Pairs each node starts with: its cheapest ones (ties: the lower index).
FIRST_PAIRS = 3
#: Pairs added per node and round of pricing: its most negative reduced costs.
PRICED_PAIRS = 1
#: HiGHS's dual feasibility tolerance (tighter than its default 1e-7, which let a plan
#: cost a few seconds more than the optimum on a province), which pricing also uses: a
#: pair is worth adding when its reduced cost is below minus this (costs scaled to ≤ 1).
DUAL_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Solution:
    """The amount on each candidate pair and the amount left unmet per served node."""

    flows: NDArray[np.float64]
    unmet: NDArray[np.float64]


def solve_transport(
    unit_cost: NDArray[np.float64],
    *,
    served: NDArray[np.intp],
    limited: NDArray[np.intp],
    wanted: NDArray[np.float64],
    available: NDArray[np.float64],
    what: str,
) -> Solution:
    """Solve the least-cost transportation problem over the candidate pairs given.

    Parameters
    ----------
    unit_cost
        Cost per unit on each candidate pair (finite, non-negative).
    served
        For each pair, the node whose ``wanted`` amount must be met (or left unmet).
    limited
        For each pair, the node that may send at most its ``available`` amount.
    wanted
        Amount each served node asks for.
    available
        Amount each limited node may give.
    what
        Names the problem in the error raised when HiGHS fails.

    Raises
    ------
    InternalError
        HiGHS did not solve the problem (a bug: the problem is always feasible).
    """
    return solve_transports(
        unit_cost,
        served=served,
        limited=limited,
        wanted=np.asarray(wanted, dtype=float)[:, None],
        available=np.asarray(available, dtype=float)[:, None],
        what=what,
    )[0]


def solve_transports(
    unit_cost: NDArray[np.float64],
    *,
    served: NDArray[np.intp],
    limited: NDArray[np.intp],
    wanted: NDArray[np.float64],
    available: NDArray[np.float64],
    what: str,
) -> list[Solution]:
    """Solve one transportation problem per column of ``wanted`` and ``available``.

    The problems share the pairs and their costs (as `solve_transport`); ``wanted`` is
    (served nodes × problems) and ``available`` (limited nodes × problems).
    """
    scale = max(float(unit_cost.max(initial=0.0)), 1.0)
    # Nodes in no pair are settled here, as HiGHS's presolve would settle them (a served
    # node's need is all unmet, a limited node gives nothing).
    rows, sources = np.unique(served), np.unique(limited)
    model = _Model(
        unit_cost / scale,
        served=np.searchsorted(rows, served),
        limited=np.searchsorted(sources, limited),
        slack=float(min(wanted.shape[0], available.shape[0]) + 1),
        what=what,
    )
    solutions = []
    for k in range(wanted.shape[1]):
        flows, left = model.solve(wanted[rows, k], available[sources, k])
        unmet = np.asarray(wanted[:, k], dtype=float).copy()
        unmet[rows] = left
        solutions.append(Solution(flows=flows, unmet=unmet))
    return solutions


class _Model:
    """One HiGHS model over the pairs priced in so far; the amounts change per problem.

    Columns: the unmet slack of each served node, then the pairs in the order added.
    Rows: the served nodes (equalities), then the limited nodes (at most).
    """

    def __init__(
        self,
        cost: NDArray[np.float64],
        *,
        served: NDArray[np.intp],
        limited: NDArray[np.intp],
        slack: float,
        what: str,
    ) -> None:
        self.cost, self.served, self.limited, self.what = cost, served, limited, what
        self.n_served = int(served.max(initial=-1)) + 1
        self.n_rows = self.n_served + int(limited.max(initial=-1)) + 1
        # The plain solver: the `highspy.Highs` wrapper adds Python callbacks this does not
        # use, and setting them up prints HiGHS's banner to standard output.
        self.highs = _Highs()
        self.highs.setOptionValue("output_flag", False)
        # Serial simplex needs no worker threads; none are started (the compute workers
        # fork copies of themselves, e.g. to write a map).
        self.highs.setOptionValue("threads", 1)
        self.highs.setOptionValue("solver", "simplex")
        self.highs.setOptionValue("simplex_strategy", 4)  # primal: fastest on these
        self.highs.setOptionValue("dual_feasibility_tolerance", DUAL_TOLERANCE)
        self.highs.addRows(
            self.n_rows,
            np.zeros(self.n_rows),
            np.zeros(self.n_rows),
            0,
            np.zeros(self.n_rows, dtype=np.int32),
            np.zeros(0, dtype=np.int32),
            np.zeros(0),
        )
        unmet = np.arange(self.n_served, dtype=np.intp)
        self._add_columns(np.full(self.n_served, slack), unmet.astype(np.int32), [unmet])
        self.columns = np.zeros(0, dtype=np.intp)
        self.priced = np.zeros(cost.size, dtype=bool)
        first = np.union1d(_cheapest(served, limited, cost), _cheapest(limited, served, cost))
        self._add_pairs(first)

    def _add_columns(
        self, cost: NDArray[np.float64], starts: NDArray[np.int32], rows: list[NDArray[np.intp]]
    ) -> None:
        index = np.stack(rows, axis=1).astype(np.int32).ravel()
        self.highs.addCols(
            cost.size,
            cost,
            np.zeros(cost.size),
            np.full(cost.size, highspy.kHighsInf),
            index.size,
            starts,
            index,
            np.ones(index.size),
        )

    def _add_pairs(self, pairs: NDArray[np.intp]) -> None:
        starts = np.arange(0, 2 * pairs.size, 2, dtype=np.int32)
        rows = [self.served[pairs], self.n_served + self.limited[pairs]]
        self._add_columns(self.cost[pairs], starts, rows)
        self.columns = np.concatenate([self.columns, pairs])
        self.priced[pairs] = True

    def solve(
        self, wanted: NDArray[np.float64], available: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The flow on every pair and the unmet amount per served node, at least cost."""
        lower = np.concatenate([wanted, np.full(available.size, -highspy.kHighsInf)])
        upper = np.concatenate([wanted, available])
        rows = np.arange(lower.size, dtype=np.int32)
        # In the extension (HiGHS's changeRowsBounds by set), not in highspy's stub.
        self.highs.changeRowsBounds(rows.size, rows, lower, upper)  # type: ignore[attr-defined]
        while True:
            self.highs.run()
            status = self.highs.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                raise InternalError(
                    f"{self.what}: HiGHS failed ({self.highs.modelStatusToString(status)})"
                )
            solution = self.highs.getSolution()
            dual = np.asarray(solution.row_dual)
            reduced = self.cost - dual[self.served] - dual[self.n_served + self.limited]
            better = np.flatnonzero((reduced < -DUAL_TOLERANCE) & ~self.priced)
            if better.size == 0:
                break
            served, limited = self.served[better], self.limited[better]
            best = np.union1d(
                _cheapest(served, limited, reduced[better], count=PRICED_PAIRS),
                _cheapest(limited, served, reduced[better], count=PRICED_PAIRS),
            )
            self._add_pairs(better[best])
        x = np.asarray(solution.col_value)
        flows = np.zeros(self.cost.size)
        flows[self.columns] = x[self.n_served :]
        return flows, x[: self.n_served]


def _cheapest(
    node: NDArray[np.intp],
    other: NDArray[np.intp],
    cost: NDArray[np.float64],
    count: int = FIRST_PAIRS,
) -> NDArray[np.intp]:
    """Positions of each node's ``count`` cheapest pairs (ties: the lower ``other``)."""
    order = np.lexsort((other, cost, node))
    first = np.r_[0, np.flatnonzero(node[order][1:] != node[order][:-1]) + 1]
    rank = np.arange(order.size) - np.repeat(first, np.diff(np.r_[first, order.size]))
    cheapest: NDArray[np.intp] = order[rank < count]
    return cheapest


def round_whole(values: NDArray[np.float64], *, largest: float, what: str) -> NDArray[np.float64]:
    """Round a vertex solution to the integers it stands for, refusing a fractional one.

    Raises
    ------
    InternalError
        A value is further than `INTEGRALITY_TOLERANCE` × ``largest`` from an integer.
    """
    rounded = np.round(values)
    if np.abs(values - rounded).max(initial=0.0) > INTEGRALITY_TOLERANCE * max(1.0, largest):
        raise InternalError(f"{what}: HiGHS returned a fractional plan")
    return rounded
