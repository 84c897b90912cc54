"""Reading a plan profile: the parsed TOML mapping checked and turned into a frozen `Plan`.

A malformed profile is refused with every problem named at once (`geo.errors.Problems`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import pairwise
from typing import Any

from geo.errors import Problems
from geo.plans._fields import required_text, unknown_keys
from geo.plans.after_rules import parse_after_emergency
from geo.plans.model import (
    HAZARDS,
    INDICATORS,
    LEVEL_NUMBERS,
    Clause,
    Judgement,
    LevelSpec,
    Measure,
    Plan,
    Threshold,
    WorkGroup,
    to_decimal,
)
from geo.plans.procedures import parse_procedures
from geo.plans.reporting_rules import parse_reporting
from geo.plans.warning import parse_warning


def _opt_text(data: Mapping[str, Any], key: str, problems: Problems, where: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        problems.add(f"{where}{key}", "expected a string")
        return ""
    return value


def _table_list(data: Mapping[str, Any], key: str, problems: Problems) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        problems.add(key, "expected an array of tables ([[" + key + "]])")
        return []
    return value


def _parse_bounds(
    raw: Mapping[str, Any], indicator: str, problems: Problems, where: str
) -> tuple[Decimal | None, Decimal | None]:
    bounds: dict[str, Decimal | None] = {"min": None, "max": None}
    for key in bounds:
        if key not in raw:
            continue
        try:
            bounds[key] = to_decimal(raw[key])
        except TypeError:
            problems.add(where + key, "expected a number")
    low, high = bounds["min"], bounds["max"]
    if low is None:
        problems.add(where + "min", "expected the inclusive lower bound (以上含本数)")
    elif low < 0:
        problems.add(where + "min", "expected a non-negative number")
    if low is not None and high is not None and high <= low:
        problems.add(where + "max", f"expected a bound above min {low}")
    if INDICATORS.get(indicator, ("",))[0] == "share":
        for key, bound in bounds.items():
            if bound is not None and bound > 1:
                problems.add(where + key, "a share is a fraction between 0 and 1 (0.3 for 30%)")
    return low, high


def _parse_hazards(
    raw: Mapping[str, Any], key: str, problems: Problems, where: str
) -> frozenset[str]:
    names = raw.get(key, [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        problems.add(where + key, "expected a list of hazard names")
        return frozenset()
    unknown = sorted(set(names) - HAZARDS)
    if unknown:
        problems.add(where + key, f"unknown hazards {unknown}")
    return frozenset(names)


_THRESHOLD_KEYS = frozenset(
    {"indicator", "level", "min", "max", "clause", "text", "hazards", "except_hazards"}
)
_LEVEL_KEYS = frozenset(
    {
        "level",
        "label",
        "plan_label",
        "color",
        "conditions_clause",
        "procedure_clause",
        "decided_by",
        "procedure",
        "measures_clause",
        "lead",
        "measures",
    }
)
_MEASURE_KEYS = frozenset({"text", "units", "clause"})


def _level(raw: Mapping[str, Any], problems: Problems, where: str) -> int | None:
    level = raw.get("level")
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVEL_NUMBERS:
        problems.add(where + "level", "expected 1, 2, 3 or 4")
        return None
    return level


def _parse_threshold(raw: Mapping[str, Any], i: int, problems: Problems) -> Threshold | None:
    where = f"thresholds[{i}]."
    unknown_keys(raw, _THRESHOLD_KEYS, problems, where)
    indicator = required_text(raw, "indicator", problems, where)
    if indicator and indicator not in INDICATORS:
        problems.add(where + "indicator", f"{indicator!r} is not one of {sorted(INDICATORS)}")
    level = _level(raw, problems, where)
    low, high = _parse_bounds(raw, indicator, problems, where)
    hazards = _parse_hazards(raw, "hazards", problems, where)
    except_hazards = _parse_hazards(raw, "except_hazards", problems, where)
    clause = required_text(raw, "clause", problems, where)
    text = required_text(raw, "text", problems, where)
    if low is None or level is None or indicator not in INDICATORS:
        return None
    return Threshold(
        indicator=indicator,
        level=level,
        min=low,
        max=high,
        clause=clause,
        text=text,
        hazards=hazards,
        except_hazards=except_hazards,
    )


def _check_ladders(thresholds: Sequence[Threshold], problems: Problems) -> None:
    """Within one indicator and hazard scope, a higher value must never reach a lower level.

    Each level's upper bound, when written, must be the next level's lower bound,
    so the ladder has no gap and no overlap.
    """
    scopes: dict[tuple[str, frozenset[str], frozenset[str]], list[Threshold]] = {}
    for t in thresholds:
        scopes.setdefault((t.indicator, t.hazards, t.except_hazards), []).append(t)
    for (indicator, _, _), ladder in scopes.items():
        ladder.sort(key=lambda t: t.min)
        for lower, upper in pairwise(ladder):
            if upper.min == lower.min:
                problems.add(
                    f"thresholds[{indicator}]",
                    f"levels {lower.level} and {upper.level} share the lower bound {upper.min}",
                )
            elif upper.level >= lower.level:
                problems.add(
                    f"thresholds[{indicator}]",
                    f"level {upper.level} at {upper.min} must be higher (a smaller number) "
                    f"than level {lower.level} at {lower.min}",
                )
            if lower.max is not None and lower.max != upper.min:
                problems.add(
                    f"thresholds[{indicator}] level {lower.level}",
                    f"upper bound {lower.max} must equal level {upper.level}'s lower bound "
                    f"{upper.min} (以上含本数，以下不含本数)",
                )
        if ladder and ladder[-1].max is not None:
            problems.add(
                f"thresholds[{indicator}] level {ladder[-1].level}",
                "the highest level reached by this indicator must have no upper bound",
            )


def _parse_level(raw: Mapping[str, Any], i: int, problems: Problems) -> LevelSpec | None:
    where = f"levels[{i}]."
    unknown_keys(raw, _LEVEL_KEYS, problems, where)
    level = _level(raw, problems, where)
    if level is None:
        return None
    measures = []
    for j, m in enumerate(_table_list(raw, "measures", problems)):
        unknown_keys(m, _MEASURE_KEYS, problems, f"{where}measures[{j}].")
        units = m.get("units", [])
        if not isinstance(units, list) or not all(isinstance(u, str) for u in units):
            problems.add(f"{where}measures[{j}].units", "expected a list of unit names")
            units = []
        measures.append(
            Measure(
                text=required_text(m, "text", problems, f"{where}measures[{j}]."),
                units=tuple(units),
                clause=required_text(m, "clause", problems, f"{where}measures[{j}]."),
            )
        )
    return LevelSpec(
        level=level,
        label=required_text(raw, "label", problems, where),
        plan_label=_opt_text(raw, "plan_label", problems, where)
        or required_text(raw, "label", problems, where),
        color=required_text(raw, "color", problems, where),
        conditions_clause=required_text(raw, "conditions_clause", problems, where),
        procedure_clause=required_text(raw, "procedure_clause", problems, where),
        decided_by=required_text(raw, "decided_by", problems, where),
        procedure=required_text(raw, "procedure", problems, where),
        measures_clause=required_text(raw, "measures_clause", problems, where),
        lead=_opt_text(raw, "lead", problems, where),
        measures=tuple(measures),
    )


def _parse_clause(raw: Any, key: str, problems: Problems) -> Clause | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add(key, "expected a table with clause and text")
        return None
    return Clause(
        clause=required_text(raw, "clause", problems, key + "."),
        text=required_text(raw, "text", problems, key + "."),
    )


def _work_groups(data: Mapping[str, Any], problems: Problems) -> list[WorkGroup]:
    return [
        WorkGroup(
            name=required_text(g, "name", problems, f"work_groups[{i}]."),
            lead=_opt_text(g, "lead", problems, f"work_groups[{i}]."),
            duties=_opt_text(g, "duties", problems, f"work_groups[{i}]."),
            clause=required_text(g, "clause", problems, f"work_groups[{i}]."),
        )
        for i, g in enumerate(_table_list(data, "work_groups", problems))
    ]


def _notes(data: Mapping[str, Any], problems: Problems) -> list[str]:
    notes = data.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        problems.add("notes", "expected a list of strings")
        return []
    return notes


_JUDGEMENT_KEYS = frozenset({"level", "clause", "text"})


def _judgement(data: Mapping[str, Any], problems: Problems) -> list[Judgement]:
    """The start conditions left to 会商研判, each with its level and clause."""
    items = []
    for i, raw in enumerate(_table_list(data, "judgement", problems)):
        where = f"judgement[{i}]."
        unknown_keys(raw, _JUDGEMENT_KEYS, problems, where)
        level = _level(raw, problems, where)
        clause = required_text(raw, "clause", problems, where)
        text = required_text(raw, "text", problems, where)
        if level is not None:
            items.append(Judgement(level=level, clause=clause, text=text))
    return sorted(items, key=lambda j: j.level)


def _indicator_names(data: Mapping[str, Any], problems: Problems) -> tuple[tuple[str, str], ...]:
    names = data.get("indicator_names", {})
    if not isinstance(names, Mapping) or not all(isinstance(v, str) for v in names.values()):
        problems.add("indicator_names", "expected a table of indicator = name")
        return ()
    for key in sorted(set(names) - set(INDICATORS)):
        problems.add(f"indicator_names.{key}", f"not one of {sorted(INDICATORS)}")
    return tuple((k, v) for k, v in names.items() if k in INDICATORS)


def _jurisdiction_code(data: Mapping[str, Any], problems: Problems) -> str | None:
    code = data.get("jurisdiction_code")
    if code is not None and not isinstance(code, str):
        problems.add("jurisdiction_code", "expected a GB/T 2260 code as a string")
        return None
    return code


def parse_plan(data: Mapping[str, Any], *, source: str) -> Plan:
    """Turn a profile mapping (parsed TOML) into a `Plan`, or raise `PlanError` naming all faults.

    Parameters
    ----------
    data
        The profile as read from its file.
    source
        The file name, quoted in error messages.
    """
    problems = Problems(f"plan profile {source}")
    levels = [
        spec
        for i, raw in enumerate(_table_list(data, "levels", problems))
        if (spec := _parse_level(raw, i, problems)) is not None
    ]
    numbers = sorted(spec.level for spec in levels)
    if numbers != list(LEVEL_NUMBERS):
        problems.add("levels", f"expected one table for each level 1-4, found {numbers}")
    thresholds = [
        t
        for i, raw in enumerate(_table_list(data, "thresholds", problems))
        if (t := _parse_threshold(raw, i, problems)) is not None
    ]
    if not thresholds:
        problems.add("thresholds", "expected at least one threshold")
    _check_ladders(thresholds, problems)
    groups = _work_groups(data, problems)
    notes = _notes(data, problems)
    bounds_rule = _parse_clause(data.get("bounds_rule"), "bounds_rule", problems)
    if bounds_rule is None:
        problems.add("bounds_rule", "expected the plan's rule for 以上/以下 with its clause")
    code = _jurisdiction_code(data, problems)
    plan = Plan(
        id=required_text(data, "id", problems, ""),
        name=required_text(data, "name", problems, ""),
        short=required_text(data, "short", problems, ""),
        issued=required_text(data, "issued", problems, ""),
        document=_opt_text(data, "document", problems, ""),
        jurisdiction=required_text(data, "jurisdiction", problems, ""),
        jurisdiction_code=code,
        seed=_opt_text(data, "seed", problems, ""),
        bounds_rule=bounds_rule or Clause("", ""),
        adjustment=_parse_clause(data.get("adjustment"), "adjustment", problems),
        levels=tuple(sorted(levels, key=lambda s: s.level)),
        thresholds=tuple(thresholds),
        work_groups=tuple(groups),
        notes=tuple(notes),
        reporting=parse_reporting(data.get("reporting"), problems, hazards=HAZARDS),
        escalation=_parse_clause(data.get("escalation"), "escalation", problems),
        judgement=tuple(_judgement(data, problems)),
        indicator_names=_indicator_names(data, problems),
        procedures=parse_procedures(data.get("decisions"), problems),
        after_emergency=parse_after_emergency(data.get("after_emergency"), problems),
        warning=parse_warning(data.get("warning"), problems),
    )
    problems.raise_if_any()
    return plan
