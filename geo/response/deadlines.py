"""Which reports are due and which are overdue, under the plan's 灾情报告 rules.

A pure function of the plan, the incident's start, its reports, the level in force by
decision and the moment asked about. Clock times are China Standard Time (UTC+8, no
daylight saving since 1991: a fixed offset is exact). Working days are those of a
`geo.response.working_days.WorkCalendar`: Monday to Friday less public holidays, plus
the weekend days worked in their place (调休), for the years the calendar covers. A 核报
“within N working days” is due by the end (24:00) of the N-th working day after the day
the disaster became stable; a due date over a year not covered assumes no holidays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, timezone
from typing import Literal

from geo.errors import InputError
from geo.plans.model import Plan
from geo.plans.reporting_rules import LABELS, Reporting, ReportingRule, ReportKind
from geo.response.history import Report, chronological, stable_since
from geo.response.working_days import WEEKDAYS_ONLY, WorkCalendar, count_working_days

#: China Standard Time (Asia/Shanghai): UTC+8 without daylight saving.
CHINA = timezone(timedelta(hours=8), "CST")
DAY = timedelta(days=1)
#: The note of a due date counted over a year whose holidays are not known.
NO_HOLIDAYS_NOTE = "工作日按周一至周五计算：日历未收录该年度节假日安排，未计节假日和调休"

Status = Literal["met", "due", "overdue", "not_in_force"]
#: Why a rule is not in force (waiting for a report or a trigger, level, stable, ended;
#: before: a relief step that fell due before the disaster; warning: a forecast, no disaster).
Reason = Literal["waiting", "level", "stable", "ended", "before", "warning"]


@dataclass(frozen=True)
class Deadline:
    """One kind of report: whether it is due, by when, and the clause that says so."""

    kind: ReportKind | Literal["upward", "relief"]
    label: str
    status: Status
    #: When it is (or was) due; None when nothing is due or the plan gives no number.
    due: datetime | None
    #: When the report that met it was made.
    met_at: datetime | None
    clause: str
    rule: str
    explanation: str
    #: Daily 续报 deadlines passed without a report.
    missed: int = 0
    note: str | None = None
    reason: Reason | None = None


@dataclass(frozen=True)
class Deadlines:
    """Every kind of report for one incident at one moment (times in China Standard Time)."""

    plan: str
    now: datetime
    stable_since: datetime | None
    items: tuple[Deadline, ...]

    @property
    def overdue(self) -> tuple[Deadline, ...]:
        """The reports whose deadline has passed."""
        return tuple(d for d in self.items if d.status == "overdue")


def _local(moment: datetime) -> datetime:
    return moment.astimezone(CHINA)


def _stamp(moment: datetime) -> str:
    return _local(moment).strftime("%Y-%m-%d %H:%M")


def end_of_working_days(
    moment: datetime, days: int, calendar: WorkCalendar = WEEKDAYS_ONLY
) -> datetime:
    """The end (24:00 CST) of the ``days``-th working day after ``moment``'s day."""
    day, _ = count_working_days(calendar, _local(moment).date(), days)
    return datetime.combine(day + DAY, time(0), CHINA)


def _item(
    plan: Plan,
    rule: ReportingRule,
    status: Status,
    explanation: str,
    *,
    due: datetime | None = None,
    met_at: datetime | None = None,
    missed: int = 0,
    reason: Reason | None = None,
) -> Deadline:
    return Deadline(
        kind=rule.kind,
        label=LABELS[rule.kind],
        status=status,
        due=_local(due) if due else None,
        met_at=_local(met_at) if met_at else None,
        clause=plan.cite(rule.clause),
        rule=rule.text,
        explanation=explanation,
        missed=missed,
        note=rule.note,
        reason=reason,
    )


def _timed(plan: Plan, rule: ReportingRule, due: datetime, now: datetime, what: str) -> Deadline:
    if now > due:
        return _item(plan, rule, "overdue", f"{what}已超时：应于 {_stamp(due)} 前报送", due=due)
    return _item(plan, rule, "due", f"{what}应于 {_stamp(due)} 前报送", due=due)


def _initial(
    plan: Plan, rule: ReportingRule, started: datetime, reports: list[Report], now: datetime
) -> Deadline:
    due = started + rule.within if rule.within else None
    if reports:
        first = reports[0].time
        late = due is not None and first > due
        return _item(
            plan,
            rule,
            "met",
            f"{'迟报：' if late else ''}首次报告于 {_stamp(first)}",
            due=due,
            met_at=first,
        )
    if due is None:
        return _item(plan, rule, "due", "应尽快报送初报（预案未规定小时数）")
    return _timed(plan, rule, due, now, "初报")


def _in_force_since(
    rule: ReportingRule, levels: Sequence[tuple[datetime, int | None]], started: datetime
) -> datetime | None:
    """Since when a level-bound rule has been in force (None: not in force now)."""
    if rule.min_level is None:
        return started
    since = None
    for moment, level in sorted(levels, key=lambda pair: pair[0]):
        qualifies = level is not None and level <= rule.min_level
        if qualifies and since is None:
            since = moment
        elif not qualifies:
            since = None
    return since


def _daily(
    plan: Plan,
    rule: ReportingRule,
    clock: time,
    *,
    started: datetime,
    since: datetime,
    reports: list[Report],
    now: datetime,
) -> Deadline:
    """续报 every day by a clock time (e.g. 乐清 §4.2.2(2): 每天9时之前 … 截至前一天24时).

    The deadline of day D is met by a 续报 or 核报 made on day D before the clock time;
    one made earlier cannot cover the day before it in full.
    """
    local = _local(since)
    slot = datetime.combine(local.date(), clock, CHINA)
    first_day = _local(started).date() + DAY
    while slot <= local or slot.date() < first_day:
        slot += DAY
    updates = [_local(r.time) for r in reports if r.kind != "initial"]

    def reported(deadline: datetime, until: datetime) -> bool:
        opens = datetime.combine(deadline.date(), time(0), CHINA)
        return any(opens <= t <= until for t in updates)

    # Counted, not stepped through day by day: ``now`` may lie years ahead.
    missed, last = 0, None
    if slot <= now:
        today = datetime.combine(_local(now).date(), clock, CHINA)
        last = today if today <= now else today - DAY
        due_days = (last.date() - slot.date()).days + 1
        on_time = {t.date() for t in updates if slot.date() <= t.date() and t.time() <= clock}
        missed = due_days - len({d for d in on_time if d <= last.date()})
        slot = last + DAY
    if last is not None and not reported(last, now):
        return _item(
            plan,
            rule,
            "overdue",
            f"续报已超时：应于 {_stamp(last)} 前报送（已漏报 {missed} 次）",
            due=last,
            missed=missed,
        )
    if reported(slot, now):  # today's report is in before its deadline
        slot += DAY
    return _item(
        plan,
        rule,
        "due",
        f"续报应于 {_stamp(slot)} 前报送" + (f"（此前漏报 {missed} 次）" if missed else ""),
        due=slot,
        missed=missed,
    )


def _not_yet_or_no_more(
    plan: Plan,
    rule: ReportingRule,
    *,
    reports: list[Report],
    stable: datetime | None,
    ended: datetime | None,
) -> Deadline | None:
    """续报 before the 初报, after the end, or (unless it runs until the end) once stable."""
    if not reports:
        return _item(plan, rule, "not_in_force", "先报送初报", reason="waiting")
    if ended is not None:
        return _item(
            plan, rule, "not_in_force", f"响应已于 {_stamp(ended)} 终止，续报结束", reason="ended"
        )
    if stable is not None and rule.until == "stable":
        return _item(
            plan, rule, "not_in_force", f"灾情已于 {_stamp(stable)} 稳定，续报结束", reason="stable"
        )
    return None


def _update(
    plan: Plan,
    rule: ReportingRule,
    *,
    started: datetime,
    reports: list[Report],
    levels: Sequence[tuple[datetime, int | None]],
    stable: datetime | None,
    ended: datetime | None,
    now: datetime,
) -> Deadline:
    """续报 (the 24-hour zero report): from the response until stable, or (drought) until ended."""
    stopped = _not_yet_or_no_more(plan, rule, reports=reports, stable=stable, ended=ended)
    if stopped is not None:
        return stopped
    since = _in_force_since(rule, levels, started)
    if since is None:
        label = plan.level_spec(rule.min_level).label if rule.min_level else ""
        return _item(
            plan,
            rule,
            "not_in_force",
            f"本规定在{label}及以上响应期间执行，当前未决定启动该级响应",
            reason="level",
        )
    if rule.daily_by is not None:
        return _daily(
            plan, rule, rule.daily_by, started=started, since=since, reports=reports, now=now
        )
    if rule.every is not None:
        due = max(reports[-1].time, since) + rule.every
        return _timed(plan, rule, due, now, "续报")
    return _item(plan, rule, "due", "根据灾情变化及时续报（预案未规定时限）")


def _final(
    plan: Plan,
    rule: ReportingRule,
    reports: list[Report],
    *,
    stable: datetime | None,
    now: datetime,
    calendar: WorkCalendar,
) -> Deadline:
    finals = [r.time for r in reports if r.kind == "final"]
    due, assumed = None, False
    if stable is not None and rule.working_days:
        day, assumed = count_working_days(calendar, _local(stable).date(), rule.working_days)
        due = datetime.combine(day + DAY, time(0), CHINA)
    item = _final_item(plan, rule, finals, stable=stable, due=due, now=now)
    return replace(item, note=_joined(item.note, NO_HOLIDAYS_NOTE)) if assumed else item


def _joined(first: str | None, second: str) -> str:
    return f"{first}；{second}" if first else second


def _final_item(
    plan: Plan,
    rule: ReportingRule,
    finals: list[datetime],
    *,
    stable: datetime | None,
    due: datetime | None,
    now: datetime,
) -> Deadline:
    if finals:
        late = due is not None and finals[0] > due
        return _item(
            plan,
            rule,
            "met",
            f"{'迟报：' if late else ''}核报于 {_stamp(finals[0])}",
            due=due,
            met_at=finals[0],
        )
    if stable is None:
        return _item(plan, rule, "not_in_force", "灾情稳定后核报", reason="waiting")
    if due is None:
        return _item(plan, rule, "due", "灾情已稳定，应及时核报（预案未规定天数）")
    return _timed(plan, rule, due, now, "核报")


def _aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError(f"{name}: a time with a UTC offset is expected", field=name)


def _rules(plan: Plan) -> Reporting:
    if plan.reporting is None:
        raise InputError(
            f"plan: {plan.id} has no [reporting] section; its deadlines are not profiled",
            field="plan",
        )
    return plan.reporting


def deadlines(
    plan: Plan,
    *,
    hazard: str | None,
    started: datetime,
    reports: Sequence[Report],
    levels: Sequence[tuple[datetime, int | None]],
    now: datetime,
    calendar: WorkCalendar = WEEKDAYS_ONLY,
    declared_stable: datetime | None = None,
    ended: datetime | None = None,
) -> Deadlines:
    """What is due and what is overdue at ``now``.

    ``plan``'s ``reporting`` rules decide; ``hazard`` selects hazard-specific ones (drought
    续报 every 10 days); ``reports`` in any order; ``levels``: the level in force by decision
    from each time on (None after the end); ``calendar``: holidays and 调休 for working
    days (default Monday to Friday); ``declared_stable``: when a decision declared the
    disaster stable; ``ended``: when the response ended (the zero report stops, the 核报
    counts it as stable). Times must carry a UTC offset.
    """
    _aware(started, "started")
    _aware(now, "now")
    rules = _rules(plan)
    ordered = chronological([r for r in reports if r.time <= now])
    ended = ended if ended is not None and ended <= now else None
    marks = [
        t for t in (stable_since(ordered), declared_stable, ended) if t is not None and t <= now
    ]
    stable = min(marks) if marks else None
    items = (
        _initial(plan, rules.rule("initial", hazard), started, ordered, now),
        _update(
            plan,
            rules.rule("update", hazard),
            started=started,
            reports=ordered,
            levels=[(t, level) for t, level in levels if t <= now],
            stable=stable,
            ended=ended,
            now=now,
        ),
        _final(
            plan,
            rules.rule("final", hazard),
            ordered,
            stable=stable,
            now=now,
            calendar=calendar,
        ),
    )
    return Deadlines(
        plan=plan.id,
        now=_local(now),
        stable_since=_local(stable) if stable else None,
        items=items,
    )
