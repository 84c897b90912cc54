"""Figures reported and estimated: checked, derived from one another, completed from exposure.

A figure of CONTRACT §4 is either reported (by the caller) or estimated: derived from
reported ones (`county_share`) or from the exposure estimate (`estimated_figures`),
always with the basis it was estimated on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from geo.errors import InputError
from geo.plans.model import INDICATORS, Plan, to_decimal

if TYPE_CHECKING:  # annotations only: the quick commands grade without pandas
    import pandas as pd

    from geo.incident.exposure import Exposure

Source = Literal["reported", "estimated"]

#: Figures that may be reported per county (``figures.by_county``).
COUNTY_FIGURES = ("drought_aid_persons", "drought_aid_share")


@dataclass(frozen=True)
class Figure:
    """A figure of CONTRACT §4 with where it came from."""

    value: float
    source: Source = "reported"
    basis: str | None = None
    #: True when the estimate counts only part of what the plan's figure names (collapsed
    #: rooms standing in for 倒塌和严重损坏): a level it reaches is reached; one it misses
    #: may not be missed.
    lower_bound: bool = False


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


@dataclass(frozen=True)
class CountyFigures:
    """Figures reported for one county (``figures.by_county``) and its agricultural population."""

    code: str
    name: str
    agri_population: int | None
    figures: Mapping[str, Figure]


def check_county(county: CountyFigures) -> dict[str, Decimal]:
    """Validate one county's figures: only those graded per county, checked as `check_figures`."""
    where = f"figures.by_county.{county.code}"
    for name in county.figures:
        if name not in COUNTY_FIGURES:
            raise InputError(
                f"{where}.{name}: not a per-county figure; expected one of "
                f"{', '.join(COUNTY_FIGURES)}",
                field=f"{where}.{name}",
            )
    try:
        return check_figures({name: f.value for name, f in county.figures.items()})
    except InputError as exc:
        name = str(exc.field).removeprefix("figures.")
        raise InputError(
            f"{where}.{str(exc).removeprefix('figures.')}", field=f"{where}.{name}"
        ) from exc


def county_share(county: CountyFigures) -> Figure | None:
    """The county's drought share: reported, or its persons over its agricultural population.

    阳泉 §5.x.1(4) grades 需政府救助人数占该县（区）农业人口 per county. None when neither the
    share nor persons and an agricultural population are known. Persons above the county's
    agricultural population are an error naming the figure and the county, never capped.
    """
    if "drought_aid_share" in county.figures:
        return county.figures["drought_aid_share"]
    persons = county.figures.get("drought_aid_persons")
    if persons is None or not county.agri_population:
        return None
    count = to_decimal(persons.value)
    share = count / Decimal(county.agri_population)
    if share > 1:
        field = f"figures.by_county.{county.code}.drought_aid_persons"
        raise InputError(
            f"{field}: {plain_number(count)} persons needing aid exceed the agricultural "
            f"population {county.agri_population} of {county.name} ({county.code}); "
            "check the figure or the county",
            field=field,
        )
    return Figure(
        value=float(share),
        source="estimated",
        basis=(
            f"drought_aid_persons {plain_number(count)} / "
            f"{county.name} agri_population {county.agri_population}"
        ),
    )


def drought_counties(
    plan: Plan,
    reported: Mapping[str, Figure],
    exposure: Exposure,
    *,
    counties: pd.DataFrame,
    by_county: Sequence[CountyFigures] = (),
) -> tuple[CountyFigures, ...]:
    """The counties whose drought share an assessment grades.

    ``by_county`` as reported; else, when the event's ``drought_aid_persons`` is reported and
    the footprint touches exactly one county, that county (the share is of THAT county's
    agricultural population, 阳泉 §5.x.1(4)). With several counties and no per-county figures
    nothing is guessed: the share is left not evaluated.
    """
    if by_county or "drought_aid_share" not in plan.indicators():
        return tuple(by_county)
    persons = reported.get("drought_aid_persons")
    rows = [r for r in exposure.by_county if r.affected > 0]
    if persons is None or len(rows) != 1:
        return ()
    agri = counties.loc[counties["code"] == rows[0].code, "agri_population"]
    value = None if not len(agri) or bool(agri.isna().iloc[0]) else int(agri.iloc[0])
    return (
        CountyFigures(
            code=rows[0].code,
            name=rows[0].name,
            agri_population=value,
            figures={"drought_aid_persons": persons},
        ),
    )


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
    ``quake_relocated_share`` from affected or displaced over the jurisdiction's population.
    The drought share is per county (`drought_counties`).
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
    return figures
