"""Response models of an incident's deadlines: what is due under the decided response."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class DeadlineOut(BaseModel):
    """One kind of report: due, overdue, met … with the clause."""

    kind: Literal["initial", "update", "final", "upward", "relief"] = Field(
        description=(
            "initial, update, final, upward (a report or response due on a trigger), or "
            "relief (a step of the winter–spring relief calendar, 冬春救助)"
        )
    )
    label: str = Field(description="初报, 续报, 核报, or what the upward rule asks")
    status: Literal["met", "due", "overdue", "not_in_force"] = Field(
        description=(
            "met; due (by `due`, or as soon as possible when null); overdue; not_in_force "
            "(not yet or no longer: see `reason`)"
        )
    )
    reason: str | None = Field(
        default=None,
        description=(
            "Why not in force: waiting (for the 初报, 灾情稳定 or a trigger), level (below the "
            "level the rule needs, or no response started), stable (灾情稳定), ended (响应终止), "
            "before (a relief step that fell due before the disaster), warning (a forecast: "
            "the disaster has not happened)"
        ),
    )
    due: datetime | None = Field(
        description="Deadline (China Standard Time); null when the plan gives no number"
    )
    met_at: datetime | None = Field(description="When the report meeting it was made")
    clause: str = Field(description="The plan's clause, e.g. 乐清2016 §4.2.2(1)")
    rule: str = Field(description="The plan's wording")
    explanation: str = Field(description="What is due, in words")
    missed: int = Field(description="Daily 续报 deadlines passed without a report")
    note: str | None = Field(description="How the rule is read, and what the plan leaves open")


class DeadlinesOut(BaseModel):
    """Which reports are due and which overdue for an incident at a moment."""

    incident: str = Field(description="Incident id")
    plan: str = Field(description="Plan profile id")
    now: datetime = Field(description="The moment asked about")
    timezone: str = Field(description="Time zone of the deadlines")
    level: int | None = Field(description="Level the latest graded report calls for")
    level_in_force: int | None = Field(description="Level in force by decision at `now`")
    ended: datetime | None = Field(description="When the response was ended, if by `now`")
    stable_since: datetime | None = Field(description="When the disaster was reported stable")
    overdue: list[str] = Field(description="Kinds of report overdue")
    deadlines: list[DeadlineOut] = Field(description="初报, 续报, 核报 and reports upward")
    working_days: str = Field(description="How working days are counted")
