"""What response level reported figures call for under a plan: HTTP and ``reliefgis level``."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from geo.errors import InputError
from geo.plans.model import Plan
from geo.response.figures import COUNTY_FIGURES, CountyFigures, Figure
from geo.response.levels import Verdict, evaluate

#: A county code to the county's name and agricultural population (the layer pack's).
CountyLookup = Callable[[str], tuple[str, int | None]]


def county_figures(
    by_county: Mapping[str, Mapping[str, float]], lookup: CountyLookup | None
) -> tuple[CountyFigures, ...]:
    """Per-county figures (``figures.by_county``) with each county's agricultural population."""
    result = []
    for code, values in by_county.items():
        name, agri = code, None
        if lookup is not None:
            try:
                name, agri = lookup(code)
            except InputError as exc:
                field = f"figures.by_county.{code}"
                raise InputError(f"{field}: {exc}", field=field) from exc
        result.append(
            CountyFigures(
                code=code,
                name=name,
                agri_population=agri,
                figures={n: Figure(value=v) for n, v in values.items() if v is not None},
            )
        )
    return tuple(result)


def _legacy_county(
    plan: Plan,
    values: Mapping[str, float],
    by_county: Mapping[str, Mapping[str, float]],
    county: str | None,
) -> tuple[dict[str, float], dict[str, Mapping[str, float]]]:
    """``county`` with event figures (the older request): they are that county's figures.

    Only where the plan grades the county's own drought share; a plan that counts the
    whole jurisdiction keeps the event figure.
    """
    event, counties = dict(values), dict(by_county)
    if county is None or "drought_aid_share" not in plan.indicators():
        return event, counties
    moved = {n: event.pop(n) for n in COUNTY_FIGURES if n in event}
    if moved:
        counties[county] = {**moved, **counties.get(county, {})}
    return event, counties


def grade(
    plan: Plan,
    values: Mapping[str, float],
    *,
    hazard: str | None,
    county: str | None = None,
    by_county: Mapping[str, Mapping[str, float]] | None = None,
    lookup: CountyLookup | None = None,
) -> Verdict:
    """The level verdict for reported figures, one criterion per figure given.

    Parameters
    ----------
    plan
        The plan whose thresholds grade the figures.
    values
        Reported figures by indicator name.
    hazard
        The hazard kind, for thresholds that apply to some hazards only.
    county
        The affected county's code (older form): the drought figures given are its own.
    by_county
        Figures per county code (``figures.by_county``).
    lookup
        The layer pack's counties: code to name and agricultural population.
    """
    event, counties = _legacy_county(plan, values, by_county or {}, county)
    if county is not None and lookup is not None:
        lookup(county)  # an unknown county is refused even when no figure needs it
    return evaluate(
        plan,
        {name: Figure(value=value) for name, value in event.items()},
        hazard=hazard,
        by_county=county_figures(counties, lookup),
    )
