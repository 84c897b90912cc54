"""Routes of ``/api/v1/incidents``: incidents, their 初报/续报/核报, verdicts and deadlines.

Thin: parse the request, let `geo.response.history` cumulate figures and compare levels,
`geo.response.levels` grade them, `geo.response.deadlines` say what is due;
`layers.store.store` keeps it all,
insert-only. Each verdict records the figures, which were estimates, the plan file's
hash, the software version and who asked (the API key's name and role, never the key).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import shapely
from fastapi import APIRouter, Path, Query, Request, Response

from api.deps import ServicesDep, store_of
from api.schemas.common import VerdictOut
from api.schemas.incident import (
    DeadlineOut,
    DeadlinesOut,
    IncidentOut,
    IncidentRequest,
    IncidentSummaryOut,
    IncidentVerdictOut,
    ReportAnswer,
    ReportOut,
    ReportRequest,
)
from api.security import principal
from geo.errors import InputError
from geo.incident.footprint import parse_footprint
from geo.plans.reporting_rules import LABELS, report_kind
from geo.response.deadlines import CHINA, deadlines
from geo.response.history import CurrentFigure, Report, cumulate, level_change, stable_since
from geo.response.levels import evaluate
from layers.store.records import IncidentHistory, IncidentRecord, ReportRecord, VerdictRecord

if TYPE_CHECKING:
    from api.service.bootstrap import Services

router = APIRouter(prefix="/incidents", tags=["incidents"])
IncidentId = Annotated[str, Path(max_length=64, description="Incident id")]
WORKING_DAYS = "Monday to Friday; public holidays and 调休 working weekends are not modelled"


def _now() -> datetime:
    return datetime.now(UTC)


def _report(record: ReportRecord) -> Report:
    return Report(
        id=record.id,
        seq=record.seq,
        kind=report_kind(record.kind),
        time=record.time,
        figures=record.figures,
        estimates=frozenset(record.estimates),
        stable=record.stable,
    )


def _graded(current: dict[str, CurrentFigure]) -> dict[str, dict[str, Any]]:
    return {
        name: {
            "value": c.value,
            "report_id": c.report_id,
            "kind": c.kind,
            "time": c.time.astimezone(UTC).isoformat(),
            "estimated": c.estimated,
        }
        for name, c in current.items()
    }


@router.post("", status_code=201)
def create_incident(
    body: IncidentRequest, svc: ServicesDep, request: Request, response: Response
) -> IncidentOut:
    """Open an incident: footprint, hazard, plan, jurisdiction, title, start time."""
    entry = svc.plans.file(svc.plan_id(body.plan))
    footprint = parse_footprint(body.footprint)
    now = _now()
    plan = entry.plan
    jurisdiction = body.jurisdiction
    record = IncidentRecord(
        id=uuid.uuid4().hex,
        created=now,
        started=(body.started or now).astimezone(UTC),
        title=body.title,
        hazard=body.hazard,
        plan=plan.id,
        plan_sha256=entry.sha256,
        jurisdiction=jurisdiction.name if jurisdiction else plan.jurisdiction,
        jurisdiction_code=(jurisdiction.code if jurisdiction else plan.jurisdiction_code),
        software_version=svc.version,
        requested_by=principal(request.scope),
        footprint=shapely.union_all(footprint.features.geometry.to_numpy()),
        request=body.model_dump(mode="json"),
    )
    store_of(svc).add_incident(record)
    response.headers["Location"] = f"/api/v1/incidents/{record.id}"
    return _incident_out(IncidentHistory(incident=record, reports=(), verdicts=()))


@router.get("")
def list_incidents(
    svc: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=500, description="At most this many")] = 100,
    offset: Annotated[int, Query(ge=0, le=10**6, description="Skip this many")] = 0,
) -> list[IncidentSummaryOut]:
    """Incidents, newest first, with report counts and active levels."""
    return [
        IncidentSummaryOut.model_validate(asdict(s))
        for s in store_of(svc).incidents(limit=limit, offset=offset)
    ]


@router.get("/{incident_id}")
def get_incident(incident_id: IncidentId, svc: ServicesDep) -> IncidentOut:
    """An incident with its report history, verdict history and current state."""
    return _incident_out(store_of(svc).incident(incident_id))


def _decider(
    svc: Services, body: ReportRequest, requested_by: str | None
) -> Callable[[IncidentHistory, int], tuple[ReportRecord, VerdictRecord]]:
    figures = body.figures.model_dump(exclude_none=True)
    unknown = sorted(set(body.estimates) - set(figures))
    if unknown:
        raise InputError(
            f"estimates: {', '.join(unknown)} names no figure given in this report",
            field="estimates",
        )
    kind = report_kind(body.kind)
    recorded = _now()

    def decide(history: IncidentHistory, seq: int) -> tuple[ReportRecord, VerdictRecord]:
        incident = history.incident
        report = ReportRecord(
            id=uuid.uuid4().hex,
            incident_id=incident.id,
            seq=seq,
            kind=kind,
            time=(body.time or recorded).astimezone(UTC),
            recorded=recorded,
            reporter=body.reporter,
            figures=figures,
            estimates=tuple(sorted(set(body.estimates))),
            stable=body.stable,
            note=body.note,
            requested_by=requested_by,
        )
        if report.time < incident.started:
            raise InputError(
                f"time: {report.time.isoformat()} is before the incident started "
                f"({incident.started.isoformat()})",
                field="time",
            )
        entry = svc.plans.file(incident.plan)
        current = cumulate([*map(_report, history.reports), _report(report)])
        verdict = evaluate(
            entry.plan, {n: c.as_figure() for n, c in current.items()}, hazard=incident.hazard
        )
        change = level_change(entry.plan, history.level, verdict)
        estimated = tuple(sorted(n for n, c in current.items() if c.estimated))
        answer = IncidentVerdictOut.model_validate(
            {
                "id": uuid.uuid4().hex,
                "seq": seq,
                "report_id": report.id,
                "created": recorded,
                "level": verdict.level,
                "label": verdict.label,
                "previous_level": change.previous,
                "change": change.change,
                "escalation": change.escalation,
                "escalation_clauses": list(change.clauses),
                "escalation_rule": change.rule,
                "figures": _graded(current),
                "estimated": list(estimated),
                "plan": entry.plan.id,
                "plan_sha256": entry.sha256,
                "software_version": svc.version,
                "requested_by": requested_by,
                "verdict": VerdictOut.model_validate(asdict(verdict)),
            }
        )
        return report, VerdictRecord(
            id=answer.id,
            incident_id=incident.id,
            report_id=report.id,
            seq=seq,
            created=recorded,
            plan=entry.plan.id,
            plan_sha256=entry.sha256,
            software_version=svc.version,
            requested_by=requested_by,
            level=verdict.level,
            previous_level=change.previous,
            escalation=change.escalation,
            figures=_graded(current),
            estimated=estimated,
            body=answer.model_dump(mode="json"),
        )

    return decide


@router.post("/{incident_id}/reports", status_code=201)
def add_report(
    incident_id: IncidentId,
    body: ReportRequest,
    svc: ServicesDep,
    request: Request,
    response: Response,
) -> ReportAnswer:
    """Record a 初报, 续报 or 核报; the level is decided again on the cumulated figures."""
    decide = _decider(svc, body, principal(request.scope))
    report, verdict = store_of(svc).add_report(incident_id, decide)
    response.headers["Location"] = f"/api/v1/incidents/{incident_id}"
    return ReportAnswer(
        report=_report_out(report), verdict=IncidentVerdictOut.model_validate(verdict.body)
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
    history = store_of(svc).incident(incident_id)
    incident = history.incident
    moment = _moment(now)
    found = deadlines(
        svc.plans.get(incident.plan),
        hazard=incident.hazard,
        started=incident.started,
        reports=[_report(r) for r in history.reports],
        levels=[(r.time, v.level) for r, v in zip(history.reports, history.verdicts, strict=True)],
        now=moment,
    )
    return DeadlinesOut(
        incident=incident.id,
        plan=incident.plan,
        now=found.now,
        timezone="Asia/Shanghai (UTC+8)",
        level=history.level,
        stable_since=found.stable_since,
        overdue=[d.kind for d in found.overdue],
        deadlines=[DeadlineOut.model_validate(asdict(d)) for d in found.items],
        working_days=WORKING_DAYS,
    )


def _moment(now: datetime | None) -> datetime:
    if now is None:
        return _now()
    if now.tzinfo is None or now.utcoffset() is None:
        now = now.replace(tzinfo=CHINA)
    if not 1990 <= now.year <= 9000:  # far years overflow when converted
        raise InputError("now: expected a year between 1990 and 9000", field="now")
    return now


def _report_out(record: ReportRecord) -> ReportOut:
    return ReportOut(
        **{**asdict(record), "estimates": list(record.estimates)},
        label=LABELS[report_kind(record.kind)],
    )


def _incident_out(history: IncidentHistory) -> IncidentOut:
    incident = history.incident
    current = cumulate([_report(r) for r in history.reports])
    return IncidentOut.model_validate(
        {
            "id": incident.id,
            "title": incident.title,
            "hazard": incident.hazard,
            "plan": incident.plan,
            "plan_sha256": incident.plan_sha256,
            "jurisdiction": {"name": incident.jurisdiction, "code": incident.jurisdiction_code},
            "started": incident.started,
            "created": incident.created,
            "requested_by": incident.requested_by,
            "software_version": incident.software_version,
            "footprint": shapely.geometry.mapping(incident.footprint),
            "current": {
                "level": history.level,
                "label": history.verdicts[-1].body["label"] if history.verdicts else None,
                "figures": _graded(current),
                "stable_since": stable_since([_report(r) for r in history.reports]),
                "final": any(r.kind == "final" for r in history.reports),
                "escalations": sum(v.escalation for v in history.verdicts),
            },
            "reports": [_report_out(r) for r in history.reports],
            "verdicts": [v.body for v in history.verdicts],
        }
    )
