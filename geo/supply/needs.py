"""Relief needs per displaced person: the profile, and what a number of persons needs.

The profile (``data/needs/default.toml``, read by `layers.profiles.read_needs`) gives each item once
per person (durables), per person per day (consumables) or per household (a tent),
with its unit and source. `parse_needs` freezes it, refusing a malformed one with every
problem named at once. `Need.amount` turns persons and planning days into a quantity,
rounding whole-piece items up.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from geo.errors import InputError, ProfileError

Per = Literal["person", "person_day", "household"]
PER: tuple[Per, ...] = ("person", "person_day", "household")
#: Quotients within this of a whole number count as that number (2.62 × 100 / 2.62).
WHOLE_TOLERANCE = 1e-9

_ITEM_KEYS = frozenset({"quantity", "per", "unit", "integral", "source", "status"})


def round_up(value: float) -> int:
    """The whole number at or above ``value``, ignoring float noise below `WHOLE_TOLERANCE`."""
    return math.ceil(value - WHOLE_TOLERANCE)


def check_count(value: object, name: str, *, whole: bool = True) -> float:
    """Refuse anything but a non-negative finite number (a whole one when ``whole``)."""
    ok = (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and value >= 0
        and (not whole or float(value).is_integer())
    )
    if not ok:
        kind = "whole number" if whole else "number"
        raise InputError(f"{name}: expected a non-negative {kind}, got {value!r}", field=name)
    return float(cast(float, value))


@dataclass(frozen=True)
class Need:
    """What one displaced person (or household) needs of one item, with its source."""

    item: str
    quantity: float
    per: Per
    unit: str
    integral: bool
    source: str
    status: str

    def amount(self, persons: float, *, days: int, household_size: float) -> float:
        """The quantity ``persons`` need over ``days``; whole-piece items rounded up."""
        if self.per == "household":
            value = round_up(persons / household_size) * self.quantity
        elif self.per == "person_day":
            value = persons * self.quantity * days
        else:
            value = persons * self.quantity
        return float(round_up(value)) if self.integral else value


@dataclass(frozen=True)
class NeedsProfile:
    """A parsed needs profile: items in file order, household size, planning defaults."""

    name: str
    needs: Mapping[str, Need]
    household_size: float
    household_source: str
    planning_days: int
    planning_days_source: str
    margin: float
    margin_source: str

    def units(self) -> dict[str, str]:
        """Item to unit."""
        return {item: need.unit for item, need in self.needs.items()}

    def amounts(self, persons: float, *, days: int) -> dict[str, float]:
        """Item to the quantity ``persons`` need over ``days``."""
        return {
            item: need.amount(persons, days=days, household_size=self.household_size)
            for item, need in self.needs.items()
        }


# ---------------------------------------------------------------- parsing


def _text(raw: Mapping[str, Any], key: str, where: str, problems: list[str]) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}.{key}: expected text")
        return ""
    return value.strip()


def _number(
    raw: Mapping[str, Any], key: str, where: str, problems: list[str], *, positive: bool
) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append(f"{where}.{key}: expected a number")
        return math.nan
    if value < 0 or (positive and value == 0):
        problems.append(
            f"{where}.{key}: expected a {'positive' if positive else 'non-negative'} number"
        )
    return float(value)


def _need(item: str, raw: object, problems: list[str]) -> Need | None:
    where = f"items.{item}"
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: expected a table")
        return None
    before = len(problems)
    quantity = _number(raw, "quantity", where, problems, positive=False)
    per = raw.get("per")
    if per not in PER:
        problems.append(f"{where}.per: expected one of {', '.join(PER)}, got {per!r}")
    integral = raw.get("integral")
    if not isinstance(integral, bool):
        problems.append(f"{where}.integral: expected true or false")
    unit, source, status = (_text(raw, k, where, problems) for k in ("unit", "source", "status"))
    unknown = sorted(set(raw) - _ITEM_KEYS)
    if unknown:
        problems.append(f"{where}: unknown keys {unknown}")
    if len(problems) > before:
        return None
    return Need(
        item=item,
        quantity=quantity,
        per=cast(Per, per),
        unit=unit,
        integral=bool(integral),
        source=source,
        status=status,
    )


def _table(data: Mapping[str, Any], key: str, problems: list[str]) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        problems.append(f"{key}: missing; expected a table")
        return {}
    return value


def parse_needs(data: Mapping[str, Any], *, source: str) -> NeedsProfile:
    """Check a needs profile mapping and freeze it.

    Raises
    ------
    ProfileError
        Naming ``source`` and every key that is missing or malformed.
    """
    problems: list[str] = []
    planning = _table(data, "planning", problems)
    household = _table(data, "household", problems)
    items = _table(data, "items", problems)
    if "items" in data and not items:
        problems.append("items: expected one table per item")
    days = planning.get("days")
    if planning and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        problems.append("planning.days: expected a whole number of days, at least 1")
    margin = _number(planning, "margin", "planning", problems, positive=False) if planning else 0.0
    size = _number(household, "persons", "household", problems, positive=True) if household else 1.0
    texts = {
        key: _text(table, key, where, problems)
        for table, where, key in (
            (planning, "planning", "days_source"),
            (planning, "planning", "margin_source"),
            (household, "household", "source"),
        )
        if table
    }
    needs = {item: _need(item, raw, problems) for item, raw in items.items()}
    if problems:
        raise ProfileError(f"needs profile {source} refused — " + "; ".join(problems))
    return NeedsProfile(
        name=str(data.get("name") or source),
        needs={k: v for k, v in needs.items() if v is not None},
        household_size=size,
        household_source=texts["source"],
        planning_days=int(cast(int, days)),
        planning_days_source=texts["days_source"],
        margin=margin,
        margin_source=texts["margin_source"],
    )


def check_days(days: object) -> int:
    """Return ``days`` if it is a whole number of days, at least 1; refuse it otherwise."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise InputError(
            f"days: expected a whole number of days, at least 1, got {days!r}", field="days"
        )
    return days
