"""Whether the depot stock is ready for the plan's level-II relocated figure (plans §7.2.2)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from api.service.bootstrap import Services
from geo.errors import InputError
from geo.plans.model import Plan, Threshold
from geo.supply.readiness import readiness

LEVEL_TWO = 2


def level_two_relocated(plan: Plan) -> Threshold:
    """The plan's level-II threshold on relocated persons, or an `InputError` naming ``plan``."""
    level_two = [t for t in plan.thresholds if t.indicator == "relocated" and t.level == LEVEL_TWO]
    if not level_two:
        raise InputError(
            f"plan: {plan.id} has no level-II threshold on relocated persons", field="plan"
        )
    return level_two[0]


def _margin(services: Services, margin: float | None) -> float:
    """The safety margin asked for, else the settings', else the needs profile's."""
    if margin is not None:
        return margin
    if services.settings.readiness_margin is not None:
        return services.settings.readiness_margin
    return services.logistics.needs.margin


def readiness_report(
    services: Services, *, plan: str | None, days: int | None, margin: float | None
) -> dict[str, Any]:
    """Stock against the needs of the plan's level-II relocated threshold (plans §7.2.2)."""
    chosen = services.plans.get(services.plan_id(plan))
    threshold = level_two_relocated(chosen)
    result = readiness(
        services.pack.depot_stock,
        needs=services.logistics.needs,
        persons=int(threshold.min),
        days=days or services.logistics.days,
        margin=_margin(services, margin),
    )
    return {
        "plan": chosen.id,
        "persons": result.persons,
        "clause": chosen.cite(threshold.clause),
        "days": result.days,
        "margin": result.margin,
        "ready": result.ready,
        "items": [asdict(item) for item in result.items],
    }
