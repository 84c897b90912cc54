"""Routes of ``/api/v1``: thin — validate, call geo/ and layers/, serialise."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, store_of
from api.routes.maps import situation_map
from api.schemas.assessment import (
    AssessmentOut,
    AssessmentRequest,
    ReadinessOut,
    SiteCheckOut,
    SiteCheckRequest,
)
from api.schemas.common import (
    Health,
    LayerInfo,
    PlanDetail,
    PlanSummary,
    ResponseLevelRequest,
    VerdictOut,
)
from api.security import principal
from api.service.assess import answer_assessment, readiness_report, site_check
from api.service.views import layer_geojson, parse_bbox, plan_detail, plan_summary
from geo.response.figures import Figure, derive_figures
from geo.response.levels import evaluate

router = APIRouter()


@router.get("/health", tags=["service"])
def health(svc: ServicesDep) -> Health:
    """Service status, the pack in use and what it holds."""
    return Health(
        status="ok",
        version=svc.version,
        pack=str(svc.pack.path),
        plans=svc.plans.ids(),
        layers={info.name: info.count for info in svc.layer_infos},
        repairs=list(svc.pack.repairs),
        compute_processes=svc.compute.ready,
    )


@router.get("/plans", tags=["plans"])
def list_plans(svc: ServicesDep) -> list[PlanSummary]:
    """Every plan profile the service knows."""
    return [plan_summary(entry) for entry in svc.plans]


@router.get("/plans/{plan_id}", tags=["plans"])
def get_plan(plan_id: str, svc: ServicesDep) -> PlanDetail:
    """One plan profile with every threshold, level procedure, measure and work group."""
    return plan_detail(svc.plans.file(plan_id))


@router.post("/response-level", tags=["plans"])
def response_level(body: ResponseLevelRequest, svc: ServicesDep) -> VerdictOut:
    """The response level the plan calls for, one criterion per figure given, with clauses."""
    plan = svc.plans.get(body.plan)
    figures = {
        name: Figure(value=value)
        for name, value in body.figures.model_dump(exclude_none=True).items()
    }
    if body.county is not None:
        name, agri = svc.pack.agri_population(body.county)
        figures = derive_figures(
            plan, figures, agri_population=agri, agri_population_basis=f"{name} agri_population"
        )
    verdict = evaluate(plan, figures, hazard=body.hazard)
    return VerdictOut.model_validate(asdict(verdict))


@router.get("/layers", tags=["layers"])
def list_layers(svc: ServicesDep) -> list[LayerInfo]:
    """The layers of the pack with counts, geometry types and CRS."""
    return list(svc.layer_infos)


@router.get(
    "/layers/{name}",
    tags=["layers"],
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}, "description": "FeatureCollection"}},
)
def get_layer(
    name: str,
    svc: ServicesDep,
    bbox: Annotated[
        str | None,
        Query(
            description="minx,miny,maxx,maxy in EPSG:4326; only features intersecting it",
            max_length=200,
        ),
    ] = None,
) -> Response:
    """A vector layer as a GeoJSON FeatureCollection (EPSG:4326), optionally within a bbox."""
    box: Any = parse_bbox(bbox) if bbox is not None else None
    text = svc.layer_text(name) if box is None else layer_geojson(svc.pack, name, box)
    return Response(text, media_type="application/geo+json")


@router.post(
    "/assessments",
    tags=["assessments"],
    status_code=201,
    response_model=AssessmentOut,
    response_class=Response,
    responses={201: {"content": {"application/json": {}}, "description": "The assessment"}},
)
async def create_assessment(
    body: AssessmentRequest, svc: ServicesDep, request: Request
) -> Response:
    """Assess an incident footprint: people affected and displaced, shelters, level; stored."""
    text, record = await svc.compute.run(
        answer_assessment,
        footprint=body.footprint,
        hazard=body.hazard,
        plan=body.plan,
        figures=body.figures.model_dump(exclude_none=True),
        title=body.title,
    )
    await run_in_threadpool(
        store_of(svc).add_assessment, replace(record, requested_by=principal(request.scope))
    )
    return Response(
        text,
        status_code=201,
        media_type="application/json",
        headers={"Location": f"/api/v1/assessments/{record.id}"},
    )


@router.get(
    "/assessments/{assessment_id}",
    tags=["assessments"],
    response_model=AssessmentOut,
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "The assessment"}},
)
def get_assessment(assessment_id: str, svc: ServicesDep) -> Response:
    """A stored assessment, exactly as it was answered (and validated) when created."""
    text = store_of(svc).assessment_json(assessment_id)
    return Response(text, media_type="application/json")


@router.post("/site-check", tags=["assessments"])
def post_site_check(body: SiteCheckRequest, svc: ServicesDep) -> list[SiteCheckOut]:
    """Check candidate reconstruction sites against fault zones, flood and geological hazards."""
    return [SiteCheckOut.model_validate(c) for c in site_check(svc, body.sites)]


@router.get("/readiness", tags=["assessments"])
def get_readiness(
    svc: ServicesDep,
    plan: Annotated[str | None, Query(description="Plan id; the pack's plan by default")] = None,
    days: Annotated[int | None, Query(ge=1, le=90, description="Planning days")] = None,
    margin: Annotated[float | None, Query(ge=0, le=5, description="Safety margin")] = None,
) -> ReadinessOut:
    """Depot stock in the jurisdiction against the plan's level-II relocated figure (§7.2.2)."""
    return ReadinessOut.model_validate(readiness_report(svc, plan=plan, days=days, margin=margin))


@router.get(
    "/assessments/{assessment_id}/map.pdf",
    tags=["assessments"],
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "Situation map"}},
)
async def get_map_pdf(
    assessment_id: str,
    svc: ServicesDep,
    paper: Annotated[Literal["A3", "A4"], Query(description="Paper size, landscape")] = "A3",
) -> Response:
    """The printed situation map (PDF, landscape) of a stored assessment."""
    text = await run_in_threadpool(store_of(svc).assessment_json, assessment_id)
    pdf = await svc.compute.run(situation_map, text, paper=paper)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{assessment_id}-{paper}.pdf"'},
    )
