"""An incident's record and state: opened, its history summed up, what is due by when.

`geo.response.history` cumulates figures, `geo.response.deadlines` says what is due;
`layers.store.store` keeps it all, insert-only. A new report is `api.service.reports`.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import UTC, datetime

import shapely
from shapely.geometry.base import BaseGeometry

from api.schemas.incident import (
    DeadlineOut,
    DeadlinesOut,
    IncidentOut,
    IncidentRequest,
    ReportOut,
)
from api.service.bootstrap import Services
from api.service.reports import graded, now, report_of
from geo.errors import InputError
from geo.plans.reporting_rules import LABELS, report_kind
from geo.response.deadlines import CHINA, deadlines
from geo.response.history import cumulate, stable_since
from layers.store.records import IncidentHistory, IncidentRecord, ReportRecord

#: Years outside these overflow when converted between time zones.
FIRST_YEAR, LAST_YEAR = 1990, 9000


def open_incident(
    services: Services, body: IncidentRequest, requested_by: str | None, *, footprint: BaseGeometry
) -> IncidentRecord:
    """The record of a new incident: footprint, hazard, plan, jurisdiction, start time.

    ``footprint`` is the request's, checked in a compute worker (`footprints.footprint_area`).
    """
    entry = services.plans.file(services.plan_id(body.plan))
    created = now()
    plan = entry.plan
    jurisdiction = body.jurisdiction
    return IncidentRecord(
        id=uuid.uuid4().hex,
        created=created,
        started=(body.started or created).astimezone(UTC),
        title=body.title,
        hazard=body.hazard,
        plan=plan.id,
        plan_sha256=entry.sha256,
        jurisdiction=jurisdiction.name if jurisdiction else plan.jurisdiction,
        jurisdiction_code=(jurisdiction.code if jurisdiction else plan.jurisdiction_code),
        software_version=services.version,
        requested_by=requested_by,
        footprint=footprint,
        request=body.model_dump(mode="json"),
    )


def report_out(record: ReportRecord) -> ReportOut:
    """A stored report as the API answers it, with its Chinese label."""
    return ReportOut(
        **{**asdict(record), "estimates": list(record.estimates)},
        label=LABELS[report_kind(record.kind)],
    )


def incident_out(history: IncidentHistory) -> IncidentOut:
    """An incident with its report and verdict history and its current state."""
    incident = history.incident
    reports = [report_of(r) for r in history.reports]
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
                "figures": graded(cumulate(reports)),
                "stable_since": stable_since(reports),
                "final": any(r.kind == "final" for r in history.reports),
                "escalations": sum(v.escalation for v in history.verdicts),
            },
            "reports": [report_out(r) for r in history.reports],
            "verdicts": [v.body for v in history.verdicts],
        }
    )


def moment(asked: datetime | None) -> datetime:
    """The moment asked about (no offset: UTC+8), or now; refused outside sane years."""
    if asked is None:
        return now()
    if asked.tzinfo is None or asked.utcoffset() is None:
        asked = asked.replace(tzinfo=CHINA)
    if not FIRST_YEAR <= asked.year <= LAST_YEAR:
        raise InputError(f"now: expected a year between {FIRST_YEAR} and {LAST_YEAR}", field="now")
    return asked


def incident_deadlines(
    services: Services, history: IncidentHistory, *, asked: datetime | None
) -> DeadlinesOut:
    """What is due and what is overdue under the plan's 灾情报告 rules, with clauses."""
    incident = history.incident
    at = moment(asked)
    found = deadlines(
        services.plans.get(incident.plan),
        hazard=incident.hazard,
        started=incident.started,
        reports=[report_of(r) for r in history.reports],
        levels=[(r.time, v.level) for r, v in zip(history.reports, history.verdicts, strict=True)],
        now=at,
        calendar=services.calendar,
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
        working_days=services.calendar.description,
    )
