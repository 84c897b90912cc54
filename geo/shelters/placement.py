"""Who goes where: displaced persons sent to usable shelters, never over a capacity.

Displaced people are assigned to usable shelters by least total travel without ever
exceeding a capacity: the transportation problem of `geo.transport`, with an
"unplaced" sink so it is always feasible. For province-scale incidents the problem can
be restricted to each point's ``nearest`` cheapest shelters (`assign_displaced`), which
keeps it sparse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from geo.errors import InputError, InternalError
from geo.shelters.status import ShelterStatus
from geo.transport import round_whole, solve_transport


@dataclass(frozen=True)
class Flow:
    """Persons sent from one demand point to one shelter, at ``cost`` per person."""

    point: int
    shelter: str
    persons: int
    cost: float


@dataclass(frozen=True)
class Assignment:
    """Who goes where: persons per shelter, persons left without a place per county."""

    assigned: Mapping[str, int]
    unplaced: Mapping[str, int]
    flows: tuple[Flow, ...]
    total_cost: float

    @property
    def placed_total(self) -> int:
        """Persons given a place."""
        return sum(self.assigned.values())

    @property
    def unplaced_total(self) -> int:
        """Persons left without a place."""
        return sum(self.unplaced.values())


def straight_line_cost(points_xy: ArrayLike, shelters_xy: ArrayLike) -> NDArray[np.float64]:
    """The (points × shelters) matrix of straight-line distances in metres (metric CRS)."""
    points = np.asarray(points_xy, dtype=float).reshape(-1, 2)
    targets = np.asarray(shelters_xy, dtype=float).reshape(-1, 2)
    distance: NDArray[np.float64] = np.hypot(
        points[:, None, 0] - targets[None, :, 0], points[:, None, 1] - targets[None, :, 1]
    )
    return distance


def _integers(values: ArrayLike, name: str) -> NDArray[np.int64]:
    array = np.asarray(values)
    if array.size and (
        not np.issubdtype(array.dtype, np.number)
        or np.issubdtype(array.dtype, np.complexfloating)
        or not np.isfinite(array).all()
        or (array != np.round(array)).any()
        or (array < 0).any()
    ):
        raise InputError(f"{name}: expected non-negative whole numbers of persons", field=name)
    return array.astype(np.int64)


def _check_assignment_input(
    demand: pd.DataFrame, shelters: Sequence[ShelterStatus], cost: ArrayLike, capacity: ArrayLike
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]]:
    missing = [c for c in ("county", "persons") if c not in demand.columns]
    if missing:
        raise InputError(f"demand: missing columns {missing}", field="demand")
    persons = _integers(demand["persons"].to_numpy(), "demand.persons")
    matrix = np.asarray(cost, dtype=float)
    if matrix.shape != (len(demand), len(shelters)):
        raise InputError(
            f"cost: expected a {len(demand)} × {len(shelters)} matrix (points × shelters), "
            f"got shape {matrix.shape}",
            field="cost",
        )
    if (matrix < 0).any() or np.isnan(matrix).any():
        raise InputError("cost: expected non-negative costs (inf for unreachable)", field="cost")
    seats = _integers(capacity, "capacity")
    if seats.shape != (len(shelters),):
        raise InputError(
            f"capacity: expected one value per shelter ({len(shelters)}), got {seats.shape}",
            field="capacity",
        )
    return persons, matrix, seats


def _nearest_pairs(
    points: NDArray[np.intp], targets: NDArray[np.intp], unit: NDArray[np.float64], nearest: int
) -> NDArray[np.bool_]:
    """Which candidate pairs are among their point's ``nearest`` cheapest (ties: lower index)."""
    order = np.lexsort((targets, unit, points))
    first = np.r_[0, np.flatnonzero(points[order][1:] != points[order][:-1]) + 1]
    rank = np.arange(order.size) - np.repeat(first, np.diff(np.r_[first, order.size]))
    keep = np.zeros(order.size, dtype=bool)
    keep[order[rank < nearest]] = True
    return keep


def _solve(
    persons: NDArray[np.int64],
    cost: NDArray[np.float64],
    seats: NDArray[np.int64],
    nearest: int | None = None,
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.int64], NDArray[np.int64]]:
    """Flows (point, shelter, persons) of the least-cost plan, and the unplaced per point."""
    points, targets = np.nonzero(np.isfinite(cost) & (seats > 0)[None, :] & (persons > 0)[:, None])
    if nearest is not None and points.size:
        keep = _nearest_pairs(points, targets, cost[points, targets], nearest)
        points, targets = points[keep], targets[keep]
    if points.size == 0:
        return points, targets, np.zeros(0, dtype=np.int64), persons.copy()
    solution = solve_transport(
        cost[points, targets],
        served=points,
        limited=targets,
        wanted=persons.astype(float),
        available=seats.astype(float),
        what="shelter assignment",
    )
    x = np.concatenate([solution.flows, solution.unmet])
    rounded = round_whole(x, largest=float(persons.max()), what="shelter assignment").astype(
        np.int64
    )
    return points, targets, rounded[: points.size], rounded[points.size :]


def _check_plan(
    points: NDArray[np.intp],
    sent: NDArray[np.int64],
    left: NDArray[np.int64],
    *,
    persons: NDArray[np.int64],
    counties: NDArray[np.object_],
    unplaced: pd.Series,
) -> None:
    """Refuse a plan whose persons sent and left do not add up per point and per county."""
    placed = np.bincount(points, weights=sent, minlength=persons.size).astype(np.int64)
    wanted = pd.Series(persons).groupby(counties, sort=True).sum()
    got = pd.Series(placed).groupby(counties, sort=True).sum()
    if (
        (sent < 0).any()
        or (left < 0).any()
        or (placed + left != persons).any()
        or not (got + unplaced).equals(wanted)
    ):
        raise InternalError("shelter assignment: the plan does not add up; this is a bug")


def _check_nearest(nearest: int | None) -> None:
    if nearest is not None and (isinstance(nearest, bool) or nearest < 1):
        raise InputError(
            "nearest: expected a whole number of shelters, at least 1", field="nearest"
        )


def assign_displaced(
    demand: pd.DataFrame,
    shelters: Sequence[ShelterStatus],
    *,
    cost: ArrayLike,
    capacity: ArrayLike | None = None,
    nearest: int | None = None,
) -> Assignment:
    """Send displaced persons to usable shelters by least total cost, never over capacity.

    Parameters
    ----------
    demand
        One row per demand point: ``county`` (code) and ``persons`` (whole numbers; the
        caller rounds).
    shelters
        The statuses from `classify_shelters`; only ``usable`` ones receive anyone.
    cost
        (points × shelters) cost per person: straight-line metres (`straight_line_cost`),
        or a travel time; ``inf`` marks a pair with no way between them.
    capacity
        Places per shelter; each shelter's ``capacity`` when not given.
    nearest
        A RESTRICTION for large problems: each demand point may go only to its
        ``nearest`` cheapest usable shelters with places (ties to the lower shelter
        index); the rest of its people stay unplaced, never sent farther. None (the
        default), or a number at least the count of such shelters, gives the
        unrestricted least-cost plan. It keeps the problem sparse: points × ``nearest``
        flows instead of points × shelters.

    Raises
    ------
    InternalError
        If the solved plan does not add up exactly (a bug, never bad input).
    """
    seats_in = [s.capacity for s in shelters] if capacity is None else capacity
    persons, matrix, seats = _check_assignment_input(demand, shelters, cost, seats_in)
    usable = np.array([s.usable for s in shelters], dtype=bool)
    _check_nearest(nearest)
    points, targets, sent, left = _solve(persons, matrix, np.where(usable, seats, 0), nearest)
    ids = [s.id for s in shelters]
    assigned = np.bincount(targets, weights=sent, minlength=len(ids)).astype(np.int64)
    counties = demand["county"].astype(str).to_numpy()
    unplaced = pd.Series(left).groupby(counties, sort=True).sum()
    _check_plan(points, sent, left, persons=persons, counties=counties, unplaced=unplaced)
    if (assigned > seats).any() or (assigned[~usable] != 0).any():
        raise InternalError("shelter assignment: the plan does not add up; this is a bug")
    positive = sent > 0
    flows = tuple(
        Flow(point=int(i), shelter=ids[j], persons=int(n), cost=float(matrix[i, j]))
        for i, j, n in zip(points[positive], targets[positive], sent[positive], strict=True)
    )
    return Assignment(
        assigned={sid: int(n) for sid, n in zip(ids, assigned, strict=True)},
        unplaced={str(code): int(n) for code, n in unplaced.items()},
        flows=flows,
        total_cost=float(sum(f.persons * f.cost for f in flows)),
    )
