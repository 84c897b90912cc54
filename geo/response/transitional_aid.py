"""Who needs transitional living aid (过渡期生活救助), county by county, and for how much.

阳泉2026 §6.1.1 (攀枝花2024 and 江苏 alike) brings into transitional aid 「因灾房屋倒塌或严重
损坏需恢复重建无房可住人员、因次生灾害威胁在外安置无法返家人员」. Both groups come from the
incident's reports: the households whose houses collapsed or were severely damaged
(``collapsed_households``, 户) and the people still housed away who cannot return
(``in_shelters``, 人: those whose houses stand; those who lost them are counted through
their households). Households become persons, and persons households, through the
household size (the needs profile's, cited): so those figures are estimates (估算).

The need is persons × months × the monthly standard per person, both from the plan
profile. None of the four plans states them: a missing standard leaves the need missing
(None, with the profile's note), never zero. Rows are whole numbers that add up to the
totals (largest remainder, `geo.rounding`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from geo.errors import InputError
from geo.plans.after_rules import AfterEmergency
from geo.rounding import largest_remainder

#: The figures of transitional aid a report may give, per county or for the whole event.
AID_FIGURES = ("collapsed_households", "in_shelters")
#: The row of what the event's figures hold beyond the counties' (未分县).
UNALLOCATED = "未分县"


@dataclass(frozen=True)
class Reported:
    """A reported figure of one county (or of the event) and whether it was an estimate."""

    value: float
    estimated: bool = False


@dataclass(frozen=True)
class CountyAid:
    """The figures reported for one county (code None: the event beyond its counties)."""

    code: str | None
    name: str
    collapsed_households: Reported | None
    in_shelters: Reported | None


@dataclass(frozen=True)
class AidRow:
    """One county's row of the register (台账): figures reported and the aid they call for."""

    code: str | None
    name: str
    collapsed_households: int | None
    in_shelters: int | None
    #: Households needing transitional aid: collapsed ones and those of people in shelters.
    households: int
    #: Persons needing transitional aid.
    persons: int
    #: persons × months × the monthly standard (元); None while a standard is missing.
    need: int | None
    #: Which of this row's figures are estimates (估算).
    estimated: tuple[str, ...]


@dataclass(frozen=True)
class TransitionalAid:
    """Transitional aid over the counties, the totals they sum to, and the standards used."""

    rows: tuple[AidRow, ...]
    total: AidRow
    months: int | None
    monthly_per_person: Decimal | None
    household_persons: float
    household_source: str


def _check(county: CountyAid) -> None:
    for name in AID_FIGURES:
        figure: Reported | None = getattr(county, name)
        if figure is not None and figure.value < 0:
            where = f"figures.by_county.{county.code}" if county.code else "figures"
            raise InputError(
                f"{where}.{name}: must not be negative (got {figure.value})",
                field=f"{where}.{name}",
            )


def with_remainder(counties: Sequence[CountyAid], event: CountyAid) -> list[CountyAid]:
    """The counties, and a 未分县 row for what the event's figures hold beyond their sum.

    An event figure below the counties' sum adds nothing: the counties' rows stand.
    """
    rest: dict[str, Reported | None] = {}
    for name in AID_FIGURES:
        total: Reported | None = getattr(event, name)
        given = sum(f.value for c in counties if (f := getattr(c, name)) is not None)
        more = total.value - given if total is not None else 0
        rest[name] = Reported(more, total.estimated) if total and more > 0 else None
    found = list(counties)
    if any(rest.values()):
        found.append(CountyAid(code=None, name=UNALLOCATED, **rest))
    return found


def _value(figure: Reported | None) -> float:
    return figure.value if figure is not None else 0.0


def _spread(exact: Sequence[float]) -> list[int]:
    """Whole numbers summing to the exact total rounded half up (38.5 → 39)."""
    total = math.floor(sum(exact) + 0.5)
    if not total:
        return [0] * len(exact)
    return largest_remainder(exact, total)


def transitional_aid(
    rules: AfterEmergency,
    counties: Sequence[CountyAid],
    *,
    household_persons: float,
    household_source: str,
) -> TransitionalAid:
    """The households and persons needing transitional aid per county, and their need.

    ``counties`` as reported (with `with_remainder` for the event beyond them); figures
    must not be negative (`InputError` naming the figure).
    """
    for county in counties:
        _check(county)
    size = household_persons
    persons = _spread(
        [_value(c.collapsed_households) * size + _value(c.in_shelters) for c in counties]
    )
    households = _spread(
        [_value(c.collapsed_households) + _value(c.in_shelters) / size for c in counties]
    )
    rate = None
    if rules.months is not None and rules.monthly_per_person is not None:
        rate = rules.monthly_per_person * rules.months
    needs = (
        _spread([float(rate * p) for p in persons]) if rate is not None else [None] * len(counties)
    )
    rows = tuple(
        _row(c, households=h, persons=p, need=n)
        for c, h, p, n in zip(counties, households, persons, needs, strict=True)
    )
    total = AidRow(
        code=None,
        name="合计",
        collapsed_households=_sum(r.collapsed_households for r in rows),
        in_shelters=_sum(r.in_shelters for r in rows),
        households=sum(households),
        persons=sum(persons),
        need=sum(n for n in needs if n is not None) if rate is not None else None,
        estimated=tuple(sorted({e for r in rows for e in r.estimated})),
    )
    return TransitionalAid(
        rows=rows,
        total=total,
        months=rules.months,
        monthly_per_person=rules.monthly_per_person,
        household_persons=size,
        household_source=household_source,
    )


def _sum(values: Iterable[int | None]) -> int | None:
    found = [v for v in values if v is not None]
    return sum(found) if found else None


def _row(county: CountyAid, *, households: int, persons: int, need: int | None) -> AidRow:
    collapsed, shelters = county.collapsed_households, county.in_shelters
    estimated = [n for n in AID_FIGURES if (f := getattr(county, n)) is not None and f.estimated]
    if collapsed is not None and collapsed.value:
        estimated.append("persons")
    if shelters is not None and shelters.value:
        estimated.append("households")
    if need is not None and estimated:
        estimated.append("need")
    return AidRow(
        code=county.code,
        name=county.name,
        collapsed_households=round(collapsed.value) if collapsed is not None else None,
        in_shelters=round(shelters.value) if shelters is not None else None,
        households=households,
        persons=persons,
        need=need,
        estimated=tuple(sorted(set(estimated))),
    )
