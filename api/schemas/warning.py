"""Request and response models of the warning response: stages, the record, the checklist."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.schemas.incident import TIME_NOTE, checked_time

StageName = Literal["warning", "response"]


class StageRequest(BaseModel):
    """A new footprint: a forecast's (stage warning) or the disaster's (stage response)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "footprint": {
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [113.55, 37.85],
                                [113.6, 37.85],
                                [113.6, 37.9],
                                [113.55, 37.9],
                                [113.55, 37.85],
                            ]
                        ],
                    },
                    "stage": "response",
                    "time": "2026-07-01T08:00:00+08:00",
                }
            ]
        },
    )

    footprint: dict[str, Any] = Field(
        description="GeoJSON Geometry, Feature or FeatureCollection of (Multi)Polygons, EPSG:4326"
    )
    stage: StageName = Field(
        default="response",
        description=(
            "response: the disaster's footprint, which ends the warning stage; warning: a "
            "newer forecast footprint, only while the incident is still a warning"
        ),
    )
    time: datetime | None = Field(
        default=None,
        description=f"When the disaster happened, or the forecast was issued ({TIME_NOTE}); now",
    )

    _time = field_validator("time")(checked_time)


class StageOut(BaseModel):
    """A footprint that set the incident's stage."""

    seq: int = Field(description="Its place among the incident's stage changes")
    stage: StageName = Field(description="warning or response")
    label: str = Field(description="预警阶段 or 响应阶段")
    time: datetime = Field(description="When the forecast was issued or the disaster happened")
    recorded: datetime = Field(description="When the service recorded it (UTC)")
    requested_by: str | None = Field(description="API key name:role that sent it")


class MeasureDoneRequest(BaseModel):
    """A warning measure recorded as done."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"measure": "3", "done_by": "市应急管理局", "time": "2026-06-30T21:00:00+08:00"}
            ]
        },
    )

    measure: str = Field(
        min_length=1, max_length=16, description="The measure's id in the plan's checklist"
    )
    done_by: str = Field(min_length=1, max_length=100, description="The unit that did it")
    time: datetime | None = Field(
        default=None, description=f"When it was done ({TIME_NOTE}); now when omitted"
    )
    note: str | None = Field(default=None, max_length=2000, description="Remarks")

    _time = field_validator("time")(checked_time)


class MeasureDoneOut(BaseModel):
    """A warning measure as recorded done."""

    id: str = Field(description="Record id")
    seq: int = Field(description="Its place among the incident's measures done")
    measure: str = Field(description="The measure's id")
    clause: str = Field(description="The plan's clause, cited")
    done_by: str = Field(description="The unit that did it")
    time: datetime = Field(description="When it was done (UTC)")
    recorded: datetime = Field(description="When the service recorded it (UTC)")
    note: str | None = Field(description="Remarks")
    requested_by: str | None = Field(description="API key name:role that recorded it")


class ChecklistItemOut(BaseModel):
    """One of the plan's warning measures, with the units it names and whether it is done."""

    id: str = Field(description="Measure id (tick it by this id)")
    clause: str = Field(description="The plan's clause, cited, e.g. 乐清2016 §5.3(3)")
    text: str = Field(description="The plan's wording")
    units: list[str] = Field(description="The units the text names")
    done: bool = Field(description="Whether it is recorded as done")
    records: list[MeasureDoneOut] = Field(description="Every record of it done, in order")


class ChecklistOut(BaseModel):
    """The plan's warning measures as a checklist."""

    clause: str = Field(description="The plan's clause, cited")
    title: str = Field(description="灾害救助准备 or 预警响应")
    text: str = Field(description="The plan's lead-in: who takes the measures, and when")
    lead: str = Field(description="The office that takes them")
    start: str | None = Field(description="Who starts the warning response (cited), if said")
    end: str | None = Field(description="Who ends it (cited), if the plan says")
    items: list[ChecklistItemOut] = Field(description="The measures, in the plan's order")


class WarningOut(BaseModel):
    """What the forecast exposes and what to do ahead of the disaster (every figure 估算)."""

    started: datetime = Field(description="When the (latest) forecast was issued (UTC)")
    forecasts: int = Field(description="How many forecast footprints were sent")
    footprint: dict[str, Any] = Field(description="The latest forecast footprint (GeoJSON)")
    exposure: dict[str, Any] = Field(description="Affected and displaced per county (估算)")
    shelters: dict[str, Any] = Field(
        description="Shelters to open: usable ones the placement fills, capacity and persons"
    )
    stock: dict[str, Any] | None = Field(
        description="Stock to pre-position, depot → shelter (the supply plan); null: no roads"
    )
    checklist: ChecklistOut | None = Field(description="The plan's warning measures")
