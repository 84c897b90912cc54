"""The one transportation problem: send amounts from sources to sinks at least total cost.

Used twice: displaced persons from demand points to shelters with seats
(`geo.shelters.placement`), and relief items from depots to shelters
(`geo.supply.allocation`). One side of each pair must be served exactly — its rows are
equalities with an "unmet" slack so the problem is always feasible — and the other side
may not give more than it has (inequalities). Leaving one unit unmet costs more than
any chain of moves that makes room for it (at most min(sides) paid legs, each at most
1 after scaling), so the slack takes only what cannot be sent. HiGHS's dual simplex
returns a vertex, integral for integral data because the matrix is totally unimodular.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import linprog

from geo.errors import InternalError

#: Rounding slack allowed between HiGHS's vertex solution and the integers it stands for,
#: relative to the largest amount in the problem.
INTEGRALITY_TOLERANCE = 1e-6


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
        Cost per unit on each candidate pair (finite, non-negative); pairs keep the
        caller's order, which decides the vertex HiGHS returns among equal-cost plans.
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
    scale = max(float(unit_cost.max()), 1.0)
    slack = float(min(wanted.size, available.size) + 1)
    # Nodes in no pair are settled here, as HiGHS's presolve would settle them (a served
    # node's need is all unmet, a limited node gives nothing), sparing the per-column work
    # on thousands of idle rows and columns. HiGHS then solves the problem its presolve
    # would have left: the same vertex on real cases, though among exactly equal-cost
    # plans it may pick another (1 of 599 random integer-cost cases).
    rows, sources = np.unique(served), np.unique(limited)
    x = _vertex(
        unit_cost / scale,
        served=np.searchsorted(rows, served),
        limited=np.searchsorted(sources, limited),
        wanted=wanted[rows],
        available=available[sources],
        slack=slack,
        what=what,
    )
    unmet = np.asarray(wanted, dtype=float).copy()
    unmet[rows] = x[unit_cost.size :]
    return Solution(flows=x[: unit_cost.size], unmet=unmet)


def _vertex(
    cost: NDArray[np.float64],
    *,
    served: NDArray[np.intp],
    limited: NDArray[np.intp],
    wanted: NDArray[np.float64],
    available: NDArray[np.float64],
    slack: float,
    what: str,
) -> NDArray[np.float64]:
    """HiGHS's vertex: the flow on each pair, then the unmet amount of each served node."""
    n_flow, n_served = cost.size, wanted.size
    columns = np.arange(n_flow + n_served)
    a_eq = sparse.csr_matrix(
        (np.ones(n_flow + n_served), (np.concatenate([served, np.arange(n_served)]), columns)),
        shape=(n_served, n_flow + n_served),
    )
    a_ub = sparse.csr_matrix(
        (np.ones(n_flow), (limited, np.arange(n_flow))), shape=(available.size, n_flow + n_served)
    )
    result = linprog(
        np.concatenate([cost, np.full(n_served, slack)]),
        A_ub=a_ub,
        b_ub=available,
        A_eq=a_eq,
        b_eq=wanted,
        bounds=(0, None),
        method="highs-ds",  # dual simplex: a vertex, integral for this unimodular matrix
    )
    if result.status != 0:
        raise InternalError(f"{what}: HiGHS failed ({result.message})")
    return np.asarray(result.x, dtype=float)


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
