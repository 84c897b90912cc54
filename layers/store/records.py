"""The rows of the store: assessments, incidents and everything recorded on an incident."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import Row

#: The key of a report's per-county figures inside its figures column.
BY_COUNTY = "by_county"


@dataclass(frozen=True)
class IncidentRecord:
    """An incident as opened: where, what, under which plan, by whom."""

    id: str
    created: datetime
    started: datetime
    title: str | None
    hazard: str
    plan: str
    plan_sha256: str
    jurisdiction: str
    jurisdiction_code: str | None
    software_version: str
    requested_by: str | None
    footprint: BaseGeometry
    request: dict[str, Any]

    def row(self) -> dict[str, Any]:
        """The values to insert."""
        return asdict(self)


@dataclass(frozen=True)
class ReportRecord:
    """One 初报, 续报 or 核报 as received (``kind`` is initial, update or final)."""

    id: str
    incident_id: str
    seq: int
    kind: str
    time: datetime
    recorded: datetime
    reporter: str | None
    figures: dict[str, float]
    estimates: tuple[str, ...]
    stable: bool
    note: str | None
    requested_by: str | None
    #: Figures per county code (transitional aid), kept in the figures column under
    #: ``by_county`` so that no column is added.
    by_county: dict[str, dict[str, float]] = field(default_factory=dict)

    def row(self) -> dict[str, Any]:
        """The values to insert."""
        values = asdict(self)
        values["estimates"] = list(self.estimates)
        county = values.pop("by_county")
        if county:
            values["figures"] = {**self.figures, BY_COUNTY: county}
        return values


@dataclass(frozen=True)
class VerdictRecord:
    """The level decided on a report, with everything needed to trace it."""

    id: str
    incident_id: str
    report_id: str
    seq: int
    created: datetime
    plan: str
    plan_sha256: str
    software_version: str
    requested_by: str | None
    level: int | None
    previous_level: int | None
    escalation: bool
    #: The figures graded: indicator to value, source report and whether estimated.
    figures: dict[str, Any]
    #: Indicators whose value was an estimate.
    estimated: tuple[str, ...]
    #: The verdict as answered (JSON).
    body: dict[str, Any]

    def row(self) -> dict[str, Any]:
        """The values to insert (the answer as JSON text, byte for byte as given)."""
        values = asdict(self)
        values["estimated"] = list(self.estimated)
        values["body"] = json.dumps(self.body, ensure_ascii=False)
        return values


@dataclass(frozen=True)
class DecisionRecord:
    """A decision on the response (start, raise, lower, end), with who took it and recorded it."""

    id: str
    incident_id: str
    seq: int
    action: str
    level: int | None
    decided_by: str
    time: datetime
    recorded: datetime
    basis: str
    stable: bool
    #: The plan clause the decision was taken under, cited.
    clause: str
    requested_by: str | None

    def row(self) -> dict[str, Any]:
        """The values to insert."""
        return asdict(self)


@dataclass(frozen=True)
class CountyResponseRecord:
    """A county-level response of an affected county (响应联动), as recorded."""

    id: str
    incident_id: str
    seq: int
    county: str
    code: str | None
    level: int
    time: datetime
    recorded: datetime
    requested_by: str | None

    def row(self) -> dict[str, Any]:
        """The values to insert."""
        return asdict(self)


@dataclass(frozen=True)
class StageRecord:
    """A footprint that set the incident's stage: a forecast (warning) or the real one (response).

    ``body`` is what a forecast footprint was found to expose (the warning record), kept
    as computed; a response row's body is empty.
    """

    id: str
    incident_id: str
    seq: int
    stage: str
    time: datetime
    recorded: datetime
    requested_by: str | None
    footprint: BaseGeometry
    body: dict[str, Any]

    def row(self) -> dict[str, Any]:
        """The values to insert (the record as JSON text)."""
        values = asdict(self)
        values["body"] = json.dumps(self.body, ensure_ascii=False)
        return values


@dataclass(frozen=True)
class MeasureDoneRecord:
    """A warning measure recorded as done, with who did it, when, and who recorded it."""

    id: str
    incident_id: str
    seq: int
    measure: str
    clause: str
    done_by: str
    time: datetime
    recorded: datetime
    note: str | None
    requested_by: str | None

    def row(self) -> dict[str, Any]:
        """The values to insert."""
        return asdict(self)


@dataclass(frozen=True)
class IncidentHistory:
    """An incident with its reports and verdicts (all, or one page) in the order recorded.

    ``latest`` is the incident's latest verdict, whether or not it is on the page, and
    ``total`` the number of its reports.
    """

    incident: IncidentRecord
    reports: tuple[ReportRecord, ...]
    verdicts: tuple[VerdictRecord, ...]
    decisions: tuple[DecisionRecord, ...] = ()
    county_responses: tuple[CountyResponseRecord, ...] = ()
    #: The footprints that set the stage (warning, then response), in order.
    stages: tuple[StageRecord, ...] = ()
    #: The warning measures recorded as done, in order.
    measures_done: tuple[MeasureDoneRecord, ...] = ()
    latest: VerdictRecord | None = None
    total: int | None = None
    #: When a report first declared the disaster stable or gave a 核报 (over all reports).
    reported_stable: datetime | None = None
    #: Whether any report is a 核报.
    has_final: bool = False
    #: How many verdicts raised the level.
    escalations: int = 0

    @property
    def last_verdict(self) -> VerdictRecord | None:
        """The latest verdict of the incident."""
        if self.latest is not None:
            return self.latest
        return self.verdicts[-1] if self.verdicts else None

    @property
    def level(self) -> int | None:
        """The level the latest graded report calls for (the recommendation, not a decision)."""
        last = self.last_verdict
        return last.level if last else None

    @property
    def stage(self) -> str:
        """``warning`` while the latest footprint is a forecast, else ``response``."""
        return self.stages[-1].stage if self.stages else "response"

    @property
    def report_count(self) -> int:
        """How many reports the incident has."""
        return self.total if self.total is not None else len(self.reports)


@dataclass(frozen=True)
class IncidentSummary:
    """An incident in the list: its identity and where it stands."""

    id: str
    created: datetime
    started: datetime
    title: str | None
    hazard: str
    plan: str
    jurisdiction: str
    reports: int
    level: int | None
    updated: datetime | None
    #: The incident's decisions (the level in force is derived from them).
    decisions: tuple[DecisionRecord, ...] = ()
    stage: str = "response"


def incident_from_row(row: Row[Any]) -> IncidentRecord:
    """An incident row as a record."""
    m = row._mapping
    return IncidentRecord(
        id=m["id"],
        created=m["created"],
        started=m["started"],
        title=m["title"],
        hazard=m["hazard"],
        plan=m["plan"],
        plan_sha256=m["plan_sha256"],
        jurisdiction=m["jurisdiction"],
        jurisdiction_code=m["jurisdiction_code"],
        software_version=m["software_version"],
        requested_by=m["requested_by"],
        footprint=m["footprint"],
        request=dict(m["request"]),
    )


def report_from_row(row: Row[Any]) -> ReportRecord:
    """A report row as a record (figures per county taken out of the figures column)."""
    m = row._mapping
    figures = dict(m["figures"])
    county = figures.pop(BY_COUNTY, None) or {}
    return ReportRecord(
        id=m["id"],
        incident_id=m["incident_id"],
        seq=m["seq"],
        kind=m["kind"],
        time=m["time"],
        recorded=m["recorded"],
        reporter=m["reporter"],
        figures=figures,
        estimates=tuple(m["estimates"]),
        stable=bool(m["stable"]),
        note=m["note"],
        requested_by=m["requested_by"],
        by_county={code: dict(values) for code, values in county.items()},
    )


def verdict_from_row(row: Row[Any]) -> VerdictRecord:
    """A verdict row as a record."""
    m = row._mapping
    return VerdictRecord(
        id=m["id"],
        incident_id=m["incident_id"],
        report_id=m["report_id"],
        seq=m["seq"],
        created=m["created"],
        plan=m["plan"],
        plan_sha256=m["plan_sha256"],
        software_version=m["software_version"],
        requested_by=m["requested_by"],
        level=m["level"],
        previous_level=m["previous_level"],
        escalation=bool(m["escalation"]),
        figures=dict(m["figures"]),
        estimated=tuple(m["estimated"]),
        body=json.loads(m["body"]),
    )


def decision_from_row(row: Row[Any]) -> DecisionRecord:
    """A decision row as a record."""
    m = row._mapping
    return DecisionRecord(**{k: m[k] for k in DecisionRecord.__dataclass_fields__})


def county_response_from_row(row: Row[Any]) -> CountyResponseRecord:
    """A county response row as a record."""
    m = row._mapping
    return CountyResponseRecord(**{k: m[k] for k in CountyResponseRecord.__dataclass_fields__})


def stage_from_row(row: Row[Any]) -> StageRecord:
    """A stage row as a record."""
    m = row._mapping
    values = {k: m[k] for k in StageRecord.__dataclass_fields__}
    return StageRecord(**{**values, "body": json.loads(m["body"])})


def measure_done_from_row(row: Row[Any]) -> MeasureDoneRecord:
    """A done-measure row as a record."""
    m = row._mapping
    return MeasureDoneRecord(**{k: m[k] for k in MeasureDoneRecord.__dataclass_fields__})
