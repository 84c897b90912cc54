"""Figures reported and estimated: checked, derived from one another, completed from exposure.

A figure of CONTRACT §4 is either reported (by the caller) or estimated: derived from
reported ones (`derive_figures`) or from the exposure estimate (`estimated_figures`),
always with the basis it was estimated on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import pandas as pd

from geo.errors import InputError
from geo.incident.exposure import Exposure
from geo.plans.model import INDICATORS, Plan, to_decimal

Source = Literal["reported", "estimated"]


@dataclass(frozen=True)
class Figure:
    """A figure of CONTRACT §4 with where it came from."""

    value: float
    source: Source = "reported"
    basis: str | None = None


def plain_number(value: Decimal) -> float:
    """Return a decimal as the plain JSON number a person expects (50, not 50.0)."""
    return int(value) if value == value.to_integral_value() else float(value)


def check_figures(figures: Mapping[str, object]) -> dict[str, Decimal]:
    """Validate raw figures: known indicators, finite non-negative numbers, shares within 0–1."""
    checked: dict[str, Decimal] = {}
    for name, raw in figures.items():
        if name not in INDICATORS:
            raise InputError(
                f"figures.{name}: unknown figure; expected one of {', '.join(sorted(INDICATORS))}",
                field=f"figures.{name}",
            )
        if raw is None:
            continue
        try:
            value = to_decimal(raw)
        except TypeError as exc:
            raise InputError(f"figures.{name}: {exc}", field=f"figures.{name}") from exc
        if value < 0:
            raise InputError(
                f"figures.{name}: must not be negative (got {raw})", field=f"figures.{name}"
            )
        if INDICATORS[name][0] == "share" and value > 1:
            raise InputError(
                f"figures.{name}: a share between 0 and 1 is expected (0.3 for 30%), got {raw}",
                field=f"figures.{name}",
            )
        checked[name] = value
    return checked


def derive_figures(
    plan: Plan,
    figures: Mapping[str, Figure],
    *,
    agri_population: int | None = None,
    agri_population_basis: str | None = None,
) -> dict[str, Figure]:
    """Add figures the plan grades that follow from given ones, marked as estimated.

    ``drought_aid_share`` follows from ``drought_aid_persons`` over the affected county's
    agricultural population (阳泉 §5.x.1(4) grades the share, not the count).
    """
    result = dict(figures)
    graded = set(plan.indicators())
    persons = figures.get("drought_aid_persons")
    if (
        "drought_aid_share" in graded
        and "drought_aid_share" not in figures
        and persons is not None
        and agri_population
    ):
        share = to_decimal(persons.value) / Decimal(agri_population)
        result["drought_aid_share"] = Figure(
            value=float(min(share, Decimal(1))),
            source="estimated",
            basis=(
                f"drought_aid_persons {plain_number(to_decimal(persons.value))} / "
                f"{agri_population_basis or 'agricultural population'} {agri_population}"
            ),
        )
    return result


def estimated_figures(
    plan: Plan,
    reported: Mapping[str, Figure],
    exposure: Exposure,
    *,
    population: int,
    counties: pd.DataFrame,
) -> dict[str, Figure]:
    """Reported figures, completed with estimates for what the plan grades and was not reported.

    ``relocated`` comes from the displaced estimate; ``affected_share`` and
    ``quake_relocated_share`` from affected or displaced over the jurisdiction's population;
    ``drought_aid_share`` from ``drought_aid_persons`` over the most affected county's
    agricultural population.
    """
    figures = dict(reported)
    graded = set(plan.indicators())
    profile = f"displacement profile {exposure.profile}"
    if "relocated" not in figures:
        figures["relocated"] = Figure(
            value=exposure.displaced,
            source="estimated",
            basis=f"displaced estimate ({profile}, {exposure.hazard})",
        )
    if "affected_share" in graded and "affected_share" not in figures and population:
        figures["affected_share"] = Figure(
            value=exposure.affected / population,
            source="estimated",
            basis=f"affected {exposure.affected} / population {population} of the layer pack",
        )
    if (
        "quake_relocated_share" in graded
        and "quake_relocated_share" not in figures
        and exposure.hazard == "earthquake"
        and population
    ):
        relocated = figures["relocated"]
        figures["quake_relocated_share"] = Figure(
            value=relocated.value / population,
            source="estimated",
            basis=f"relocated {relocated.value} / population {population} of the layer pack",
        )
    rows = [r for r in exposure.by_county if r.affected > 0]
    if rows and "drought_aid_persons" in figures:
        worst = max(rows, key=lambda r: r.affected)
        agri = counties.loc[counties["code"] == worst.code, "agri_population"]
        if len(agri) and not pd.isna(agri.iloc[0]):
            figures = derive_figures(
                plan,
                figures,
                agri_population=int(agri.iloc[0]),
                agri_population_basis=f"{worst.name} agri_population",
            )
    return figures
