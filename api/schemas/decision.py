"""Request and response models of decisions on the response and county-level responses."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.schemas.incident import TIME_NOTE, checked_time

ActionName = Literal["start", "raise", "lower", "end"]


class DecisionRequest(BaseModel):
    """A decision to start, raise, lower or end the response level."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "action": "start",
                    "level": 2,
                    "decided_by": "市防减救灾委主任",
                    "time": "2026-07-01T12:00:00+08:00",
                    "basis": "市防减救灾办建议：紧急转移安置人数达到二级启动条件",
                }
            ]
        },
    )

    action: ActionName = Field(description="start, raise, lower or end")
    level: int | None = Field(
        default=None, ge=1, le=4, description="The level entered, 1 (highest) … 4; none for end"
    )
    decided_by: str = Field(
        min_length=1,
        max_length=100,
        description="The role the plan names as deciding this level, e.g. 市防减救灾委主任",
    )
    time: datetime | None = Field(
        default=None, description=f"When it was decided ({TIME_NOTE}); now when omitted"
    )
    basis: str = Field(default="", max_length=2000, description="Basis of the decision")
    stable: bool = Field(
        default=False, description="The decision declares the disaster stable (灾情稳定)"
    )

    _time = field_validator("time")(checked_time)


class DecisionOut(BaseModel):
    """A decision as recorded, with the clause it was taken under and who recorded it."""

    id: str = Field(description="Decision id")
    seq: int = Field(description="Its place among the incident's decisions (1 is the first)")
    action: ActionName = Field(description="start, raise, lower or end")
    action_label: str = Field(description="启动, 提升, 降低 or 终止")
    level: int | None = Field(description="Level entered (null for end)")
    label: str | None = Field(description="一级 … 四级, or null")
    decided_by: str = Field(description="The deciding role")
    time: datetime = Field(description="When it was decided (UTC)")
    recorded: datetime = Field(description="When the service recorded it (UTC)")
    basis: str = Field(description="Basis of the decision")
    stable: bool = Field(description="Whether it declared the disaster stable")
    clause: str = Field(description="The plan's clause it was taken under, with its text")
    requested_by: str | None = Field(description="API key name:role that recorded it")


class CountyResponseRequest(BaseModel):
    """A county-level response of an affected county (响应联动)."""

    model_config = ConfigDict(extra="forbid")

    county: str = Field(min_length=1, max_length=100, description="County name, e.g. 平定县")
    code: str | None = Field(
        default=None, pattern=r"^\d{6}$", description="GB/T 2260 code, e.g. 140321"
    )
    level: int = Field(ge=1, le=4, description="The county's response level, 1 … 4")
    time: datetime | None = Field(
        default=None, description=f"When the county started it ({TIME_NOTE}); now when omitted"
    )

    _time = field_validator("time")(checked_time)


class CountyResponseOut(BaseModel):
    """A county-level response as recorded."""

    id: str = Field(description="Record id")
    seq: int = Field(description="Its place among the incident's county responses")
    county: str = Field(description="County name")
    code: str | None = Field(description="GB/T 2260 code")
    level: int = Field(description="Level, 1 … 4")
    label: str = Field(description="一级 … 四级")
    time: datetime = Field(description="When the county started it (UTC)")
    recorded: datetime = Field(description="When the city recorded it (UTC)")
    requested_by: str | None = Field(description="API key name:role that recorded it")
