"""A plan's rules on reporting upward when something happens: a level, a figure, a county.

乐清2016 §6.1.2(7), §6.2.2(6): at levels Ⅰ and Ⅱ 「发生灾情2小时内向上级政府和民政部门汇报」;
§4.2.2(1): 「对造成死亡(含失踪)10人以上……的重大灾害,应当同时逐级上报上级民政部门」;
攀枝花2024 §5.6 and 江苏 §5.6.2: a county (设区市) starting 三级 or above reports it upward,
and once the city (province) starts a response the counties concerned start theirs
「立即」. Each rule is data in the profile's ``[[reporting.upward]]``, with its clause.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from geo.errors import Problems
from geo.plans._fields import required_text, unknown_keys

Trigger = Literal["level", "figure", "county", "start"]
_KEYS = frozenset(
    {
        "clause",
        "text",
        "label",
        "trigger",
        "min_level",
        "indicator",
        "min",
        "within_hours",
        "counted_from",
        "note",
    }
)


@dataclass(frozen=True)
class UpwardRule:
    """A report (or response) due when a trigger happens, and the clause saying so.

    ``trigger``: ``level`` (a level at or above ``min_level`` in force by decision),
    ``figure`` (``indicator`` reaching ``min`` in a report), ``county`` (a county
    response at or above ``min_level`` recorded), ``start`` (the response started: the
    counties concerned start theirs). ``within`` None means 「及时」/「立即」 without a number;
    ``counted_from`` ``disaster`` counts it from the disaster's start (due at once when
    the trigger comes later), ``trigger`` from the trigger.
    """

    clause: str
    text: str
    label: str
    trigger: Trigger
    min_level: int | None = None
    indicator: str | None = None
    min: float | None = None
    within: timedelta | None = None
    counted_from: Literal["disaster", "trigger"] = "trigger"
    note: str | None = None


def _rule(raw: Mapping[str, Any], problems: Problems, where: str) -> UpwardRule | None:
    unknown_keys(raw, _KEYS, problems, where)
    trigger = raw.get("trigger")
    if trigger not in ("level", "figure", "county", "start"):
        problems.add(where + "trigger", 'expected "level", "figure", "county" or "start"')
        return None
    level = raw.get("min_level")
    if trigger in ("level", "county") and (isinstance(level, bool) or level not in (1, 2, 3, 4)):
        problems.add(where + "min_level", "expected 1, 2, 3 or 4")
    minimum = raw.get("min")
    if trigger == "figure" and (
        not isinstance(raw.get("indicator"), str)
        or isinstance(minimum, bool)
        or not isinstance(minimum, int | float)
    ):
        problems.add(where + "indicator", "a figure trigger needs indicator and min")
    hours = raw.get("within_hours")
    if hours is not None and (
        isinstance(hours, bool) or not isinstance(hours, int | float) or hours < 0
    ):
        problems.add(where + "within_hours", "expected a number of hours (0: at once)")
        hours = None
    counted = raw.get("counted_from", "trigger")
    if counted not in ("disaster", "trigger"):
        problems.add(where + "counted_from", 'expected "disaster" or "trigger"')
        counted = "trigger"
    note = raw.get("note")
    return UpwardRule(
        clause=required_text(raw, "clause", problems, where),
        text=required_text(raw, "text", problems, where),
        label=required_text(raw, "label", problems, where),
        trigger=trigger,
        min_level=level if isinstance(level, int) else None,
        indicator=raw.get("indicator"),
        min=float(minimum) if isinstance(minimum, int | float) else None,
        within=timedelta(hours=hours) if hours is not None else None,
        counted_from=counted,
        note=note if isinstance(note, str) else None,
    )


def parse_upward(raw: object, problems: Problems) -> tuple[UpwardRule, ...]:
    """Parse ``[[reporting.upward]]``; faults go to ``problems``."""
    if not isinstance(raw, list) or not all(isinstance(r, Mapping) for r in raw):
        problems.add("reporting.upward", "expected an array of tables ([[reporting.upward]])")
        return ()
    found = [_rule(r, problems, f"reporting.upward[{i}].") for i, r in enumerate(raw)]
    return tuple(r for r in found if r is not None)
