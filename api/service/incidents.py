"""An incident's record and state: opened, its history summed up, what is due by when.

`geo.response.history` cumulates figures, `geo.response.deadlines` says what is due;
`layers.store.store` keeps it all, insert-only. A new report is `api.service.reports`.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from api.schemas.deadline import DeadlineOut, DeadlinesOut
from api.schemas.incident import (
    IncidentOut,
    IncidentRequest,
    IncidentSummaryOut,
    RecommendationOut,
    ReportOut,
)
from api.service.after_emergency import after_emergency_out, relief_deadlines
from api.service.bootstrap import Services
from api.service.decisions import (
    county_response_out,
    decision_of,
    decision_out,
    recommendation_out,
)
from api.service.reports import now, report_of
from api.service.warning import (
    current_footprint,
    disaster_started,
    stage_out,
    warning_out,
)
from geo.errors import InputError
from geo.plans.model import Plan
from geo.plans.reporting_rules import LABELS, report_kind
from geo.response.deadlines import CHINA, deadlines
from geo.response.decisions import recommend, response_state
from geo.response.upward import CountyResponse, upward_deadlines
from layers.store.records import IncidentHistory, IncidentRecord, IncidentSummary, ReportRecord
from web.decision_text import GAPS, STAGES
from web.labels import LEVELS

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


def _recommendation(plan: Plan, history: IncidentHistory) -> RecommendationOut | None:
    """What the latest graded figures call for against the level in force now."""
    last = history.last_verdict
    if last is None:
        return None
    criteria = last.body.get("verdict", {}).get("criteria", [])
    clauses = [c["clause"] for c in criteria if c.get("level") == last.level and c.get("clause")]
    state = response_state([decision_of(d) for d in history.decisions])
    return recommendation_out(recommend(plan, last.level, list(dict.fromkeys(clauses)), state))


def _page(history: IncidentHistory, limit: int | None, cursor: int) -> dict[str, int | None]:
    total = history.report_count
    last = cursor + limit if limit is not None else total
    return {
        "total": total,
        "limit": limit,
        "cursor": cursor,
        "next_cursor": last if last < total else None,
    }


def incident_out(
    services: Services, history: IncidentHistory, *, limit: int | None = None, cursor: int = 0
) -> IncidentOut:
    """An incident with one page of its report and verdict history and its current state.

    The figures in force are the latest verdict's running totals, so the answer's size
    does not grow with the history beyond the page asked for.
    """
    incident = history.incident
    plan = services.plans.get(incident.plan)
    last = history.last_verdict
    state = response_state([decision_of(d) for d in history.decisions])
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
            "footprint": shapely.geometry.mapping(current_footprint(history)),
            "stage": history.stage,
            "stage_label": STAGES[history.stage],
            "disaster_started": disaster_started(history),
            "stages": [stage_out(s).model_dump(mode="json") for s in history.stages],
            "warning": _warning(plan, history),
            "current": {
                "level": history.level,
                "label": last.body["label"] if last else None,
                "figures": last.figures if last else {},
                "stable_since": _first(history.reported_stable, state.stable),
                "final": history.has_final,
                "escalations": history.escalations,
            },
            "level_in_force": state.level,
            "level_in_force_label": LEVELS[state.level] if state.level else None,
            "ended": state.ended,
            "recommendation": _recommendation(plan, history),
            "reports": [report_out(r) for r in history.reports],
            "verdicts": [v.body for v in history.verdicts],
            "decisions": [decision_out(d).model_dump(mode="json") for d in history.decisions],
            "county_responses": [
                county_response_out(c).model_dump(mode="json") for c in history.county_responses
            ],
            "page": _page(history, limit, cursor),
            "after_emergency": after_emergency_out(services, history),
        }
    )


def _warning(plan: Plan, history: IncidentHistory) -> dict[str, Any] | None:
    found = warning_out(plan, history)
    return found.model_dump(mode="json") if found else None


def summary_out(services: Services, summary: IncidentSummary) -> IncidentSummaryOut:
    """An incident in the list: its stage, the level in force and, apart, the recommendation."""
    plan = services.plans.get(summary.plan)
    state = response_state([decision_of(d) for d in summary.decisions])
    found = recommend(plan, summary.level, (), state) if summary.reports else None
    text = GAPS.get(found.relation) if found is not None and found.gap else None
    return IncidentSummaryOut(
        id=summary.id,
        title=summary.title,
        hazard=summary.hazard,
        plan=summary.plan,
        jurisdiction=summary.jurisdiction,
        started=summary.started,
        created=summary.created,
        reports=summary.reports,
        stage=summary.stage,  # type: ignore[arg-type]  # checked when recorded
        stage_label=STAGES[summary.stage],
        level_in_force=state.level,
        level_in_force_label=LEVELS[state.level] if state.level else None,
        ended=state.ended,
        recommended_level=summary.level,
        recommended_label=LEVELS[summary.level] if summary.level else None,
        gap_text=text.format(label=found.label or "") if text and found else None,
        updated=summary.updated,
    )


def _first(*moments: datetime | None) -> datetime | None:
    found = [m for m in moments if m is not None]
    return min(found) if found else None


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
    """What is due and what is overdue under the plan's 灾情报告 rules, with clauses.

    The rules follow the response as decided: the level in force by decision, the
    stability declared by a report or a decision, the end; then the plan's reports upward.
    """
    incident = history.incident
    plan = services.plans.get(incident.plan)
    at = moment(asked)
    state = response_state([decision_of(d) for d in history.decisions], at=at)
    reports = [report_of(r) for r in history.reports]
    started = disaster_started(history)
    found = deadlines(
        plan,
        hazard=incident.hazard,
        started=started or incident.started,
        reports=reports,
        levels=state.periods,
        now=at,
        calendar=services.calendar,
        declared_stable=state.stable,
        ended=state.ended,
    )
    upward = upward_deadlines(
        plan,
        started=started or incident.started,
        reports=reports,
        levels=state.periods,
        counties=[
            CountyResponse(county=c.county, level=c.level, time=c.time, recorded=c.recorded)
            for c in history.county_responses
        ],
        now=at,
    )
    items = (*found.items, *upward, *relief_deadlines(services, history, at=at))
    if started is None:  # a forecast: reports count from a disaster that has not happened
        items = tuple(replace(d, status="not_in_force", reason="warning") for d in items)
    return DeadlinesOut(
        incident=incident.id,
        plan=incident.plan,
        now=found.now,
        timezone="Asia/Shanghai (UTC+8)",
        level=history.level,
        level_in_force=state.level,
        ended=state.ended,
        stable_since=found.stable_since,
        overdue=[d.kind for d in items if d.status == "overdue"],
        deadlines=[DeadlineOut.model_validate(asdict(d)) for d in items],
        working_days=services.calendar.description,
    )
