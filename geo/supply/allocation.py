"""Relief supply: what the shelters need, and which depot sends what where.

`demand` turns the persons assigned to each shelter into quantities per item (the needs
profile, `geo.supply.needs`). `allocate` sends depot stock to that demand at least total travel
time, one transportation problem per item over the same pairs (`geo.transport`), with an
"unmet" slack so it is always feasible: it first delivers as much as the stock and the open
roads allow, then at least cost. No depot sends more than it holds and no unreachable pair
(``inf`` cost) carries anything. Stock readiness is `geo.supply.readiness`.

Co-located depots: depots whose travel times to every shelter agree within
`COLOCATED_S` (the same snapped road node) are one supply node of the problem, holding
their stock together, so that which of them sends is not left to floating-point noise or
the solver's path. The node's shipments are split back by a fixed rule: its depots in id
order, each gives up to its stock before the next, to the shelters in demand order. The
rule changes which of the co-located depots appears in a shipment, never what a shelter
receives nor the total travel time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from geo.errors import InputError, InternalError
from geo.supply.needs import NeedsProfile, check_count, check_days
from geo.transport import INTEGRALITY_TOLERANCE, round_whole, solve_transports

#: Quantities of items not counted in whole pieces (kg, L) are kept to this many decimals.
QUANTITY_DECIMALS = 3
STOCK_COLUMNS = ("depot_id", "item", "quantity", "unit")
#: Depots whose travel times to every shelter differ by at most this (seconds) are one
#: supply node (co-located: the same snapped road node).
COLOCATED_S = 1e-6
#: The problem's unit costs are the travel times rounded to tenths of a second, as the
#: answer gives them: plans equal at that resolution are ties, decided by one rule (the
#: solver's, on the same numbers), not by the last bits of a sum of edge times, which differ
#: with the order the search added them in.
COST_DECIMALS = 1


@dataclass(frozen=True, eq=False)
class Demand:
    """Quantities per shelter (rows) and item (columns) for a planning period."""

    shelters: tuple[str, ...]
    items: tuple[str, ...]
    quantity: NDArray[np.float64]
    units: Mapping[str, str]
    integral: frozenset[str]
    days: int

    def frame(self) -> pd.DataFrame:
        """The quantities as a table indexed by shelter id, one column per item."""
        return pd.DataFrame(self.quantity, index=list(self.shelters), columns=list(self.items))


@dataclass(frozen=True)
class Shipment:
    """What one depot sends one shelter, and the travel time of the route."""

    depot: str
    shelter: str
    items: Mapping[str, float]
    duration_s: float


@dataclass(frozen=True)
class Allocation:
    """Shipments, what is left unmet (per item and per shelter), and what each depot sends.

    ``shortfall`` lists every demanded item (0 when fully met); ``shortfall_by_shelter``
    and ``sent`` list only positive quantities. Whole-piece items are ``int``.
    ``unreachable`` lists the shelters no depot reaches (all-``inf`` cost column).
    """

    shipments: tuple[Shipment, ...]
    shortfall: Mapping[str, float]
    shortfall_by_shelter: Mapping[str, Mapping[str, float]]
    sent: Mapping[str, Mapping[str, float]]
    unreachable: tuple[str, ...]


# ---------------------------------------------------------------- demand


def demand(assigned_by_shelter: Mapping[str, int], *, needs: NeedsProfile, days: int) -> Demand:
    """What each shelter needs for ``days``, from the persons assigned to it.

    Households (tents) are counted per shelter, rounded up; whole-piece items are
    rounded up per shelter.
    """
    span = check_days(days)
    for shelter, persons in assigned_by_shelter.items():
        check_count(persons, f"assigned_by_shelter[{shelter!r}]")
    items = tuple(needs.needs)
    counts = [float(p) for p in assigned_by_shelter.values()]
    # Most shelters share a head count (most often 0): each count is worked out once.
    per_count = {p: list(needs.amounts(p, days=span).values()) for p in set(counts)}
    quantity = np.array([per_count[p] for p in counts], dtype=float).reshape(
        len(assigned_by_shelter), len(items)
    )
    return Demand(
        shelters=tuple(str(s) for s in assigned_by_shelter),
        items=items,
        quantity=quantity,
        units=needs.units(),
        integral=frozenset(i for i, n in needs.needs.items() if n.integral),
        days=span,
    )


# ---------------------------------------------------------------- stock


def stock_table(stock: pd.DataFrame, *, units: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Stock summed per (depot, item): a table indexed by depot id, one column per item.

    Raises
    ------
    InputError
        A column is missing, a quantity is negative or not a number, or an item's unit
        differs from ``units`` (so stock and needs would not compare like for like).
    """
    if not isinstance(stock, pd.DataFrame):
        raise InputError("stock: expected a table (depot_stock)", field="stock")
    missing = [c for c in STOCK_COLUMNS if c not in stock.columns]
    if missing:
        raise InputError(f"stock: missing columns {missing}", field="stock")
    quantity = pd.to_numeric(stock["quantity"], errors="coerce")
    if quantity.isna().any() or not np.isfinite(quantity).all() or (quantity < 0).any():
        raise InputError("stock.quantity: expected non-negative numbers", field="stock")
    item = stock["item"].astype(str)
    if units is not None:
        pairs = zip(item.tolist(), stock["unit"].astype(str).tolist(), strict=True)
        wrong = sorted(
            {
                f"{i} in {u!r} (needs use {units[i]!r})"
                for i, u in pairs
                if i in units and u != units[i]
            }
        )
        if wrong:
            raise InputError(f"stock.unit: {'; '.join(wrong)}", field="stock")
    frame = pd.DataFrame(
        {"depot": stock["depot_id"].astype(str), "item": item, "q": quantity.astype(float)}
    )
    table = frame.groupby(["depot", "item"])["q"].sum().unstack(fill_value=0.0)
    return table.astype(float)


# ---------------------------------------------------------------- allocation


def _solve_items(
    supply: NDArray[np.float64], demand: Demand, cost: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Least-cost shipments (nodes × shelters × items), never over ``supply`` (nodes × items)."""
    sent = np.zeros((*cost.shape, len(demand.items)))
    sends = np.asarray((supply > 0).any(axis=1))
    wants = np.asarray((demand.quantity > 0).any(axis=1))
    d, s = np.nonzero(np.isfinite(cost) & sends[:, None] & wants[None, :])
    if d.size == 0:
        return sent
    solutions = solve_transports(
        cost[d, s],
        served=s,
        limited=d,
        wanted=demand.quantity,
        available=supply,
        what="supply allocation",
    )
    for k, (item, solution) in enumerate(zip(demand.items, solutions, strict=True)):
        x = np.clip(solution.flows, 0.0, None)
        if item in demand.integral:
            x = round_whole(x, largest=float(demand.quantity[:, k].max()), what="supply allocation")
        else:
            x = np.round(x, QUANTITY_DECIMALS)
        sent[d, s, k] = x
    return sent


def colocated_nodes(cost: NDArray[np.float64], depots: Sequence[str]) -> NDArray[np.intp]:
    """The supply node of each depot (cost row): the first depot, in id order, co-located with it.

    Co-located: unreachable from the same shelters, and travel times to every other
    shelter within `COLOCATED_S`.
    """
    finite = np.isfinite(cost)
    times = np.where(finite, cost, 0.0)
    # A cheap necessary condition first: sums of the times within the tolerance.
    total = times.sum(axis=1)
    node = np.arange(len(depots))
    heads: list[int] = []
    for row in sorted(range(len(depots)), key=lambda r: depots[r]):
        near = np.asarray(heads, dtype=np.intp)
        near = near[np.abs(total[near] - total[row]) <= cost.shape[1] * COLOCATED_S]
        head = next(
            (
                h
                for h in near.tolist()
                if np.array_equal(finite[h], finite[row])
                and (np.abs(times[h] - times[row]) <= COLOCATED_S).all()
            ),
            None,
        )
        if head is None:
            heads.append(row)
        else:
            node[row] = head
    return node


def _split_colocated(
    merged: NDArray[np.float64],
    node: NDArray[np.intp],
    supply: NDArray[np.float64],
    depots: Sequence[str],
) -> NDArray[np.float64]:
    """Each depot's part of its node's shipments: in id order, each up to its stock first.

    ``merged`` is indexed by depot row, the node's shipments on its head's row.
    """
    sent = merged.copy()
    for head in np.unique(node[node != np.arange(node.size)]).tolist():
        members = sorted(np.flatnonzero(node == head).tolist(), key=lambda r: depots[r])
        # Interval overlap: shelter j takes [before_j, after_j) of the node's sending
        # order, depot m gives [stock before m, stock up to m) — the last one the rest.
        after = np.cumsum(merged[head], axis=0)
        before = after - merged[head]
        held = np.cumsum(supply[members], axis=0)
        held[-1] = np.inf
        floor = np.vstack([np.zeros((1, held.shape[1])), held[:-1]])
        for m, row in enumerate(members):
            sent[row] = np.clip(
                np.minimum(after, held[m]) - np.maximum(before, floor[m]), 0.0, None
            )
    return sent


def _trim_to_supply(sent: NDArray[np.float64], supply: NDArray[np.float64]) -> None:
    """Take back rounding excess (never more than a grain) so no depot sends over its stock.

    ``sent`` is one item's (depots × shelters), ``supply`` its stock per depot.
    """
    for depot in np.flatnonzero(sent.sum(axis=1) > supply).tolist():
        excess = sent[depot].sum() - supply[depot]
        for shelter in np.argsort(-sent[depot]).tolist():
            taken = min(excess, sent[depot, shelter])
            sent[depot, shelter] -= taken
            excess -= taken
            if excess <= 0:
                break


def _value(quantity: float, whole: bool) -> float:
    return round(float(quantity)) if whole else round(float(quantity), QUANTITY_DECIMALS)


def allocate(
    stock: pd.DataFrame, demand: Demand, *, cost: ArrayLike, depots: Sequence[str]
) -> Allocation:
    """Send depot stock to shelter demand at least total travel time, item by item.

    Parameters
    ----------
    stock
        The ``depot_stock`` table: ``depot_id``, ``item``, ``quantity``, ``unit``.
    demand
        From `demand`; its units must match the stock's.
    cost
        (depots × shelters) travel time per unit, rows in ``depots`` order, columns in
        ``demand.shelters`` order (`geo.roads.travel.TravelMatrix.durations_s`); ``inf``
        where no open road joins them.
    depots
        The depot ids of the cost rows; stock of depots not listed is refused.
    """
    matrix = np.asarray(cost, dtype=float)
    ids = [str(d) for d in depots]
    if matrix.shape != (len(ids), len(demand.shelters)):
        raise InputError(
            f"cost: expected a {len(ids)} × {len(demand.shelters)} matrix (depots × shelters), "
            f"got shape {matrix.shape}",
            field="cost",
        )
    if np.isnan(matrix).any() or (matrix < 0).any():
        raise InputError("cost: expected non-negative times (inf for unreachable)", field="cost")
    table = stock_table(stock, units=demand.units)
    unknown = sorted(set(table.index) - set(ids))
    if unknown:
        raise InputError(f"stock: depots {unknown[:5]} are not in depots", field="stock")
    supply = table.reindex(index=ids, columns=list(demand.items), fill_value=0.0).to_numpy()
    node = colocated_nodes(matrix, ids)
    heads = np.flatnonzero(node == np.arange(node.size))
    held = np.zeros_like(supply)
    np.add.at(held, node, supply)
    merged = np.zeros((len(ids), len(demand.shelters), len(demand.items)))
    priced = np.round(matrix[heads], COST_DECIMALS)
    merged[heads] = _solve_items(held[heads], demand, priced)
    shipped = _split_colocated(merged, node, supply, ids)
    for k, item in enumerate(demand.items):
        if item not in demand.integral:
            shipped[:, :, k] = np.round(shipped[:, :, k], QUANTITY_DECIMALS)
        _trim_to_supply(shipped[:, :, k], supply[:, k])
    return _allocation(shipped, supply, demand, matrix, ids)


def _allocation(
    shipped: NDArray[np.float64],
    supply: NDArray[np.float64],
    demand: Demand,
    cost: NDArray[np.float64],
    depots: list[str],
) -> Allocation:
    unmet = demand.quantity - shipped.sum(axis=0)
    sent = shipped.sum(axis=1)
    if (sent > supply).any() or (unmet < -INTEGRALITY_TOLERANCE).any() or (shipped < 0).any():
        raise InternalError("supply allocation: the plan does not add up; this is a bug")
    unmet = np.clip(unmet, 0.0, None)
    whole = [item in demand.integral for item in demand.items]
    shipments = []
    for d, s in zip(*np.nonzero(shipped.sum(axis=2) > 0), strict=True):
        items = {
            item: _value(q, w)
            for item, q, w in zip(demand.items, shipped[d, s], whole, strict=True)
            if q > 0
        }
        shipments.append(Shipment(depots[d], demand.shelters[s], items, float(cost[d, s])))

    def positive(rows: NDArray[np.float64], keys: Sequence[str]) -> dict[str, dict[str, float]]:
        out = {}
        for k in np.flatnonzero((rows > 0).any(axis=1)).tolist():  # only rows with something
            key, row = keys[k], rows[k]
            values = {i: _value(q, w) for i, q, w in zip(demand.items, row, whole, strict=True)}
            kept = {i: v for i, v in values.items() if v > 0}
            if kept:
                out[key] = kept
        return out

    return Allocation(
        shipments=tuple(shipments),
        shortfall={
            i: _value(q, w) for i, q, w in zip(demand.items, unmet.sum(axis=0), whole, strict=True)
        },
        shortfall_by_shelter=positive(unmet, demand.shelters),
        sent=positive(sent, depots),
        unreachable=tuple(
            demand.shelters[s] for s in np.flatnonzero(~np.isfinite(cost).any(axis=0))
        ),
    )
