"""What response level reported figures call for under a plan: HTTP and ``reliefgis level``."""

from __future__ import annotations

from collections.abc import Mapping

from geo.plans.model import Plan
from geo.response.figures import Figure, derive_figures
from geo.response.levels import Verdict, evaluate


def grade(
    plan: Plan,
    values: Mapping[str, float],
    *,
    hazard: str | None,
    county: tuple[str, int | None] | None = None,
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
        The affected county's name and agricultural population, when drought persons
        are to be graded as a share of it.
    """
    figures = {name: Figure(value=value) for name, value in values.items()}
    if county is not None:
        name, agri = county
        figures = derive_figures(
            plan, figures, agri_population=agri, agri_population_basis=f"{name} agri_population"
        )
    return evaluate(plan, figures, hazard=hazard)
