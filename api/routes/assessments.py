"""Routes of ``/api/v1/assessments``, ``/footprint-check``, ``/site-check``, ``/readiness``."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, store_of
from api.schemas.assessment import (
    AssessmentOut,
    AssessmentRequest,
    FootprintCheckOut,
    FootprintCheckRequest,
    ReadinessOut,
    SiteCheckOut,
    SiteCheckRequest,
)
from api.security import principal
from api.service.assess import answer_assessment
from api.service.footprint_check import check_footprint
from api.service.footprints import precheck
from api.service.readiness import readiness_report
from api.service.site_check import site_check

router = APIRouter(tags=["assessments"])


@router.post(
    "/assessments",
    status_code=201,
    response_model=AssessmentOut,
    response_class=Response,
    responses={201: {"content": {"application/json": {}}, "description": "The assessment"}},
)
async def create_assessment(
    body: AssessmentRequest, svc: ServicesDep, request: Request
) -> Response:
    """Assess a footprint, or an earthquake's estimated field: people, shelters, level; stored."""
    precheck(svc, body.footprint)
    answer, record = await svc.compute.run(
        answer_assessment,
        footprint=body.footprint,
        crs=body.crs,
        hazard_raster=body.hazard_raster,
        hazard=body.hazard or "earthquake",
        earthquake=body.earthquake.model_dump() if body.earthquake else None,
        use_casualty_estimate=body.use_casualty_estimate,
        plan=body.plan,
        figures=body.figures.model_dump(exclude_none=True),
        title=body.title,
    )
    await run_in_threadpool(
        store_of(svc).add_assessment, replace(record, requested_by=principal(request.scope))
    )
    return Response(
        answer,
        status_code=201,
        media_type="application/json",
        headers={"Location": f"/api/v1/assessments/{record.id}"},
    )


@router.get(
    "/assessments/{assessment_id}",
    response_model=AssessmentOut,
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "The assessment"}},
)
def get_assessment(assessment_id: str, svc: ServicesDep) -> Response:
    """A stored assessment, exactly as it was answered (and validated) when created."""
    text = store_of(svc).assessment_json(assessment_id)
    return Response(text, media_type="application/json")


@router.post("/footprint-check")
async def post_footprint_check(body: FootprintCheckRequest, svc: ServicesDep) -> FootprintCheckOut:
    """Read and check a footprint as an assessment would, without assessing it."""
    precheck(svc, body.footprint)
    answer = await svc.compute.run(
        check_footprint, body.footprint, hazard=body.hazard, plan=body.plan
    )
    return FootprintCheckOut.model_validate(answer)


@router.post("/site-check")
async def post_site_check(body: SiteCheckRequest, svc: ServicesDep) -> list[SiteCheckOut]:
    """Check candidate reconstruction sites against fault zones, flood and geological hazards."""
    precheck(svc, body.sites, field="sites")
    checks = await svc.compute.run(site_check, body.sites)
    return [SiteCheckOut.model_validate(c) for c in checks]


@router.get("/readiness")
def get_readiness(
    svc: ServicesDep,
    plan: Annotated[str | None, Query(description="Plan id; the pack's plan by default")] = None,
    days: Annotated[int | None, Query(ge=1, le=90, description="Planning days")] = None,
    margin: Annotated[float | None, Query(ge=0, le=5, description="Safety margin")] = None,
) -> ReadinessOut:
    """Depot stock in the jurisdiction against the plan's level-II relocated figure (§7.2.2)."""
    return ReadinessOut.model_validate(readiness_report(svc, plan=plan, days=days, margin=margin))
