"""Reports upward on a trigger: a level decided, a figure reported, a county's response.

The plan's ``[[reporting.upward]]`` rules (`geo.plans.upward_rules`) applied to the
incident: each is not in force until its trigger happens, then due (by a time when the
plan gives one, else 「及时」/「立即」 without a number), and met by the first report made
from the trigger on (a county's response: by its being recorded with the city).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from geo.plans.model import Plan
from geo.plans.upward_rules import UpwardRule
from geo.response.deadlines import Deadline, Reason, Status, _local, _stamp
from geo.response.history import Report, chronological


@dataclass(frozen=True)
class CountyResponse:
    """A county-level response: which county, which level, since when, recorded when."""

    county: str
    level: int
    time: datetime
    recorded: datetime


def _deadline(
    plan: Plan,
    rule: UpwardRule,
    status: Status,
    explanation: str,
    *,
    due: datetime | None = None,
    met_at: datetime | None = None,
    reason: Reason | None = None,
) -> Deadline:
    return Deadline(
        kind="upward",
        label=rule.label,
        status=status,
        due=_local(due) if due else None,
        met_at=_local(met_at) if met_at else None,
        clause=plan.cite(rule.clause),
        rule=rule.text,
        explanation=explanation,
        note=rule.note,
        reason=reason,
    )


def _trigger(
    rule: UpwardRule,
    reports: list[Report],
    levels: Sequence[tuple[datetime, int | None]],
    counties: Sequence[CountyResponse],
) -> tuple[datetime, datetime | None] | None:
    """When the rule's trigger happened, and (for a county, recorded here) when it was met."""
    if rule.trigger == "level":
        hits = [t for t, lv in levels if lv is not None and lv <= (rule.min_level or 4)]
        return (min(hits), None) if hits else None
    if rule.trigger == "start":
        hits = [t for t, lv in levels if lv is not None]
        return (min(hits), None) if hits else None
    if rule.trigger == "figure":
        indicator, minimum = rule.indicator or "", rule.min if rule.min is not None else 0.0
        hits = [r.time for r in reports if r.figures.get(indicator, -1) >= minimum]
        return (min(hits), None) if hits else None
    found = [c for c in counties if c.level <= (rule.min_level or 4)]
    if not found:
        return None
    first = min(found, key=lambda c: c.time)
    return first.time, first.time


def _met_by_report(
    plan: Plan, rule: UpwardRule, at: datetime, due: datetime | None, reports: list[Report]
) -> Deadline | None:
    after = [r.time for r in reports if r.time >= at]
    if not after:
        return None
    late = due is not None and after[0] > due
    return _deadline(
        plan,
        rule,
        "met",
        f"{'迟报：' if late else ''}已于 {_stamp(after[0])} 报告",
        due=due,
        met_at=after[0],
    )


def upward_item(
    plan: Plan,
    rule: UpwardRule,
    *,
    started: datetime,
    reports: Sequence[Report],
    levels: Sequence[tuple[datetime, int | None]],
    counties: Sequence[CountyResponse],
    now: datetime,
) -> Deadline:
    """One upward rule at ``now``: not in force, due, overdue or met."""
    ordered = chronological([r for r in reports if r.time <= now])
    found = _trigger(
        rule,
        ordered,
        [p for p in levels if p[0] <= now],
        [c for c in counties if c.time <= now],
    )
    if found is None:
        return _deadline(plan, rule, "not_in_force", "尚未触发", reason="waiting")
    at, learned = found
    if rule.trigger == "start":
        return _linked(plan, rule, at, [c for c in counties if c.time <= now])
    if learned is not None:
        return _deadline(plan, rule, "met", f"已登记 {_stamp(learned)} 启动的响应", met_at=learned)
    return _timed(plan, rule, started=started, at=at, reports=ordered, now=now)


def _linked(
    plan: Plan, rule: UpwardRule, at: datetime, counties: Sequence[CountyResponse]
) -> Deadline:
    """The counties concerned start their own response 「立即」 once the response starts."""
    if counties:
        first = min(counties, key=lambda c: c.time)
        return _deadline(
            plan,
            rule,
            "met",
            f"{first.county}已启动响应（{_stamp(first.time)}）",
            met_at=first.time,
        )
    return _deadline(plan, rule, "due", f"已于 {_stamp(at)} 启动响应，所涉及地区应立即启动")


def _timed(
    plan: Plan,
    rule: UpwardRule,
    *,
    started: datetime,
    at: datetime,
    reports: list[Report],
    now: datetime,
) -> Deadline:
    """A report upward due within a time of the disaster or of the trigger."""
    due = None
    if rule.within is not None:
        base = started if rule.counted_from == "disaster" else at
        due = max(base + rule.within, at)
    met = _met_by_report(plan, rule, at, due, reports)
    if met is not None:
        return met
    if due is None:
        return _deadline(plan, rule, "due", "应及时报告（预案未规定时限）")
    if now > due:
        return _deadline(plan, rule, "overdue", f"已超时：应于 {_stamp(due)} 前报告", due=due)
    return _deadline(plan, rule, "due", f"应于 {_stamp(due)} 前报告", due=due)


def upward_deadlines(
    plan: Plan,
    *,
    started: datetime,
    reports: Sequence[Report],
    levels: Sequence[tuple[datetime, int | None]],
    counties: Sequence[CountyResponse],
    now: datetime,
) -> tuple[Deadline, ...]:
    """Every upward rule of the plan at ``now``."""
    if plan.reporting is None:
        return ()
    return tuple(
        upward_item(
            plan, rule, started=started, reports=reports, levels=levels, counties=counties, now=now
        )
        for rule in plan.reporting.upward
    )
