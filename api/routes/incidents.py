"""Routes of ``/api/v1/incidents``: incidents, reports, verdicts, decisions and deadlines.

Thin: parse the request, call `api.service.incidents` or `api.service.reports`, answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ServicesDep, store_of
from api.schemas.deadline import DeadlinesOut
from api.schemas.decision import (
    CountyResponseOut,
    CountyResponseRequest,
    DecisionOut,
    DecisionRequest,
)
from api.schemas.incident import (
    IncidentOut,
    IncidentRequest,
    IncidentSummaryOut,
    IncidentVerdictOut,
    ReportAnswer,
    ReportRequest,
)
from api.schemas.warning import (
    MeasureDoneOut,
    MeasureDoneRequest,
    StageOut,
    StageRequest,
    WarningOut,
)
from api.security import principal
from api.service.after_emergency import REGISTER_TYPES, register_file
from api.service.decisions import (
    CountyResponseTaker,
    county_response_out,
    decision_out,
    now,
    take_decision,
)
from api.service.footprints import precheck
from api.service.forecast import Forecast, stage_footprint
from api.service.incidents import (
    incident_deadlines,
    incident_out,
    open_incident,
    report_out,
    summary_out,
)
from api.service.reports import report_decision
from api.service.warning import (
    MeasureTaker,
    StageTaker,
    check_stage,
    first_stages,
    measure_done_out,
    stage_out,
    warning_out,
)
from geo.errors import NotFound
from layers.store.records import IncidentHistory

router = APIRouter(prefix="/incidents", tags=["incidents"])
IncidentId = Annotated[str, Path(max_length=64, description="Incident id")]


@router.post("", status_code=201)
async def create_incident(
    body: IncidentRequest, svc: ServicesDep, request: Request, response: Response
) -> IncidentOut:
    """Open an incident: footprint (a forecast's with stage warning), hazard, plan, title, time."""
    precheck(svc, body.footprint)
    found: Forecast = await svc.compute.run(
        stage_footprint,
        body.footprint,
        stage=body.stage,
        hazard=body.hazard,
        plan=svc.plan_id(body.plan),
    )
    record = open_incident(svc, body, principal(request.scope), footprint=found.area)
    stages = first_stages(record, stage=body.stage, record=found.record)
    await run_in_threadpool(store_of(svc).add_incident, record, *stages)
    response.headers["Location"] = f"/api/v1/incidents/{record.id}"
    return incident_out(
        svc, IncidentHistory(incident=record, reports=(), verdicts=(), stages=stages)
    )


@router.post("/{incident_id}/footprint", status_code=201)
async def add_footprint(
    incident_id: IncidentId,
    body: StageRequest,
    svc: ServicesDep,
    request: Request,
    response: Response,
) -> StageOut:
    """The disaster's footprint, ending the warning stage (or a newer forecast while a warning)."""
    precheck(svc, body.footprint)
    store = store_of(svc)
    head = await run_in_threadpool(store.incident, incident_id, limit=1)
    check_stage(head, body.stage)  # before the work; again while the store holds the incident
    incident = head.incident
    found: Forecast = await svc.compute.run(
        stage_footprint,
        body.footprint,
        stage=body.stage,
        hazard=incident.hazard,
        plan=incident.plan,
    )
    taker = StageTaker(
        body=body,
        area=found.area,
        record=found.record,
        recorded=now(),
        requested_by=principal(request.scope),
    )
    record = await run_in_threadpool(store.add_stage, incident_id, taker)
    response.headers["Location"] = f"/api/v1/incidents/{incident_id}"
    return stage_out(record)


@router.post("/{incident_id}/warning-measures", status_code=201)
def add_measure_done(
    incident_id: IncidentId,
    body: MeasureDoneRequest,
    svc: ServicesDep,
    request: Request,
    response: Response,
) -> MeasureDoneOut:
    """Record one of the plan's warning measures as done, by which unit and when."""
    taker = MeasureTaker(
        plans=svc.plans.get, body=body, recorded=now(), requested_by=principal(request.scope)
    )
    record = store_of(svc).add_measure_done(incident_id, taker)
    response.headers["Location"] = f"/api/v1/incidents/{incident_id}/warning"
    return measure_done_out(record)


@router.get("/{incident_id}/warning")
def get_warning(incident_id: IncidentId, svc: ServicesDep) -> WarningOut:
    """The warning record: exposure, shelters to open, stock to pre-position, the checklist."""
    history = store_of(svc).incident(incident_id, limit=1)
    found = warning_out(svc.plans.get(history.incident.plan), history)
    if found is None:
        raise NotFound(f"incident {incident_id!r} was not opened as a warning (no forecast)")
    return found


@router.get("")
def list_incidents(
    svc: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many")] = 100,
    offset: Annotated[int, Query(ge=0, le=10**6, description="Skip this many")] = 0,
) -> list[IncidentSummaryOut]:
    """Incidents, newest first: stage, the level in force and, apart, the recommendation."""
    return [summary_out(svc, s) for s in store_of(svc).incidents(limit=limit, offset=offset)]


@router.get("/{incident_id}")
def get_incident(
    incident_id: IncidentId,
    svc: ServicesDep,
    limit: Annotated[
        int, Query(ge=1, le=1000, description="At most this many reports (and verdicts)")
    ] = 100,
    cursor: Annotated[
        int, Query(ge=0, le=10**9, description="Start after this report number (page.next_cursor)")
    ] = 0,
) -> IncidentOut:
    """An incident with one page of its report and verdict history, decisions, current state."""
    history = store_of(svc).incident(incident_id, limit=limit, after=cursor)
    return incident_out(svc, history, limit=limit, cursor=cursor)


@router.post("/{incident_id}/decisions", status_code=201)
def add_decision(
    incident_id: IncidentId,
    body: DecisionRequest,
    svc: ServicesDep,
    request: Request,
    response: Response,
) -> DecisionOut:
    """Start, raise, lower or end the response level by decision of the role the plan names."""
    record = store_of(svc).add_decision(
        incident_id, take_decision(svc, body, principal(request.scope))
    )
    response.headers["Location"] = f"/api/v1/incidents/{incident_id}"
    return decision_out(record)


@router.post("/{incident_id}/county-responses", status_code=201)
def add_county_response(
    incident_id: IncidentId,
    body: CountyResponseRequest,
    svc: ServicesDep,
    request: Request,
    response: Response,
) -> CountyResponseOut:
    """Record a county-level response of an affected county (响应联动)."""
    taker = CountyResponseTaker(body=body, recorded=now(), requested_by=principal(request.scope))
    record = store_of(svc).add_county_response(incident_id, taker)
    response.headers["Location"] = f"/api/v1/incidents/{incident_id}"
    return county_response_out(record)


@router.post("/{incident_id}/reports", status_code=201)
def add_report(
    incident_id: IncidentId,
    body: ReportRequest,
    svc: ServicesDep,
    request: Request,
    response: Response,
) -> ReportAnswer:
    """Record a 初报, 续报 or 核报; the level is decided again on the cumulated figures."""
    decision = report_decision(svc, body, principal(request.scope))
    report, verdict = store_of(svc).add_report(incident_id, decision)
    response.headers["Location"] = f"/api/v1/incidents/{incident_id}"
    return ReportAnswer(
        report=report_out(report), verdict=IncidentVerdictOut.model_validate(verdict.body)
    )


@router.get("/{incident_id}/deadlines")
def get_deadlines(
    incident_id: IncidentId,
    svc: ServicesDep,
    now: Annotated[
        datetime | None,
        Query(description="The moment asked about (ISO 8601; no offset: UTC+8); now if omitted"),
    ] = None,
) -> DeadlinesOut:
    """What is due and what is overdue under the plan's 灾情报告 rules, with clauses."""
    return incident_deadlines(svc, store_of(svc).incident(incident_id), asked=now)


@router.get("/{incident_id}/register.{fmt}", response_class=Response)
def get_register(
    incident_id: IncidentId,
    fmt: Annotated[str, Path(pattern="^(csv|xlsx)$", description="csv or xlsx")],
    svc: ServicesDep,
) -> Response:
    """The register (台账) of transitional aid per county: CSV or XLSX, headers in Chinese."""
    history = store_of(svc).incident(incident_id, limit=1)  # the head: its running totals
    content = register_file(svc, history, fmt)
    return Response(
        content,
        media_type=REGISTER_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="register-{incident_id}.{fmt}"'},
    )
