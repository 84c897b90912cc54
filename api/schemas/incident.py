"""Request and response models of incidents, their reports, verdicts and deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.schemas.after_emergency import AfterEmergencyOut, ReportFigures
from api.schemas.common import HazardName, VerdictOut
from geo.response.deadlines import CHINA

ReportKindName = Literal["初报", "续报", "核报", "首报", "initial", "update", "final"]
IndicatorName = Literal[
    "dead_missing",
    "relocated",
    "collapsed_rooms",
    "collapsed_households",
    "drought_aid_persons",
    "drought_aid_share",
    "affected_share",
    "crop_failure_share",
    "quake_relocated_share",
    "in_shelters",
]
#: Times before this are refused: no plan profiled here is older, and far dates overflow.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
#: Clock skew a reporter's machine may have.
SKEW = timedelta(days=1)
TIME_NOTE = "ISO 8601; a time without a UTC offset is China Standard Time (UTC+8)"


def checked_time(value: datetime | None) -> datetime | None:
    """A time with an offset (China Standard Time if none), between 1990 and tomorrow."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=CHINA)
    # The year is checked first: comparing times near year 1 or 9999 can overflow.
    if not EARLIEST.year <= value.year <= datetime.now(UTC).year + 1:
        raise ValueError("expected a time from 1990 on and not in the future")
    if value < EARLIEST or value > datetime.now(UTC) + SKEW:
        raise ValueError("expected a time from 1990 on and not in the future")
    return value


class Jurisdiction(BaseModel):
    """The jurisdiction the incident is handled by."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="Name, e.g. 阳泉市")
    code: str | None = Field(
        default=None, pattern=r"^\d{6}$", description="GB/T 2260 code, e.g. 140300"
    )


EXAMPLE_FOOTPRINT: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [
        [[113.55, 37.85], [113.6, 37.85], [113.6, 37.9], [113.55, 37.9], [113.55, 37.85]]
    ],
}


class IncidentRequest(BaseModel):
    """Open an incident: where, what, under which plan."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "footprint": EXAMPLE_FOOTPRINT,
                    "hazard": "flood",
                    "plan": "yangquan-2026",
                    "title": "桃河洪水",
                    "started": "2026-07-01T08:00:00+08:00",
                }
            ]
        },
    )

    footprint: dict[str, Any] = Field(
        description="GeoJSON Geometry, Feature or FeatureCollection of (Multi)Polygons, EPSG:4326"
    )
    hazard: HazardName = Field(description="Hazard kind")
    plan: str | None = Field(
        default=None, max_length=64, description="Plan profile id; the pack's plan when omitted"
    )
    jurisdiction: Jurisdiction | None = Field(
        default=None, description="Name and code; the plan's jurisdiction when omitted"
    )
    title: str | None = Field(default=None, max_length=200, description="Incident name")
    started: datetime | None = Field(
        default=None,
        description=(f"When the disaster started, or the forecast was issued ({TIME_NOTE}); now"),
    )
    stage: Literal["warning", "response"] = Field(
        default="response",
        description=(
            "response: the footprint is the disaster's; warning: a forecast footprint (预警), "
            "answered by the warning record until the disaster's footprint is sent"
        ),
    )

    _time = field_validator("started")(checked_time)


class ReportRequest(BaseModel):
    """A 初报, 续报 or 核报 of an incident."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "续报",
                    "figures": {"dead_missing": 4, "relocated": 12000},
                    "estimates": ["relocated"],
                    "reporter": "平定县应急管理局",
                }
            ]
        },
    )

    kind: ReportKindName = Field(description="初报, 续报 or 核报 (also initial, update, final)")
    figures: ReportFigures = Field(
        default_factory=ReportFigures,
        description="Figures as of this report; each supersedes the earlier value (核报 final)",
    )
    estimates: list[IndicatorName] = Field(
        default_factory=list,
        max_length=10,
        description="Figures of this report that are estimates, not counts (先报后核)",
    )
    time: datetime | None = Field(
        default=None, description=f"Time of the report ({TIME_NOTE}); now when omitted"
    )
    reporter: str | None = Field(
        default=None, max_length=100, description="Who reports, e.g. 平定县应急管理局"
    )
    stable: bool = Field(
        default=False, description="The report declares the disaster stable (灾情稳定)"
    )
    note: str | None = Field(default=None, max_length=2000, description="Remarks")

    _time = field_validator("time")(checked_time)


class ReportOut(BaseModel):
    """A report as recorded."""

    id: str = Field(description="Report id")
    seq: int = Field(description="Its place in the incident's history (1 is the first)")
    kind: Literal["initial", "update", "final"] = Field(description="initial, update or final")
    label: str = Field(description="初报, 续报 or 核报")
    time: datetime = Field(description="Time of the report (UTC)")
    recorded: datetime = Field(description="When the service recorded it (UTC)")
    reporter: str | None = Field(description="Who reported")
    figures: dict[str, int | float] = Field(description="Figures given in this report")
    by_county: dict[str, dict[str, int | float]] = Field(
        default_factory=dict, description="Figures of transitional aid given per county"
    )
    estimates: list[str] = Field(description="Figures of this report that are estimates")
    stable: bool = Field(description="Whether it declared the disaster stable")
    note: str | None = Field(description="Remarks")
    requested_by: str | None = Field(description="API key name:role that sent it")


class GradedFigure(BaseModel):
    """A figure in force when a verdict was decided, with the report that gave it."""

    value: int | float = Field(description="The value graded")
    report_id: str = Field(description="The report that gave it")
    kind: str = Field(description="That report's kind (initial, update, final)")
    time: datetime = Field(description="That report's time (UTC)")
    estimated: bool = Field(description="Whether the value was an estimate")


class RecommendationOut(BaseModel):
    """The level the graded figures call for, against the level in force."""

    level: int | None = Field(description="Level the figures call for, or null")
    label: str | None = Field(description="一级 … 四级, or null")
    clauses: list[str] = Field(description="Clauses of the criteria reaching that level")
    level_in_force: int | None = Field(description="Level in force by decision, or null")
    relation: Literal["none", "start", "above", "same", "below", "end"] = Field(
        description=(
            "start (called for, none in force), above / below / same (against the level "
            "in force), end (nothing called for while one is in force), none"
        )
    )
    gap: bool = Field(description="The figures call for what has not been decided")
    gap_text: str | None = Field(description="The gap in Chinese, e.g. 建议提升至二级，尚未决定")


class IncidentVerdictOut(BaseModel):
    """The level decided on one report, and how it moved the active level."""

    id: str = Field(description="Verdict id")
    seq: int = Field(description="Its place in the verdict history")
    report_id: str = Field(description="The report it was decided on")
    created: datetime = Field(description="When it was decided (UTC)")
    level: int | None = Field(description="Level reached, 1 (highest) … 4, or null")
    label: str | None = Field(description="一级 … 四级, or null")
    previous_level: int | None = Field(description="The active level before this report")
    change: Literal["none", "start", "raise", "same", "lower"] = Field(
        description="start (first level reached), raise, same, lower, or none"
    )
    escalation: bool = Field(
        description="The level rose above an active response (江苏 §5.7 响应提升)"
    )
    escalation_clauses: list[str] = Field(
        description="Clauses of the criteria that reached the new level"
    )
    escalation_rule: str | None = Field(description="The plan's rule on raising a response")
    figures: dict[str, GradedFigure] = Field(description="Cumulated figures graded")
    estimated: list[str] = Field(description="Figures graded that were estimates")
    plan: str = Field(description="Plan profile id")
    plan_sha256: str = Field(description="Hash of the plan profile file used")
    software_version: str = Field(description="reliefgis version that decided")
    requested_by: str | None = Field(description="API key name:role that asked (never the key)")
    verdict: VerdictOut = Field(description="The full level verdict with criteria and clauses")
    recommendation: RecommendationOut | None = Field(
        default=None, description="The level called for against the level in force then"
    )
    after_end: bool = Field(default=False, description="Made after the response ended")
    flag: str | None = Field(default=None, description="Why the report is flagged, in Chinese")
    aid_by_county: dict[str, dict[str, GradedFigure]] = Field(
        default_factory=dict,
        description="Running totals per county of the figures of transitional aid (台账)",
    )


class ReportAnswer(BaseModel):
    """A recorded report and the verdict decided on it."""

    report: ReportOut = Field(description="The report as recorded")
    verdict: IncidentVerdictOut = Field(description="The verdict decided on it")


class JurisdictionOut(BaseModel):
    """The jurisdiction handling the incident."""

    name: str = Field(description="Name")
    code: str | None = Field(description="GB/T 2260 code")


class CurrentOut(BaseModel):
    """Where the incident stands, derived from its history."""

    level: int | None = Field(description="Level the latest graded report calls for")
    label: str | None = Field(description="一级 … 四级, or null")
    figures: dict[str, GradedFigure] = Field(description="Figures in force")
    stable_since: datetime | None = Field(description="When it was reported stable")
    final: bool = Field(description="Whether a 核报 has been received")
    escalations: int = Field(description="How many verdicts raised the level")


class PageOut(BaseModel):
    """A page of an incident's report history."""

    total: int = Field(description="Reports of the incident in all")
    limit: int | None = Field(description="At most this many reports per page (null: all)")
    cursor: int = Field(description="The page starts after this report number")
    next_cursor: int | None = Field(description="Cursor of the next page, null on the last")


class IncidentOut(BaseModel):
    """An incident with its report and verdict histories."""

    id: str = Field(description="Incident id")
    title: str | None = Field(description="Incident name")
    hazard: str = Field(description="Hazard kind")
    plan: str = Field(description="Plan profile id")
    plan_sha256: str = Field(description="Hash of the plan file when the incident was opened")
    jurisdiction: JurisdictionOut = Field(description="Jurisdiction handling it")
    started: datetime = Field(description="When the disaster started (UTC)")
    created: datetime = Field(description="When it was recorded (UTC)")
    requested_by: str | None = Field(description="API key name:role that opened it")
    software_version: str = Field(description="reliefgis version that opened it")
    footprint: dict[str, Any] = Field(
        description="The footprint in force (the disaster's, or the latest forecast's), GeoJSON"
    )
    stage: Literal["warning", "response"] = Field(description="warning (forecast) or response")
    stage_label: str = Field(description="预警阶段 or 响应阶段")
    disaster_started: datetime | None = Field(
        description="When the disaster happened (deadlines count from it); null while a warning"
    )
    stages: list[dict[str, Any]] = Field(description="Footprints that set the stage, in order")
    warning: dict[str, Any] | None = Field(
        description="The warning record (WarningOut), kept after the response started"
    )
    current: CurrentOut = Field(description="Current state, derived from the history")
    level_in_force: int | None = Field(
        description="Level in force by decision; null before a start and after the end"
    )
    level_in_force_label: str | None = Field(description="一级 … 四级, or null")
    ended: datetime | None = Field(description="When the response was ended (UTC)")
    recommendation: RecommendationOut | None = Field(
        description="What the figures now call for against the level in force (null: no report)"
    )
    reports: list[ReportOut] = Field(description="Reports of this page, in the order recorded")
    verdicts: list[IncidentVerdictOut] = Field(
        description="Verdicts of this page, in the order decided"
    )
    decisions: list[dict[str, Any]] = Field(
        description="Every decision on the response (start, raise, lower, end), in order"
    )
    county_responses: list[dict[str, Any]] = Field(
        description="County-level responses of the affected counties (响应联动)"
    )
    page: PageOut = Field(description="Which reports and verdicts this answer holds")
    after_emergency: AfterEmergencyOut | None = Field(
        default=None,
        description=(
            "过渡期生活救助 and 冬春救助, always computed from what is reported (a preview "
            "until the response ends); null for a plan with no [after_emergency] profile"
        ),
    )


class IncidentSummaryOut(BaseModel):
    """An incident in the list."""

    id: str = Field(description="Incident id")
    title: str | None = Field(description="Incident name")
    hazard: str = Field(description="Hazard kind")
    plan: str = Field(description="Plan profile id")
    jurisdiction: str = Field(description="Jurisdiction name")
    started: datetime = Field(description="When the disaster started (UTC)")
    created: datetime = Field(description="When it was recorded (UTC)")
    reports: int = Field(description="Number of reports")
    stage: Literal["warning", "response"] = Field(description="warning (forecast) or response")
    stage_label: str = Field(description="预警阶段 or 响应阶段")
    level_in_force: int | None = Field(
        description="Level in force by decision; null before a start and after the end"
    )
    level_in_force_label: str | None = Field(description="一级 … 四级, or null")
    ended: datetime | None = Field(description="When the response was ended (UTC)")
    recommended_level: int | None = Field(
        description="Level the latest graded report calls for (a recommendation, not in force)"
    )
    recommended_label: str | None = Field(description="一级 … 四级, or null")
    gap_text: str | None = Field(
        description="The gap between the two in Chinese, e.g. 建议提升至二级，尚未决定"
    )
    updated: datetime | None = Field(description="Time of the latest verdict (UTC)")
