"""The plan's warning response: measures taken on a forecast, before the disaster.

阳泉2026, 攀枝花2024 and 江苏 §3 灾害救助准备 list what the relief office does on forecast
information 「视情采取以下一项或多项措施」; 乐清2016 §5 预警响应 (§5.3 措施, started and ended by
市减灾委办公室 under §5.2 and §5.4). The profile's ``[warning]`` table quotes them, each
measure with the units the text names; `parse_warning` checks it through the plan parser's
collector.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geo.errors import Problems
from geo.plans._fields import required_text, unknown_keys

_KEYS = frozenset(
    {"clause", "title", "text", "lead", "measures"}
    | {"start_clause", "start_text", "end_clause", "end_text"}
)
_MEASURE_KEYS = frozenset({"id", "clause", "text", "units"})


@dataclass(frozen=True)
class WarningMeasure:
    """One warning measure: its id (ticked by), clause, wording and the units it names."""

    id: str
    clause: str
    text: str
    units: tuple[str, ...]


@dataclass(frozen=True)
class WarningResponse:
    """The plan's warning response: its clause, lead-in, the office leading it, its measures."""

    clause: str
    title: str
    text: str
    lead: str
    measures: tuple[WarningMeasure, ...]
    #: Who starts and ends it where the plan says (乐清2016 §5.2, §5.4), quoted.
    start: tuple[str, str] | None = None
    end: tuple[str, str] | None = None

    def measure(self, measure_id: str) -> WarningMeasure | None:
        """The measure of id ``measure_id``, or None when the plan lists none such."""
        return next((m for m in self.measures if m.id == measure_id), None)


def _measure(raw: Any, i: int, problems: Problems) -> WarningMeasure | None:
    where = f"warning.measures[{i}]."
    if not isinstance(raw, Mapping):
        problems.add(where.rstrip("."), "expected a table")
        return None
    unknown_keys(raw, _MEASURE_KEYS, problems, where)
    units = raw.get("units")
    if not isinstance(units, list) or not units or not all(isinstance(u, str) for u in units):
        problems.add(where + "units", "expected a non-empty list of unit names")
        units = []
    return WarningMeasure(
        id=required_text(raw, "id", problems, where),
        clause=required_text(raw, "clause", problems, where),
        text=required_text(raw, "text", problems, where),
        units=tuple(units),
    )


def _pair(raw: Mapping[str, Any], name: str, problems: Problems) -> tuple[str, str] | None:
    if f"{name}_clause" not in raw and f"{name}_text" not in raw:
        return None
    return (
        required_text(raw, f"{name}_clause", problems, "warning."),
        required_text(raw, f"{name}_text", problems, "warning."),
    )


def parse_warning(raw: Any, problems: Problems) -> WarningResponse | None:
    """The ``[warning]`` table as a `WarningResponse` (None when the profile has none)."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add("warning", "expected a table")
        return None
    unknown_keys(raw, _KEYS, problems, "warning.")
    items = raw.get("measures")
    if not isinstance(items, list) or not items:
        problems.add("warning.measures", "expected at least one [[warning.measures]] table")
        items = []
    measures = [m for i, r in enumerate(items) if (m := _measure(r, i, problems)) is not None]
    ids = [m.id for m in measures]
    if len(set(ids)) != len(ids):
        problems.add("warning.measures", f"measure ids must be unique, found {ids}")
    return WarningResponse(
        clause=required_text(raw, "clause", problems, "warning."),
        title=required_text(raw, "title", problems, "warning."),
        text=required_text(raw, "text", problems, "warning."),
        lead=required_text(raw, "lead", problems, "warning."),
        measures=tuple(measures),
        start=_pair(raw, "start", problems),
        end=_pair(raw, "end", problems),
    )
