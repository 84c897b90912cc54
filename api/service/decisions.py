"""Decisions on the response and county-level responses, recorded while the incident is held.

`geo.response.decisions` checks a decision against the plan's procedures; the store runs
the check while it holds the incident (`layers.store.store.Store.add_decision`), so two
decisions sent at once are checked one after the other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from api.schemas.decision import (
    CountyResponseOut,
    CountyResponseRequest,
    DecisionOut,
    DecisionRequest,
)
from api.schemas.incident import RecommendationOut
from api.service.bootstrap import Services
from geo.errors import DecisionRefused
from geo.response.decisions import Decision, Recommendation, check_decision
from geo.response.levels import Verdict
from layers.store.records import CountyResponseRecord, DecisionRecord, IncidentHistory
from web.decision_text import ACTIONS, GAPS
from web.labels import LEVELS


def now() -> datetime:
    """The current moment, in UTC."""
    return datetime.now(UTC)


def decision_of(record: DecisionRecord) -> Decision:
    """A stored decision as `geo.response.decisions` reads it."""
    return Decision(
        id=record.id,
        seq=record.seq,
        action=record.action,  # type: ignore[arg-type]  # checked when recorded
        level=record.level,
        decided_by=record.decided_by,
        time=record.time,
        basis=record.basis,
        stable=record.stable,
    )


def cited(verdict: Verdict) -> list[str]:
    """The clauses of the criteria that reach the verdict's level."""
    return list(
        dict.fromkeys(
            c.clause for c in verdict.criteria if c.level == verdict.level and c.clause is not None
        )
    )


def recommendation_out(found: Recommendation) -> RecommendationOut:
    """A recommendation as the API answers it, its gap worded from `web.decision_text.GAPS`."""
    text = GAPS.get(found.relation) if found.gap else None
    return RecommendationOut(
        level=found.level,
        label=found.label,
        clauses=list(found.clauses),
        level_in_force=found.in_force,
        relation=found.relation,
        gap=found.gap,
        gap_text=text.format(label=found.label or "") if text else None,
    )


def decision_out(record: DecisionRecord) -> DecisionOut:
    """A stored decision as the API answers it."""
    return DecisionOut(
        id=record.id,
        seq=record.seq,
        action=record.action,  # type: ignore[arg-type]  # checked when recorded
        action_label=ACTIONS[record.action],
        level=record.level,
        label=LEVELS[record.level] if record.level else None,
        decided_by=record.decided_by,
        time=record.time,
        recorded=record.recorded,
        basis=record.basis,
        stable=record.stable,
        clause=record.clause,
        requested_by=record.requested_by,
    )


def county_response_out(record: CountyResponseRecord) -> CountyResponseOut:
    """A stored county response as the API answers it."""
    return CountyResponseOut(
        id=record.id,
        seq=record.seq,
        county=record.county,
        code=record.code,
        level=record.level,
        label=LEVELS[record.level],
        time=record.time,
        recorded=record.recorded,
        requested_by=record.requested_by,
    )


@dataclass(frozen=True)
class DecisionTaker:
    """Checks a decision against the plan and the decisions so far; returns its row."""

    services: Services
    body: DecisionRequest
    recorded: datetime
    requested_by: str | None

    def __call__(self, history: IncidentHistory, seq: int) -> DecisionRecord:
        """The decision's row, or `geo.errors.DecisionRefused` naming the field (nothing stored)."""
        incident = history.incident
        plan = self.services.plans.get(incident.plan)
        body = self.body
        new = Decision(
            id=uuid.uuid4().hex,
            seq=seq,
            action=body.action,
            level=body.level,
            decided_by=body.decided_by.strip(),
            time=(body.time or self.recorded).astimezone(UTC),
            basis=body.basis,
            stable=body.stable,
        )
        authority = check_decision(
            plan,
            started=incident.started,
            decisions=[decision_of(d) for d in history.decisions],
            new=new,
        )
        return DecisionRecord(
            id=new.id,
            incident_id=incident.id,
            seq=seq,
            action=new.action,
            level=new.level,
            decided_by=new.decided_by,
            time=new.time,
            recorded=self.recorded,
            basis=new.basis,
            stable=new.stable,
            clause=f"{plan.cite(authority.clause)}：{authority.text}",
            requested_by=self.requested_by,
        )


def take_decision(
    services: Services, body: DecisionRequest, requested_by: str | None
) -> DecisionTaker:
    """The decision a request asks for, checked when the store holds the incident."""
    return DecisionTaker(services=services, body=body, recorded=now(), requested_by=requested_by)


@dataclass(frozen=True)
class CountyResponseTaker:
    """Makes the row of a county-level response, refused before the incident started."""

    body: CountyResponseRequest
    recorded: datetime
    requested_by: str | None

    def __call__(self, history: IncidentHistory, seq: int) -> CountyResponseRecord:
        """The county response's row."""
        time = (self.body.time or self.recorded).astimezone(UTC)
        if time < history.incident.started:
            raise DecisionRefused(
                f"time: {time.isoformat()} is before the incident started "
                f"({history.incident.started.isoformat()})",
                field="time",
            )
        return CountyResponseRecord(
            id=uuid.uuid4().hex,
            incident_id=history.incident.id,
            seq=seq,
            county=self.body.county.strip(),
            code=self.body.code,
            level=self.body.level,
            time=time,
            recorded=self.recorded,
            requested_by=self.requested_by,
        )
