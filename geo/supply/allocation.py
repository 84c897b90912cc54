"""Relief supply: what the shelters need, and which depot sends what where.

`demand` turns the persons assigned to each shelter into quantities per item (the needs
profile, `geo.supply.needs`). `allocate` sends depot stock to that demand at least total travel
time, one transportation problem per item solved by HiGHS, with an "unmet" slack so it
is always feasible: it first delivers as much as the stock and the open roads allow,
then at least cost. No depot sends more than it holds and no unreachable pair (``inf``
cost) carries anything. Stock readiness is `geo.supply.readiness`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from geo.errors import InputError, InternalError
from geo.supply.needs import NeedsProfile, check_count, check_days
from geo.transport import INTEGRALITY_TOLERANCE, round_whole, solve_transport

#: Quantities of items not counted in whole pieces (kg, L) are kept to this many decimals.
QUANTITY_DECIMALS = 3
STOCK_COLUMNS = ("depot_id", "item", "quantity", "unit")


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
    if units is not None:
        given = stock.assign(item=stock["item"].astype(str), unit=stock["unit"].astype(str))
        wrong = sorted(
            {
                f"{r.item} in {r.unit!r} (needs use {units[r.item]!r})"
                for r in given.itertuples()
                if r.item in units and r.unit != units[r.item]
            }
        )
        if wrong:
            raise InputError(f"stock.unit: {'; '.join(wrong)}", field="stock")
    table = pd.DataFrame(
        {
            "depot": stock["depot_id"].astype(str),
            "item": stock["item"].astype(str),
            "q": quantity.astype(float),
        }
    ).pivot_table(index="depot", columns="item", values="q", aggfunc="sum", fill_value=0.0)
    return table.astype(float)


# ---------------------------------------------------------------- allocation


def _solve_item(
    supply: NDArray[np.float64], wanted: NDArray[np.float64], cost: NDArray[np.float64], whole: bool
) -> NDArray[np.float64]:
    """Least-cost shipments (depots × shelters) of one item, never over ``supply``."""
    sent = np.zeros(cost.shape)
    d, s = np.nonzero(np.isfinite(cost) & (supply > 0)[:, None] & (wanted > 0)[None, :])
    if d.size == 0:
        return sent
    solution = solve_transport(
        cost[d, s], served=s, limited=d, wanted=wanted, available=supply, what="supply allocation"
    )
    x = np.clip(solution.flows, 0.0, None)
    if whole:
        x = round_whole(x, largest=float(wanted.max()), what="supply allocation")
    else:
        x = np.round(x, QUANTITY_DECIMALS)
    sent[d, s] = x
    _trim_to_supply(sent, supply)
    return sent


def _trim_to_supply(sent: NDArray[np.float64], supply: NDArray[np.float64]) -> None:
    """Take back rounding excess (never more than a grain) so no depot sends over its stock."""
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
    table = table.reindex(index=ids, columns=list(demand.items), fill_value=0.0)
    shipped = np.zeros((len(ids), len(demand.shelters), len(demand.items)))
    for k, item in enumerate(demand.items):
        shipped[:, :, k] = _solve_item(
            table[item].to_numpy(), demand.quantity[:, k], matrix, item in demand.integral
        )
    return _allocation(shipped, table.to_numpy(), demand, matrix, ids)


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
