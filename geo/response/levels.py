"""The response-level engine: figures in, the level the plan calls for out, with clauses.

Each indicator given is graded on its own ladder of thresholds (以上含本数，以下不含本数);
the highest level any criterion reaches wins (1 is the highest). Each criterion also
says how far its value is from the next level up, so a decision-maker can weigh the
plan's clause on lowering the conditions for sensitive or weak areas (e.g. 阳泉 §5.5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from geo.errors import InputError
from geo.plans.model import HAZARDS, INDICATORS, LevelSpec, Plan, Threshold, WorkGroup
from geo.response.figures import Figure, Source, check_figures, plain_number


@dataclass(frozen=True)
class NextLevel:
    """The nearest level above the one reached and how far the value is from it."""

    level: int
    label: str
    threshold: float
    gap: float
    clause: str


@dataclass(frozen=True)
class Criterion:
    """How one indicator grades under the plan."""

    indicator: str
    name: str
    value: float
    source: Source
    basis: str | None
    level: int | None
    label: str | None
    clause: str | None
    condition: str | None
    next: NextLevel | None
    note: str | None = None


@dataclass(frozen=True)
class Verdict:
    """The level the plan calls for, each criterion with its clause, and what the level starts."""

    plan: str
    plan_name: str
    hazard: str | None
    level: int | None
    label: str | None
    color: str | None
    criteria: tuple[Criterion, ...]
    decision: LevelSpec | None
    bounds_rule: str
    adjustment: str | None
    notes: tuple[str, ...] = field(default_factory=tuple)
    work_groups: tuple[WorkGroup, ...] = field(default_factory=tuple)


def _grade(
    plan: Plan, indicator: str, value: Decimal, hazard: str | None
) -> tuple[Threshold | None, Threshold | None, list[Threshold]]:
    """The threshold reached, the nearest one above it, and all that apply to the hazard."""
    ladder = sorted(
        (t for t in plan.thresholds if t.indicator == indicator and t.applies_to(hazard)),
        key=lambda t: t.min,
    )
    # Without written upper bounds several rungs contain the value: the most severe wins.
    reached = min((t for t in ladder if t.contains(value)), key=lambda t: t.level, default=None)
    above = [t for t in ladder if t.min > value]
    nearer = min(above, key=lambda t: t.min) if above else None
    return reached, nearer, ladder


def _criterion(
    plan: Plan, indicator: str, figure: Figure, value: Decimal, hazard: str | None
) -> Criterion:
    reached, nearer, ladder = _grade(plan, indicator, value, hazard)
    note = None
    if not ladder:
        graded_elsewhere = any(t.indicator == indicator for t in plan.thresholds)
        if not graded_elsewhere:
            note = f"{plan.short} 不按此指标分级"
        elif hazard is None:
            note = f"{plan.short} 仅对特定灾种按此指标分级，未指定灾种"
        else:
            note = f"{plan.short} 对灾种 {hazard} 不按此指标分级"
    next_level = None
    if nearer is not None:
        spec = plan.level_spec(nearer.level)
        next_level = NextLevel(
            level=nearer.level,
            label=spec.label,
            threshold=plain_number(nearer.min),
            gap=plain_number(nearer.min - value),
            clause=plan.cite(nearer.clause),
        )
    return Criterion(
        indicator=indicator,
        name=INDICATORS[indicator][1],
        value=plain_number(value),
        source=figure.source,
        basis=figure.basis,
        level=reached.level if reached else None,
        label=plan.level_spec(reached.level).label if reached else None,
        clause=plan.cite(reached.clause) if reached else None,
        condition=reached.text if reached else None,
        next=next_level,
        note=note,
    )


def evaluate(plan: Plan, figures: Mapping[str, Figure], *, hazard: str | None = None) -> Verdict:
    """Grade every figure given under ``plan``; the highest level reached is the verdict.

    Parameters
    ----------
    plan
        The parsed plan profile.
    figures
        Indicator name to `Figure`; names and values are validated here.
    hazard
        The incident's hazard; selects hazard-specific rules (乐清's earthquake rule).
    """
    if hazard is not None and hazard not in HAZARDS:
        raise InputError(
            f"hazard: {hazard!r} is not one of {', '.join(sorted(HAZARDS))}", field="hazard"
        )
    values = check_figures({name: f.value for name, f in figures.items()})
    order = {name: i for i, name in enumerate(dict.fromkeys((*plan.indicators(), *INDICATORS)))}
    criteria = tuple(
        _criterion(plan, name, figures[name], values[name], hazard)
        for name in sorted(values, key=order.__getitem__)
    )
    reached = [c.level for c in criteria if c.level is not None]
    level = min(reached) if reached else None
    spec = plan.level_spec(level) if level is not None else None
    return Verdict(
        plan=plan.id,
        plan_name=plan.name,
        hazard=hazard,
        level=level,
        label=spec.label if spec else None,
        color=spec.color if spec else None,
        criteria=criteria,
        decision=spec,
        bounds_rule=f"{plan.cite(plan.bounds_rule.clause)}：{plan.bounds_rule.text}",
        adjustment=(
            f"{plan.cite(plan.adjustment.clause)}：{plan.adjustment.text}"
            if plan.adjustment
            else None
        ),
        notes=plan.notes,
        # A started response sets the plan's work groups up (e.g. 阳泉 §2.4, 附件1).
        work_groups=plan.work_groups if spec else (),
    )
