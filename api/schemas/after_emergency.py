"""Models of relief after the emergency: the figures it reads, transitional aid, the calendar."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Figures, split_by_county


class CountyAidIn(BaseModel):
    """Figures of transitional aid reported for one county."""

    model_config = ConfigDict(extra="forbid", strict=True)

    collapsed_households: int | None = Field(
        default=None,
        ge=0,
        le=10**9,
        description="倒塌和严重损坏房屋户数 in this county (households)",
    )
    in_shelters: int | None = Field(
        default=None,
        ge=0,
        le=10**9,
        description="在外安置无法返家人数 in this county (persons whose houses stand)",
    )


class ReportFigures(Figures):
    """A report's figures: those graded, people still in shelters, and figures per county."""

    in_shelters: int | None = Field(
        default=None,
        ge=0,
        le=10**9,
        description=(
            "在外安置无法返家人数: persons still housed away who cannot return home although "
            "their houses stand (阳泉2026 §6.1.1 「因次生灾害威胁在外安置无法返家人员」); "
            "those whose houses collapsed are counted through collapsed_households"
        ),
    )
    by_county: dict[str, CountyAidIn] | None = Field(
        default=None,
        max_length=500,
        description=(
            "Figures of transitional aid per GB/T 2260 county code of the layer pack, e.g. "
            '{"140302": {"collapsed_households": 120, "in_shelters": 300}}: the register '
            "(台账) is kept per county"
        ),
    )

    def split(self) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
        """The event figures and the per-county figures given, as plain mappings."""
        return split_by_county(self, self.by_county)


class AidRowOut(BaseModel):
    """One county's row of transitional aid (过渡期生活救助)."""

    code: str | None = Field(description="GB/T 2260 county code; null for 未分县 and 合计")
    name: str = Field(description="County name, 未分县 (event figures beyond the counties'), 合计")
    collapsed_households: int | None = Field(description="倒塌和严重损坏房屋户数, as reported")
    in_shelters: int | None = Field(description="在外安置无法返家人数, as reported")
    households: int = Field(description="需过渡期生活救助户数")
    persons: int = Field(description="需过渡期生活救助人数")
    need: int | None = Field(
        description="需求金额（元）; null while the plan's standard is missing"
    )
    estimated: list[str] = Field(description="Figures of this row that are estimates (估算)")


class TransitionalAidOut(BaseModel):
    """Transitional living aid per county, the standards used and their sources."""

    clause: str = Field(description="The plan's clause, e.g. 阳泉2026 §6.1.1")
    rule: str = Field(description="The plan's wording")
    register_clause: str = Field(description="The clause asking for a register (台账)")
    rows: list[AidRowOut] = Field(description="Per county; rows sum to the total")
    total: AidRowOut = Field(description="合计")
    months: int | None = Field(description="Months of aid; null: the plan states none")
    months_source: str | None = Field(description="Where the months come from")
    monthly_per_person: float | None = Field(
        description="元 per person per month; null: the plan states none"
    )
    monthly_source: str | None = Field(description="Where the standard comes from")
    standard_note: str | None = Field(description="Why a standard is missing, who fills it in")
    household_persons: float = Field(description="Persons per household used (估算)")
    household_source: str = Field(description="Source of the household size")
    estimate_label: str = Field(description="The label every estimate carries (估算)")


class ReliefStepOut(BaseModel):
    """One step of the winter–spring relief calendar (冬春救助)."""

    label: str = Field(description="What is to be done")
    clause: str = Field(description="The plan's clause, e.g. 阳泉2026 §6.3.3")
    rule: str = Field(description="The plan's wording")
    opens: date | None = Field(description="First day of the step's window, if it has one")
    due: datetime | None = Field(description="Due before this moment (CST); null when unknown")
    note: str | None = Field(description="How the days are read; a Spring Festival not covered")


class ReliefCalendarOut(BaseModel):
    """A plan's winter–spring relief calendar for one year."""

    plan: str = Field(description="Plan profile id")
    year: int = Field(description="The winter's year (its Spring Festival is the next year's)")
    spring_festival: date | None = Field(
        description="The Spring Festival after this winter (next year's 正月初一); null past data"
    )
    lunar_source: str = Field(description="Where the Spring Festival dates come from")
    timezone: str = Field(description="Asia/Shanghai (UTC+8)")
    steps: list[ReliefStepOut] = Field(description="The steps in the plan's order")


class AfterEmergencyOut(BaseModel):
    """Relief after the emergency, computed from what has been reported (always given)."""

    response_ended: bool = Field(
        description=(
            "Whether the response has ended; the plans bring transitional aid in 「灾害救助应急"
            "工作结束后」, so before the end these figures are a preview"
        )
    )
    transitional_aid: TransitionalAidOut = Field(description="过渡期生活救助")
    calendar: ReliefCalendarOut = Field(description="冬春救助 of the year the disaster started")
