"""Routes of ``/api/v1/plans`` and ``/api/v1/response-level``: plan profiles and the level."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ServicesDep
from api.schemas.after_emergency import ReliefCalendarOut
from api.schemas.common import PlanDetail, PlanSummary, ResponseLevelRequest, VerdictOut
from api.service.after_emergency import calendar_out
from api.service.levels import grade
from api.service.views import plan_detail, plan_summary
from geo.response.relief_calendar import FIRST_YEAR, LAST_YEAR

router = APIRouter(tags=["plans"])


@router.get("/plans")
def list_plans(svc: ServicesDep) -> list[PlanSummary]:
    """Every plan profile the service knows."""
    return [plan_summary(entry) for entry in svc.plans]


@router.get("/plans/{plan_id}")
def get_plan(plan_id: str, svc: ServicesDep) -> PlanDetail:
    """One plan profile with every threshold, level procedure, measure and work group."""
    return plan_detail(svc.plans.file(plan_id))


@router.get("/plans/{plan_id}/relief-calendar")
def get_relief_calendar(
    plan_id: str,
    svc: ServicesDep,
    year: Annotated[
        int,
        Query(
            ge=FIRST_YEAR,
            le=LAST_YEAR,
            description=f"The winter's year, {FIRST_YEAR}–{LAST_YEAR}",
        ),
    ],
) -> ReliefCalendarOut:
    """The plan's winter–spring relief calendar (冬春救助) of a year, with clauses."""
    return calendar_out(svc, svc.plans.get(plan_id), year)


@router.post("/response-level")
def response_level(body: ResponseLevelRequest, svc: ServicesDep) -> VerdictOut:
    """The response level the plan calls for, one criterion per figure given, with clauses."""
    event, by_county = body.figures.split()
    verdict = grade(
        svc.plans.get(body.plan),
        event,
        hazard=body.hazard,
        county=body.county,
        by_county=by_county,
        lookup=svc.pack.agri_population,
    )
    return VerdictOut.model_validate(asdict(verdict))
