"""An incident's report history: figures that cumulate and levels that change.

Reports arrive as 初报, 续报 and 核报. The incident's current figures are derived from
the whole history, never updated in place: a later report's value of an indicator
supersedes an earlier one, except that a 核报's value is final and only a later 核报
replaces it. Each report is graded by `geo.response.levels.evaluate`; when the level rises above
the active one the verdict is an escalation (江苏 §5.7 响应提升).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from geo.plans.model import Plan
from geo.plans.reporting_rules import LABELS, ReportKind
from geo.response.figures import Figure
from geo.response.levels import Verdict

Change = Literal["none", "start", "raise", "same", "lower"]


@dataclass(frozen=True)
class Report:
    """One report of an incident as the history holds it."""

    id: str
    seq: int
    kind: ReportKind
    time: datetime
    figures: Mapping[str, float]
    estimates: frozenset[str] = frozenset()
    stable: bool = False


@dataclass(frozen=True)
class CurrentFigure:
    """The value of an indicator in force, with the report that gave it."""

    indicator: str
    value: float
    report_id: str
    kind: ReportKind
    time: datetime
    estimated: bool

    def as_figure(self) -> Figure:
        """The figure as the level engine grades it, saying which report gave it."""
        return Figure(
            value=self.value,
            source="estimated" if self.estimated else "reported",
            basis=f"{LABELS[self.kind]} {self.time.isoformat()} ({self.report_id})",
        )


def chronological(reports: Sequence[Report]) -> list[Report]:
    """Reports by their time, ties in the order they were recorded."""
    return sorted(reports, key=lambda r: (r.time, r.seq))


def advance(current: Mapping[str, CurrentFigure], report: Report) -> dict[str, CurrentFigure]:
    """The running totals ``current`` with ``report`` added, in whatever order reports come.

    For each indicator the report's value replaces the held one when it is the later by
    report time (ties: the later recorded), except that a 核报's value is final: only a
    later 核报 replaces it, and a 核报 replaces any 初报 or 续报 value. Folding reports
    through `advance` in any order gives what `cumulate` gives, so a new report is graded
    on the stored totals without re-reading the history.
    """
    totals = dict(current)
    final = report.kind == "final"
    for indicator, value in report.figures.items():
        held = totals.get(indicator)
        if held is not None:
            held_final = held.kind == "final"
            if held_final and not final:
                continue
            if held_final == final and report.time < held.time:
                continue
        totals[indicator] = CurrentFigure(
            indicator=indicator,
            value=value,
            report_id=report.id,
            kind=report.kind,
            time=report.time,
            estimated=indicator in report.estimates,
        )
    return totals


def cumulate(reports: Sequence[Report]) -> dict[str, CurrentFigure]:
    """The current value of each indicator over the report history.

    The latest report (by report time) that gives an indicator supersedes earlier
    values; a 核报's value is final, so a later 初报 or 续报 does not replace it.
    """
    current: dict[str, CurrentFigure] = {}
    for report in chronological(reports):
        current = advance(current, report)
    return current


def stable_since(reports: Sequence[Report]) -> datetime | None:
    """When the disaster was reported stable (灾情稳定): a report saying so, or a 核报."""
    times = [r.time for r in reports if r.stable or r.kind == "final"]
    return min(times) if times else None


@dataclass(frozen=True)
class LevelChange:
    """How a new verdict's level compares with the active one."""

    previous: int | None
    level: int | None
    change: Change
    escalation: bool
    #: Clauses of the criteria that lifted the level (for a start or a raise).
    clauses: tuple[str, ...]
    #: The plan's rule on raising a started response, cited (e.g. 江苏 §5.7), if any.
    rule: str | None


def level_change(plan: Plan, previous: int | None, verdict: Verdict) -> LevelChange:
    """Compare ``verdict`` with the active level ``previous`` (1 is the highest).

    A raise is an escalation only once a response is active (江苏 §5.7: 救灾响应启动后，
    达到更高级别的响应启动条件时); reaching a first level is a start.
    """
    level = verdict.level
    if level is None:
        change: Change = "none" if previous is None else "lower"
    elif previous is None:
        change = "start"
    elif level < previous:
        change = "raise"
    elif level == previous:
        change = "same"
    else:
        change = "lower"
    floor = previous if change == "raise" and previous is not None else 5
    clauses = (
        tuple(
            dict.fromkeys(
                c.clause
                for c in sorted(verdict.criteria, key=lambda c: c.level or 5)
                if c.level is not None and c.level < floor and c.clause
            )
        )
        if change in ("start", "raise")
        else ()
    )
    rule = None
    if change == "raise" and plan.escalation is not None:
        rule = f"{plan.cite(plan.escalation.clause)}：{plan.escalation.text}"
    return LevelChange(
        previous=previous,
        level=level,
        change=change,
        escalation=change == "raise",
        clauses=clauses,
        rule=rule,
    )
