"""Relief after the emergency as a plan profiles it: 过渡期生活救助, 冬春救助 and the 台账.

阳泉2026, 攀枝花2024 and 江苏 §6.1 (过渡期生活救助), §6.3 (冬春救助); 乐清2016 §7.1, §7.2.
The profile's ``[after_emergency]`` table quotes the clauses. The period (months) and the
monthly standard per person are DATA: none of the four plans states them, so the profiles
leave them out and say so, and a bureau fills them in with their source. A standard left
out is reported as missing, never as zero. `parse_after_emergency` checks the table
through the plan parser's collector.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from geo.errors import Problems
from geo.plans._fields import required_text, unknown_keys

#: The keys of ``[after_emergency]`` and of each ``[[after_emergency.calendar]]`` entry.
_KEYS = frozenset(
    {
        "transitional_clause",
        "transitional_text",
        "register_clause",
        "register_text",
        "months",
        "months_source",
        "monthly_per_person",
        "monthly_source",
        "standard_note",
        "calendar",
    }
)
_ENTRY_KEYS = frozenset({"label", "clause", "text", "opens", "due", "note"})
#: ``due = "spring_festival"``: before the Spring Festival after the year's winter.
SPRING_FESTIVAL = "spring_festival"
#: The last day of each month (February's 29th is refused: not every year has it).
_LAST_DAY = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True)
class MonthDay:
    """A day of the year (month, day) as a calendar rule names it (「每年10月底前」: 10-31)."""

    month: int
    day: int


@dataclass(frozen=True)
class CalendarRule:
    """One step of the winter–spring relief calendar (冬春救助), with its clause.

    ``due`` is a day of the year, or None for 「春节前」 (``before_spring_festival``): the
    Spring Festival that follows the year's winter, i.e. the next year's.
    """

    label: str
    clause: str
    text: str
    opens: MonthDay | None
    due: MonthDay | None
    before_spring_festival: bool
    note: str | None


@dataclass(frozen=True)
class AfterEmergency:
    """A plan's rules for relief after the emergency, with the standards a bureau adds."""

    transitional_clause: str
    transitional_text: str
    register_clause: str
    register_text: str
    #: The months transitional aid lasts; None where the plan states none.
    months: int | None
    months_source: str | None
    #: Aid per person per month (元); None where the plan states none.
    monthly_per_person: Decimal | None
    monthly_source: str | None
    #: Why a standard is missing and who fills it in (e.g. 「预案未规定…」).
    standard_note: str | None
    calendar: tuple[CalendarRule, ...]


def _opt_text(raw: Mapping[str, Any], key: str, problems: Problems, where: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add(where + key, "expected a non-empty string")
        return None
    return value


def _month_day(raw: object, key: str, problems: Problems) -> MonthDay | None:
    text = str(raw)
    parts = text.split("-")
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        month, day = int(parts[0]), int(parts[1])
        if 1 <= month <= 12 and 1 <= day <= _LAST_DAY[month - 1]:
            return MonthDay(month, day)
    problems.add(key, f"expected a day of the year as MM-DD, got {raw!r}")
    return None


def _rule(raw: Mapping[str, Any], problems: Problems, where: str) -> CalendarRule:
    unknown_keys(raw, _ENTRY_KEYS, problems, where)
    due_raw = raw.get("due")
    spring = due_raw == SPRING_FESTIVAL
    due = None
    if due_raw is None:
        problems.add(where + "due", f"expected MM-DD or {SPRING_FESTIVAL!r}")
    elif not spring:
        due = _month_day(due_raw, where + "due", problems)
    opens = _month_day(raw["opens"], where + "opens", problems) if "opens" in raw else None
    if opens and due and (opens.month, opens.day) > (due.month, due.day):
        problems.add(where + "opens", "expected a day before the due day")
    return CalendarRule(
        label=required_text(raw, "label", problems, where),
        clause=required_text(raw, "clause", problems, where),
        text=required_text(raw, "text", problems, where),
        opens=opens,
        due=due,
        before_spring_festival=spring,
        note=_opt_text(raw, "note", problems, where),
    )


def _standard(
    raw: Mapping[str, Any], key: str, problems: Problems, *, whole: bool
) -> tuple[Decimal | None, str | None]:
    """A standard figure and its source: both or neither; positive when given."""
    source_key = "months_source" if key == "months" else "monthly_source"
    source = _opt_text(raw, source_key, problems, "after_emergency.")
    if key not in raw:
        if source is not None:
            problems.add(f"after_emergency.{key}", f"{source_key} is given without the figure")
        return None, None
    number = raw[key]
    if isinstance(number, bool) or not isinstance(number, int | float):
        problems.add(f"after_emergency.{key}", "expected a number")
        return None, None
    value = Decimal(str(number))
    if value <= 0 or (whole and value != value.to_integral_value()):
        problems.add(
            f"after_emergency.{key}",
            "expected a positive " + ("whole " if whole else "") + "number",
        )
        return None, None
    if source is None:
        problems.add(f"after_emergency.{source_key}", f"expected the source of {key}")
    return value, source


def parse_after_emergency(raw: object, problems: Problems) -> AfterEmergency | None:
    """Parse a profile's ``[after_emergency]`` table; faults go to ``problems``."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add("after_emergency", "expected a table")
        return None
    where = "after_emergency."
    unknown_keys(raw, _KEYS, problems, where)
    months, months_source = _standard(raw, "months", problems, whole=True)
    monthly, monthly_source = _standard(raw, "monthly_per_person", problems, whole=False)
    note = _opt_text(raw, "standard_note", problems, where)
    if (months is None or monthly is None) and note is None:
        problems.add(where + "standard_note", "expected why a standard is missing, who fills it")
    entries = raw.get("calendar", [])
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        problems.add(
            where + "calendar", "expected an array of tables ([[after_emergency.calendar]])"
        )
        entries = []
    return AfterEmergency(
        transitional_clause=required_text(raw, "transitional_clause", problems, where),
        transitional_text=required_text(raw, "transitional_text", problems, where),
        register_clause=required_text(raw, "register_clause", problems, where),
        register_text=required_text(raw, "register_text", problems, where),
        months=int(months) if months is not None else None,
        months_source=months_source,
        monthly_per_person=monthly,
        monthly_source=monthly_source,
        standard_note=note,
        calendar=tuple(_rule(e, problems, f"{where}calendar[{i}].") for i, e in enumerate(entries)),
    )
