"""The winter–spring relief calendar (冬春救助) of a year, and its steps as deadlines.

阳泉2026 §6.3.2 「每年9月初开始开展受灾群众冬春生活困难情况调查」, §6.3.3 「每年10月底前…编制
工作台账」; 攀枝花2024 and 江苏 §6.3.2 「每年9月下旬」; 乐清2016 §7.2(4) 「确保冬令救济资金春节前
发放到户」. The days are the plan profile's (``[[after_emergency.calendar]]``); the Spring
Festival (正月初一) comes from lunar data for the years it covers (`SpringFestivals`), and a
year past them is said to be so, with no date invented. Times are China Standard Time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from geo.errors import InputError
from geo.plans.after_rules import CalendarRule, MonthDay
from geo.plans.model import Plan
from geo.response.deadlines import CHINA, Deadline, Reason, Status

#: The years a calendar may be asked for.
FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class SpringFestivals:
    """The Spring Festival (正月初一) of each year the lunar data covers, and its source."""

    dates: Mapping[int, date]
    source: str

    def of(self, year: int) -> date | None:
        """The Spring Festival of ``year``, or None past the lunar data."""
        return self.dates.get(year)

    @property
    def coverage(self) -> str:
        """The years covered, e.g. ``1900–2099``."""
        return f"{min(self.dates)}–{max(self.dates)}" if self.dates else "none"


@dataclass(frozen=True)
class ReliefStep:
    """One step of the year's winter–spring relief, with its days and clause."""

    label: str
    clause: str
    rule: str
    #: The first day of the step's window (「9月下旬」: 21 September); None if it has none.
    opens: date | None
    #: The step is due before this moment (the end of its last day); None when unknown.
    due: datetime | None
    note: str | None


def check_year(year: int, field: str = "year") -> int:
    """``year`` when between 2000 and 2100, else `InputError` naming ``field``."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InputError(
            f"{field}: expected a year between {FIRST_YEAR} and {LAST_YEAR}, got {year}",
            field=field,
        )
    return year


def _day(year: int, day: MonthDay) -> date:
    return date(year, day.month, day.day)


def _step(plan: Plan, rule: CalendarRule, year: int, festivals: SpringFestivals) -> ReliefStep:
    note = rule.note
    if rule.before_spring_festival:
        festival = festivals.of(year + 1)
        due = datetime.combine(festival, time(0), CHINA) if festival else None
        found = (
            f"{year + 1}年春节（正月初一）为 {festival.isoformat()}"
            if festival
            else f"农历数据仅覆盖 {festivals.coverage} 年，{year + 1}年春节日期未知，时限无法给出"
        )
        note = f"{note}；{found}" if note else found
    else:
        assert rule.due is not None  # the parser requires MM-DD or spring_festival
        due = datetime.combine(_day(year, rule.due) + timedelta(days=1), time(0), CHINA)
    return ReliefStep(
        label=rule.label,
        clause=plan.cite(rule.clause),
        rule=rule.text,
        opens=_day(year, rule.opens) if rule.opens else None,
        due=due,
        note=note,
    )


def relief_calendar(plan: Plan, year: int, festivals: SpringFestivals) -> tuple[ReliefStep, ...]:
    """The plan's winter–spring relief steps for the winter of ``year`` (2000–2100)."""
    check_year(year)
    if plan.after_emergency is None:
        raise InputError(
            f"plan: {plan.id} has no [after_emergency] section; its calendar is not profiled",
            field="plan",
        )
    return tuple(_step(plan, rule, year, festivals) for rule in plan.after_emergency.calendar)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def step_deadline(step: ReliefStep, *, started: datetime, now: datetime) -> Deadline:
    """A step as a deadline of an incident that started at ``started``, at ``now``.

    Not in force before its window opens (reason ``waiting``) or when it fell due before
    the disaster (reason ``before``: the next year's calendar takes it up); otherwise due,
    then overdue. No record of a step's completion is kept, so a step is never ``met``:
    overdue says its time has passed without a record.
    """

    def item(status: Status, explanation: str, reason: Reason | None = None) -> Deadline:
        return Deadline(
            kind="relief",
            label=step.label,
            status=status,
            due=step.due,
            met_at=None,
            clause=step.clause,
            rule=step.rule,
            explanation=explanation,
            note=step.note,
            reason=reason,
        )

    local = now.astimezone(CHINA)
    if step.due is not None and step.due <= started:
        return item("not_in_force", "灾害发生于本年度该项时限之后，纳入下一年度冬春救助", "before")
    if step.opens is not None and local.date() < step.opens:
        return item("not_in_force", f"{step.opens.isoformat()} 起开展", "waiting")
    if step.due is None:
        return item("due", "时限日期未知（见说明）")
    if now < step.due:
        return item("due", f"应于 {_stamp(step.due)} 前完成")
    return item("overdue", f"时限已过：应于 {_stamp(step.due)} 前完成（本系统未记录完成情况）")
