"""Depot stock readiness: whether the jurisdiction's stock meets the needs of a planning case.

`readiness` compares the total stock with the needs of a given number of persons plus a
safety margin (阳泉2026 §7.2.2: stock for a level-II response “并留有安全冗余”).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.supply.allocation import QUANTITY_DECIMALS, stock_table
from geo.supply.needs import NeedsProfile, check_count, check_days, round_up


@dataclass(frozen=True)
class ItemReadiness:
    """Stock of one item against the needs of the planning case, with the margin."""

    item: str
    unit: str
    stock: float
    need: float
    required: float
    shortfall: float
    ratio: float | None
    ready: bool
    source: str


@dataclass(frozen=True)
class Readiness:
    """Stock readiness for ``persons`` displaced over ``days``, with ``margin`` on top."""

    persons: int
    days: int
    margin: float
    items: tuple[ItemReadiness, ...]

    @property
    def ready(self) -> bool:
        """Whether every item's stock meets its requirement."""
        return all(item.ready for item in self.items)


def readiness(
    stock: pd.DataFrame, *, needs: NeedsProfile, persons: int, days: int, margin: float
) -> Readiness:
    """Whether the jurisdiction's total stock meets the needs of ``persons`` over ``days``.

    ``required`` is the need times (1 + ``margin``), rounded up for whole-piece items;
    e.g. ``persons`` = 40000, the 阳泉2026 level-II threshold for relocated persons
    (§5.2.1(2)), checks the stock §7.2.2 asks for. Stock items the profile does not
    list are left out.
    """
    count = int(check_count(persons, "persons"))
    span = check_days(days)
    spare = check_count(margin, "margin", whole=False)
    totals = stock_table(stock, units=needs.units()).sum(axis=0)
    rows = []
    for item, need in needs.needs.items():
        wanted = need.amount(count, days=span, household_size=needs.household_size)
        required = wanted * (1 + spare)
        required = (
            float(round_up(required)) if need.integral else round(required, QUANTITY_DECIMALS)
        )
        held = float(totals.get(item, 0.0))
        rows.append(
            ItemReadiness(
                item=item,
                unit=need.unit,
                stock=held,
                need=wanted,
                required=required,
                shortfall=max(0.0, round(required - held, QUANTITY_DECIMALS)),
                ratio=held / required if required > 0 else None,
                ready=held >= required,
                source=need.source,
            )
        )
    return Readiness(persons=count, days=span, margin=spare, items=tuple(rows))
