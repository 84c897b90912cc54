"""A plan's 灾情报告 rules: when 初报, 续报 and 核报 are due, each rule with its clause.

The rules are data (the ``[reporting]`` section of a plan profile); `parse_reporting`
turns that section into a frozen `Reporting`, naming every fault through the plan
parser's problem collector. A rule whose plan gives no number (e.g. 阳泉2026 §4.1.2
“在规定时限内”) has no timing: `geo.response.deadlines` then shows the report as due without
inventing a deadline.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any, Literal

from geo.errors import InputError, Problems
from geo.plans._fields import required_text, unknown_keys
from geo.plans.upward_rules import UpwardRule, parse_upward

ReportKind = Literal["initial", "update", "final"]

#: Names a report kind is given by, in Chinese and English (首报 is 攀枝花's word for 初报).
KIND_NAMES: dict[str, ReportKind] = {
    "initial": "initial",
    "初报": "initial",
    "首报": "initial",
    "update": "update",
    "续报": "update",
    "final": "final",
    "核报": "final",
}
LABELS: dict[ReportKind, str] = {"initial": "初报", "update": "续报", "final": "核报"}
_KINDS: tuple[ReportKind, ...] = ("initial", "update", "final")
_LEVELS = (1, 2, 3, 4)
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def report_kind(name: str) -> ReportKind:
    """The kind of a report named 初报/续报/核报 (or initial/update/final)."""
    kind = KIND_NAMES.get(name.strip().lower() if name.isascii() else name.strip())
    if kind is None:
        raise InputError(
            f"kind: {name!r} is not a report kind; expected 初报, 续报, 核报 "
            "(or initial, update, final)",
            field="kind",
        )
    return kind


@dataclass(frozen=True)
class ReportingRule:
    """When one kind of report is due under the plan, and where the plan says so."""

    kind: ReportKind
    clause: str
    text: str
    #: 初报: this long after the disaster started.
    within: timedelta | None = None
    #: 续报: every day by this local (China Standard Time) clock time.
    daily_by: time | None = None
    #: 续报: at most this long after the previous report.
    every: timedelta | None = None
    #: 核报: by the end of this many working days after the disaster became stable.
    working_days: int | None = None
    #: The rule is in force only while the response level is this or higher (1 highest).
    min_level: int | None = None
    #: Only for these hazards (a hazard-specific rule replaces the general one).
    hazards: frozenset[str] = frozenset()
    note: str | None = None
    #: 续报: due until the disaster is stable (灾情稳定) or, e.g. drought, until it ends.
    until: Literal["stable", "end"] = "stable"

    @property
    def timed(self) -> bool:
        """Whether the plan gives a number for this rule."""
        return any(
            v is not None for v in (self.within, self.daily_by, self.every, self.working_days)
        )


@dataclass(frozen=True)
class Reporting:
    """The plan's 灾情报告 section: one general rule per kind, and hazard-specific ones."""

    clause: str
    text: str
    rules: tuple[ReportingRule, ...]
    #: Reports upward on a trigger (a level, a figure, a county's response), with clauses.
    upward: tuple[UpwardRule, ...] = ()

    def rule(self, kind: ReportKind, hazard: str | None) -> ReportingRule:
        """The rule for ``kind``: the one naming ``hazard`` if any, else the general one."""
        specific = [r for r in self.rules if r.kind == kind and hazard in r.hazards]
        if specific:
            return specific[0]
        return next(r for r in self.rules if r.kind == kind and not r.hazards)


_RULE_KEYS = frozenset(
    {
        "kind",
        "clause",
        "text",
        "within_hours",
        "daily_by",
        "every_hours",
        "every_days",
        "within_working_days",
        "min_level",
        "hazards",
        "note",
        "until",
    }
)
#: Timing keys each kind may carry.
_TIMING: dict[ReportKind, frozenset[str]] = {
    "initial": frozenset({"within_hours"}),
    "update": frozenset({"daily_by", "every_hours", "every_days"}),
    "final": frozenset({"within_working_days"}),
}
_ALL_TIMING = frozenset().union(*_TIMING.values())


def _positive(raw: Mapping[str, Any], key: str, problems: Problems, where: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        problems.add(where + key, "expected a positive number")
        return None
    return float(value)


def _whole(raw: Mapping[str, Any], key: str, problems: Problems, where: str) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.add(where + key, "expected a whole number of at least 1")
        return None
    return value


def _clock(raw: Mapping[str, Any], problems: Problems, where: str) -> time | None:
    value = raw.get("daily_by")
    if value is None:
        return None
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        problems.add(where + "daily_by", 'expected a clock time "HH:MM", e.g. "09:00"')
        return None
    return time(int(match[1]), int(match[2]))


def _check_keys(
    raw: Mapping[str, Any], kind: ReportKind | None, problems: Problems, where: str
) -> None:
    unknown_keys(raw, _RULE_KEYS, problems, where)
    if kind is None:
        return
    for key in sorted((set(raw) & _ALL_TIMING) - _TIMING[kind]):
        problems.add(where + key, f"not a timing of {kind} reports; use {sorted(_TIMING[kind])}")
    given = sorted(set(raw) & _TIMING[kind])
    if len(given) > 1:
        problems.add(where.rstrip("."), f"expected at most one timing, got {given}")


def _rule(
    raw: Mapping[str, Any], where: str, problems: Problems, hazards: frozenset[str]
) -> ReportingRule | None:
    kind_name = raw.get("kind")
    kind = KIND_NAMES.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        problems.add(where + "kind", 'expected "initial", "update" or "final"')
    _check_keys(raw, kind, problems, where)
    names = raw.get("hazards", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        problems.add(where + "hazards", "expected a list of hazard names")
        names = []
    elif unknown := sorted(set(names) - hazards):
        problems.add(where + "hazards", f"unknown hazards {unknown}")
    min_level = raw.get("min_level")
    if min_level is not None and (isinstance(min_level, bool) or min_level not in _LEVELS):
        problems.add(where + "min_level", "expected 1, 2, 3 or 4")
        min_level = None
    note = raw.get("note")
    if note is not None and not isinstance(note, str):
        problems.add(where + "note", "expected a string")
        note = None
    until = raw.get("until", "stable")
    if until not in ("stable", "end"):
        problems.add(where + "until", 'expected "stable" or "end"')
        until = "stable"
    hours = _positive(raw, "within_hours", problems, where)
    every_hours = _positive(raw, "every_hours", problems, where)
    every_days = _positive(raw, "every_days", problems, where)
    every = (
        timedelta(hours=every_hours)
        if every_hours
        else timedelta(days=every_days)
        if every_days
        else None
    )
    rule = ReportingRule(
        kind=kind or "initial",
        clause=required_text(raw, "clause", problems, where),
        text=required_text(raw, "text", problems, where),
        within=timedelta(hours=hours) if hours else None,
        daily_by=_clock(raw, problems, where),
        every=every,
        working_days=_whole(raw, "within_working_days", problems, where),
        min_level=min_level,
        hazards=frozenset(names),
        note=note,
        until=until,
    )
    return rule if kind is not None else None


def parse_reporting(
    raw: object, problems: Problems, *, hazards: frozenset[str]
) -> Reporting | None:
    """Parse a plan's ``[reporting]`` table; faults go to ``problems``.

    Each kind needs exactly one general rule (no ``hazards``); a hazard may have one
    specific rule per kind, which replaces the general one for that hazard.
    """
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add("reporting", "expected a table with clause, text and [[reporting.rules]]")
        return None
    for key in sorted(set(raw) - {"clause", "text", "rules", "upward"}):
        problems.add(f"reporting.{key}", "unknown key; expected clause, text, rules, upward")
    entries = raw.get("rules", [])
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        problems.add("reporting.rules", "expected an array of tables ([[reporting.rules]])")
        entries = []
    rules = [
        rule
        for i, entry in enumerate(entries)
        if (rule := _rule(entry, f"reporting.rules[{i}].", problems, hazards)) is not None
    ]
    for kind in _KINDS:
        general = [r for r in rules if r.kind == kind and not r.hazards]
        if len(general) != 1:
            problems.add(
                "reporting.rules",
                f"expected one general {kind} rule (without hazards), found {len(general)}",
            )
        for hazard in sorted(hazards):
            if len([r for r in rules if r.kind == kind and hazard in r.hazards]) > 1:
                problems.add("reporting.rules", f"more than one {kind} rule for {hazard}")
    return Reporting(
        clause=required_text(raw, "clause", problems, "reporting."),
        text=required_text(raw, "text", problems, "reporting."),
        rules=tuple(rules),
        upward=parse_upward(raw.get("upward", []), problems),
    )
