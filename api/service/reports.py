"""A 初报, 续报 or 核报 received: its figures summed with the earlier ones and graded again.

The store runs the decision while it holds the incident (`layers.store.store.Store.add_report`),
so concurrent reports are decided one after the other. Each verdict records the figures,
which were estimates, the plan file's hash, the software version and who asked.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any

from api.schemas.common import VerdictOut
from api.schemas.incident import IncidentVerdictOut, ReportRequest
from api.service.bootstrap import Services
from api.service.decisions import cited, decision_of, recommendation_out
from geo.errors import InputError
from geo.plans.model import INDICATORS
from geo.plans.reporting_rules import ReportKind, report_kind
from geo.response.decisions import recommend, response_state
from geo.response.history import CurrentFigure, LevelChange, Report, advance, level_change
from geo.response.levels import Verdict, evaluate
from layers.plans import PlanFile
from layers.store.records import IncidentHistory, IncidentRecord, ReportRecord, VerdictRecord
from web.decision_text import LATE_FINAL


def now() -> datetime:
    """The current moment, in UTC."""
    return datetime.now(UTC)


def report_of(record: ReportRecord) -> Report:
    """A stored report as the history's cumulation reads it."""
    return Report(
        id=record.id,
        seq=record.seq,
        kind=report_kind(record.kind),
        time=record.time,
        figures=record.figures,
        estimates=frozenset(record.estimates),
        stable=record.stable,
    )


def running_totals(figures: dict[str, Any]) -> dict[str, CurrentFigure]:
    """The figures a stored verdict graded, as running totals to add the next report to."""
    return {
        name: CurrentFigure(
            indicator=name,
            value=f["value"],
            report_id=f["report_id"],
            kind=f["kind"],
            time=datetime.fromisoformat(f["time"]),
            estimated=bool(f["estimated"]),
        )
        for name, f in figures.items()
    }


def graded(current: dict[str, CurrentFigure]) -> dict[str, dict[str, Any]]:
    """The figures in force: value, the report that gave it, its time, whether estimated."""
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


def county_totals(
    held: dict[str, dict[str, Any]], record: ReportRecord
) -> dict[str, dict[str, dict[str, Any]]]:
    """The per-county running totals ``held`` (a verdict's) with ``record``'s counties added.

    Each county's figures are folded as the event's are (`advance`: the later supersedes,
    a 核报 is final), so the register never re-reads the history.
    """
    totals = dict(held)
    report = report_of(record)
    for code, values in record.by_county.items():
        current = advance(running_totals(held.get(code, {})), replace(report, figures=values))
        totals[code] = graded(current)
    return totals


@dataclass(frozen=True)
class _Graded:
    """A verdict on the cumulated figures and how it changes the active level."""

    entry: PlanFile
    current: dict[str, CurrentFigure]
    verdict: Verdict
    change: LevelChange
    #: Running totals per county of the figures of transitional aid.
    counties: dict[str, dict[str, dict[str, Any]]]

    @property
    def estimated(self) -> tuple[str, ...]:
        return tuple(sorted(n for n, c in self.current.items() if c.estimated))


@dataclass(frozen=True)
class ReportDecision:
    """Decides, on the incident's history as it stands, the new report's rows.

    Called by the store with the history and the report's sequence number; returns the
    report and the verdict to record.
    """

    services: Services
    body: ReportRequest
    figures: dict[str, float]
    kind: ReportKind
    recorded: datetime
    requested_by: str | None
    by_county: dict[str, dict[str, float]]

    def __call__(self, history: IncidentHistory, seq: int) -> tuple[ReportRecord, VerdictRecord]:
        """The report and its verdict, graded on the stored running totals plus this report.

        ``history`` is the incident's head: its latest verdict (whose figures are the
        running totals), its decisions and its report count; no report is re-read.
        """
        report = self._report(history.incident, seq)
        entry = self.services.plans.file(history.incident.plan)
        last = history.last_verdict
        current = advance(running_totals(last.figures if last else {}), report_of(report))
        verdict = evaluate(
            entry.plan,
            # Figures of transitional aid (in_shelters) are kept in the totals, not graded.
            {n: c.as_figure() for n, c in current.items() if n in INDICATORS},
            hazard=history.incident.hazard,
        )
        result = _Graded(
            entry=entry,
            current=current,
            verdict=verdict,
            change=level_change(entry.plan, history.level, verdict),
            counties=county_totals(last.body.get("aid_by_county", {}) if last else {}, report),
        )
        return report, self._verdict(report, result, history)

    def _report(self, incident: IncidentRecord, seq: int) -> ReportRecord:
        """The report's row; refused when its time is before the incident started."""
        body = self.body
        report = ReportRecord(
            id=uuid.uuid4().hex,
            incident_id=incident.id,
            seq=seq,
            kind=self.kind,
            time=(body.time or self.recorded).astimezone(UTC),
            recorded=self.recorded,
            reporter=body.reporter,
            figures=self.figures,
            estimates=tuple(sorted(set(body.estimates))),
            stable=body.stable,
            note=body.note,
            requested_by=self.requested_by,
            by_county=self.by_county,
        )
        if report.time < incident.started:
            raise InputError(
                f"time: {report.time.isoformat()} is before the incident started "
                f"({incident.started.isoformat()})",
                field="time",
            )
        return report

    def _answer(
        self, report: ReportRecord, result: _Graded, history: IncidentHistory
    ) -> IncidentVerdictOut:
        """The verdict as the API answers it (and the store keeps it).

        Its recommendation compares the level called for with the level in force when the
        report was made; a report made after the response ended is flagged a late 核报.
        """
        change = result.change
        plan = result.entry.plan
        state = response_state([decision_of(d) for d in history.decisions], at=report.time)
        after_end = state.ended is not None
        return IncidentVerdictOut.model_validate(
            {
                "id": uuid.uuid4().hex,
                "seq": report.seq,
                "report_id": report.id,
                "created": self.recorded,
                "level": result.verdict.level,
                "label": result.verdict.label,
                "previous_level": change.previous,
                "change": change.change,
                "escalation": change.escalation,
                "escalation_clauses": list(change.clauses),
                "escalation_rule": change.rule,
                "figures": graded(result.current),
                "estimated": list(result.estimated),
                "plan": result.entry.plan.id,
                "plan_sha256": result.entry.sha256,
                "software_version": self.services.version,
                "requested_by": self.requested_by,
                "verdict": VerdictOut.model_validate(asdict(result.verdict)),
                "recommendation": recommendation_out(
                    recommend(plan, result.verdict.level, cited(result.verdict), state)
                ),
                "after_end": after_end,
                "flag": LATE_FINAL if after_end else None,
                "aid_by_county": result.counties,
            }
        )

    def _verdict(
        self, report: ReportRecord, result: _Graded, history: IncidentHistory
    ) -> VerdictRecord:
        """The verdict's row, its answer included."""
        answer = self._answer(report, result, history)
        return VerdictRecord(
            id=answer.id,
            incident_id=report.incident_id,
            report_id=report.id,
            seq=report.seq,
            created=self.recorded,
            plan=result.entry.plan.id,
            plan_sha256=result.entry.sha256,
            software_version=self.services.version,
            requested_by=self.requested_by,
            level=result.verdict.level,
            previous_level=result.change.previous,
            escalation=result.change.escalation,
            figures=graded(result.current),
            estimated=result.estimated,
            body=answer.model_dump(mode="json"),
        )


def report_decision(
    services: Services, body: ReportRequest, requested_by: str | None
) -> ReportDecision:
    """The decision a report asks for; refused at once when ``estimates`` names no figure.

    Figures per county must name counties of the layer pack (`InputError` naming the code).
    """
    figures, by_county = body.figures.split()
    for code in by_county:
        where = f"figures.by_county.{code}"
        try:
            services.pack.county(code)
        except InputError as exc:
            raise InputError(f"{where}: {exc}", field=where) from exc
    given = set(figures) | {n for values in by_county.values() for n in values}
    unknown = sorted(set(body.estimates) - given)
    if unknown:
        raise InputError(
            f"estimates: {', '.join(unknown)} names no figure given in this report",
            field="estimates",
        )
    return ReportDecision(
        services=services,
        body=body,
        figures=figures,
        kind=report_kind(body.kind),
        recorded=now(),
        requested_by=requested_by,
        by_county=by_county,
    )
