"""An incident's stage and warning record: a forecast first, the disaster's footprint later.

An incident opened with ``stage: warning`` keeps its forecast's warning record
(`api.service.forecast`) in a stage row; a later footprint of stage ``response`` ends the
warning stage (乐清2016 §5.4 「灾害风险解除或者演变为灾害后…预警响应终止」) and the record stays
readable. A response never turns back into a warning. The plan's warning measures
(§3 灾害救助准备; 乐清 §5.3) are a checklist ticked insert-only with who and when.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from api.schemas.warning import (
    ChecklistItemOut,
    ChecklistOut,
    MeasureDoneOut,
    MeasureDoneRequest,
    StageOut,
    StageRequest,
    WarningOut,
)
from geo.errors import DecisionRefused
from geo.plans.model import Plan
from layers.store.records import (
    IncidentHistory,
    IncidentRecord,
    MeasureDoneRecord,
    StageRecord,
)
from web.decision_text import STAGES


def _not_before_start(time: datetime, history: IncidentHistory) -> None:
    started = history.incident.started
    if time < started:
        raise DecisionRefused(
            f"time: {time.isoformat()} is before the incident started ({started.isoformat()})",
            field="time",
        )


def check_stage(history: IncidentHistory, stage: str) -> None:
    """Refuse a footprint the incident's stage does not admit (naming ``stage``).

    A warning takes newer forecasts and the disaster's footprint; once the response has
    started there is no going back to a warning, nor a second footprint of the disaster.
    """
    if history.stage == "warning":
        return
    since = history.stages[-1].time.isoformat() if history.stages else "it was opened"
    if stage == "warning":
        raise DecisionRefused(
            f"stage: the incident is a response (since {since}); a response does not turn "
            "back into a warning and takes no forecast footprint",
            field="stage",
        )
    raise DecisionRefused(
        f"stage: the incident is already a response (since {since}); its footprint is set",
        field="stage",
    )


@dataclass(frozen=True)
class StageTaker:
    """Makes the row of a new footprint, checked against the stage while the store holds it."""

    body: StageRequest
    area: BaseGeometry
    record: dict[str, Any]
    recorded: datetime
    requested_by: str | None

    def __call__(self, history: IncidentHistory, seq: int) -> StageRecord:
        """The stage row, or `geo.errors.DecisionRefused` naming the field (nothing stored)."""
        check_stage(history, self.body.stage)
        time = (self.body.time or self.recorded).astimezone(UTC)
        _not_before_start(time, history)
        return StageRecord(
            id=uuid.uuid4().hex,
            incident_id=history.incident.id,
            seq=seq,
            stage=self.body.stage,
            time=time,
            recorded=self.recorded,
            requested_by=self.requested_by,
            footprint=self.area,
            body=self.record,
        )


def first_stages(
    incident: IncidentRecord, *, stage: str, record: dict[str, Any]
) -> tuple[StageRecord, ...]:
    """The stage row of an incident opened as a warning (its forecast and record); else none."""
    if stage != "warning":
        return ()
    return (
        StageRecord(
            id=uuid.uuid4().hex,
            incident_id=incident.id,
            seq=1,
            stage="warning",
            time=incident.started,
            recorded=incident.created,
            requested_by=incident.requested_by,
            footprint=incident.footprint,
            body=record,
        ),
    )


@dataclass(frozen=True)
class MeasureTaker:
    """Makes the row of a warning measure done, refused for a measure the plan lacks."""

    plans: Callable[[str], Plan]
    body: MeasureDoneRequest
    recorded: datetime
    requested_by: str | None

    def __call__(self, history: IncidentHistory, seq: int) -> MeasureDoneRecord:
        """The row, or `geo.errors.DecisionRefused` naming the field (nothing stored)."""
        plan = self.plans(history.incident.plan)
        warning = plan.warning
        if not any(s.stage == "warning" for s in history.stages) or warning is None:
            raise DecisionRefused(
                "measure: the incident has no warning stage (open it with stage warning)",
                field="measure",
            )
        measure = warning.measure(self.body.measure.strip())
        if measure is None:
            ids = ", ".join(m.id for m in warning.measures)
            raise DecisionRefused(
                f"measure: {self.body.measure!r} is not one of the plan's warning measures "
                f"({plan.cite(warning.clause)}: {ids})",
                field="measure",
            )
        time = (self.body.time or self.recorded).astimezone(UTC)
        _not_before_start(time, history)
        return MeasureDoneRecord(
            id=uuid.uuid4().hex,
            incident_id=history.incident.id,
            seq=seq,
            measure=measure.id,
            clause=plan.cite(measure.clause),
            done_by=self.body.done_by.strip(),
            time=time,
            recorded=self.recorded,
            note=self.body.note,
            requested_by=self.requested_by,
        )


def measure_done_out(record: MeasureDoneRecord) -> MeasureDoneOut:
    """A stored measure done as the API answers it."""
    return MeasureDoneOut.model_validate(
        {k: getattr(record, k) for k in MeasureDoneOut.model_fields}
    )


def stage_out(record: StageRecord) -> StageOut:
    """A stored stage row as the API answers it (without its record)."""
    return StageOut(
        seq=record.seq,
        stage=record.stage,  # type: ignore[arg-type]  # checked when recorded
        label=STAGES[record.stage],
        time=record.time,
        recorded=record.recorded,
        requested_by=record.requested_by,
    )


def checklist_out(plan: Plan, history: IncidentHistory) -> ChecklistOut | None:
    """The plan's warning measures, each with the records of it done."""
    warning = plan.warning
    if warning is None:
        return None
    done = [measure_done_out(r) for r in history.measures_done]
    return ChecklistOut(
        clause=plan.cite(warning.clause),
        title=warning.title,
        text=warning.text,
        lead=warning.lead,
        start=f"{plan.cite(warning.start[0])}：{warning.start[1]}" if warning.start else None,
        end=f"{plan.cite(warning.end[0])}：{warning.end[1]}" if warning.end else None,
        items=[
            ChecklistItemOut(
                id=m.id,
                clause=plan.cite(m.clause),
                text=m.text,
                units=list(m.units),
                done=any(d.measure == m.id for d in done),
                records=[d for d in done if d.measure == m.id],
            )
            for m in warning.measures
        ],
    )


def warning_out(plan: Plan, history: IncidentHistory) -> WarningOut | None:
    """The incident's warning record (its latest forecast), or None if it never was a warning."""
    forecasts = [s for s in history.stages if s.stage == "warning"]
    if not forecasts:
        return None
    latest = forecasts[-1]
    return WarningOut(
        started=latest.time,
        forecasts=len(forecasts),
        footprint=shapely.geometry.mapping(latest.footprint),
        exposure=latest.body["exposure"],
        shelters=latest.body["shelters"],
        stock=latest.body["stock"],
        checklist=checklist_out(plan, history),
    )


def current_footprint(history: IncidentHistory) -> BaseGeometry:
    """The footprint in force: the latest stage row's, or the incident's own."""
    return history.stages[-1].footprint if history.stages else history.incident.footprint


def disaster_started(history: IncidentHistory) -> datetime | None:
    """When the disaster happened: the response footprint's time; None while a warning."""
    if history.stage == "warning":
        return None
    responses = [s for s in history.stages if s.stage == "response"]
    return responses[0].time if responses else history.incident.started
