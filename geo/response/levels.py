"""The response-level engine: figures in, the level the plan calls for out, with clauses.

Each indicator given is graded on its own ladder of thresholds (以上含本数，以下不含本数);
the highest level any criterion reaches wins (1 is the highest). Each criterion also
says how far its value is from the next level up, so a decision-maker can weigh the
plan's clause on lowering the conditions for sensitive or weak areas (e.g. 阳泉 §5.5).

A missing figure is not a figure below the threshold: a criterion that cannot be graded
is ``not_evaluated`` and names what is missing, a verdict with nothing graded is not
``evaluated``, and the plan's conditions left to judgement (会商研判) are always listed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from geo.errors import InputError
from geo.plans.model import (
    HAZARDS,
    Judgement,
    LevelSpec,
    Plan,
    Threshold,
    WorkGroup,
    to_decimal,
)
from geo.response.figures import (
    CountyFigures,
    Figure,
    Source,
    check_county,
    check_figures,
    county_share,
    plain_number,
)

Status = Literal["graded", "not_evaluated", "not_graded"]

#: A figure the plan does not grade, and the one it grades instead (乐清's two room counts;
#: 阳泉 grades drought persons as a share of each county's agricultural population).
ALTERNATIVES = {
    "collapsed_rooms": "collapsed_or_severe_rooms",
    "collapsed_or_severe_rooms": "collapsed_rooms",
    "drought_aid_persons": "drought_aid_share",
}


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
    """How one indicator grades under the plan (for one county where the plan says so)."""

    indicator: str
    name: str
    value: float | None
    source: Source
    basis: str | None
    level: int | None
    label: str | None
    clause: str | None
    condition: str | None
    next: NextLevel | None
    note: str | None = None
    status: Status = "graded"
    missing: tuple[str, ...] = ()
    county: str | None = None
    county_name: str | None = None
    lower_bound: bool = False


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
    #: False when no criterion could be graded: then no level is "not reached" either.
    evaluated: bool = True
    #: The plan's start conditions left to 会商研判, each with its cited clause and level.
    judgement: tuple[Judgement, ...] = field(default_factory=tuple)
    #: Indicators the plan grades for this hazard that no figure was given for.
    not_given: tuple[str, ...] = field(default_factory=tuple)


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


def _ladder(plan: Plan, indicator: str, hazard: str | None) -> bool:
    return any(t.indicator == indicator and t.applies_to(hazard) for t in plan.thresholds)


def _ungraded(
    plan: Plan, indicator: str, hazard: str | None, given: frozenset[str]
) -> tuple[Status, tuple[str, ...], str]:
    """Why a figure with no ladder here is not graded, and what would let it be graded."""
    alternative = ALTERNATIVES.get(indicator)
    if alternative and _ladder(plan, alternative, hazard) and alternative not in given:
        name = plan.indicator_name(alternative)
        if alternative == "drought_aid_share":
            return (
                "not_evaluated",
                ("figures.by_county",),
                f"未评估：缺少受灾县（区）。{plan.short} 按{name}分级，请按县（区）给出需救助人数",
            )
        return (
            "not_evaluated",
            (alternative,),
            f"未评估：缺少{name}（{alternative}）；{plan.short} 对此灾种按该数分级",
        )
    if alternative == "drought_aid_share" and alternative in given:
        return "not_graded", (), f"{plan.short} 按各县（区）农业人口比例分级，见各县（区）"
    if not any(t.indicator == indicator for t in plan.thresholds):
        return "not_graded", (), f"{plan.short} 不按此指标分级"
    if hazard is None:
        return (
            "not_evaluated",
            ("hazard",),
            f"未评估：缺少灾种。{plan.short} 仅对特定灾种按此指标分级，请给出灾种（hazard）",
        )
    return "not_graded", (), f"{plan.short} 对灾种 {hazard} 不按此指标分级"


def _criterion(
    plan: Plan,
    indicator: str,
    figure: Figure,
    hazard: str | None,
    *,
    given: frozenset[str],
    county: CountyFigures | None = None,
) -> Criterion:
    value = to_decimal(figure.value)
    reached, nearer, ladder = _grade(plan, indicator, value, hazard)
    status: Status = "graded"
    missing: tuple[str, ...] = ()
    note = None
    if not ladder:
        status, missing, note = _ungraded(plan, indicator, hazard, given)
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
        name=plan.indicator_name(indicator),
        value=plain_number(value),
        source=figure.source,
        basis=figure.basis,
        level=reached.level if reached else None,
        label=plan.level_spec(reached.level).label if reached else None,
        clause=plan.cite(reached.clause) if reached else None,
        condition=reached.text if reached else None,
        next=next_level,
        note=note,
        status=status,
        missing=missing,
        county=county.code if county else None,
        county_name=county.name if county else None,
        lower_bound=figure.lower_bound,
    )


def _county_criteria(
    plan: Plan, county: CountyFigures, hazard: str | None, given: frozenset[str]
) -> list[Criterion]:
    """The criteria of one county's figures: 阳泉's drought share is graded county by county."""
    check_county(county)
    if not _ladder(plan, "drought_aid_share", hazard):
        return [
            _criterion(plan, name, f, hazard, given=given, county=county)
            for name, f in county.figures.items()
            if not _ladder(plan, name, hazard)
        ]
    share = county_share(county)
    if share is not None:
        return [_criterion(plan, "drought_aid_share", share, hazard, given=given, county=county)]
    lacking = "agri_population" if county.figures else "drought_aid_persons"
    where = "layers.counties" if county.figures else f"figures.by_county.{county.code}"
    return [
        Criterion(
            indicator="drought_aid_share",
            name=plan.indicator_name("drought_aid_share"),
            value=None,
            source="reported",
            basis=None,
            level=None,
            label=None,
            clause=None,
            condition=None,
            next=None,
            note=f"未评估：缺少{county.name}的"
            + ("农业人口（图层包 counties.agri_population）" if county.figures else "需救助人数"),
            status="not_evaluated",
            missing=(f"{where}.{lacking}",),
            county=county.code,
            county_name=county.name,
        )
    ]


def _summed_persons(
    plan: Plan,
    figures: Mapping[str, Figure],
    by_county: Sequence[CountyFigures],
    hazard: str | None,
) -> dict[str, Figure]:
    """Where the plan counts drought persons for the whole jurisdiction, the counties' sum."""
    parts = [
        (c.code, c.figures["drought_aid_persons"].value)
        for c in by_county
        if "drought_aid_persons" in c.figures
    ]
    if (
        "drought_aid_persons" in figures
        or not parts
        or not _ladder(plan, "drought_aid_persons", hazard)
    ):
        return dict(figures)
    total = sum((to_decimal(v) for _, v in parts), Decimal(0))
    basis = " + ".join(f"{code} {plain_number(to_decimal(v))}" for code, v in parts)
    return {
        **figures,
        "drought_aid_persons": Figure(
            value=plain_number(total), source="estimated", basis=f"figures.by_county: {basis}"
        ),
    }


def evaluate(
    plan: Plan,
    figures: Mapping[str, Figure],
    *,
    hazard: str | None = None,
    by_county: Sequence[CountyFigures] = (),
) -> Verdict:
    """Grade every figure given under ``plan``; the highest level reached is the verdict.

    Parameters
    ----------
    plan
        The parsed plan profile.
    figures
        Indicator name to `Figure`; names and values are validated here.
    hazard
        The incident's hazard; selects hazard-specific rules (乐清's earthquake rule).
    by_county
        Figures reported per county, for rules that grade a county's own share
        (阳泉 §5.x.1(4)); where the plan counts the jurisdiction, they are summed.
    """
    if hazard is not None and hazard not in HAZARDS:
        raise InputError(
            f"hazard: {hazard!r} is not one of {', '.join(sorted(HAZARDS))}", field="hazard"
        )
    check_figures({name: f.value for name, f in figures.items()})
    figures = {
        n: f
        for n, f in _summed_persons(plan, figures, by_county, hazard).items()
        if f.value is not None
    }
    given = frozenset(figures) | ({"drought_aid_share"} if by_county else frozenset())
    order = {name: i for i, name in enumerate(dict.fromkeys((*plan.indicators(), *figures)))}
    criteria = [
        _criterion(plan, name, figures[name], hazard, given=given)
        for name in sorted(figures, key=order.__getitem__)
    ]
    for county in by_county:
        criteria += _county_criteria(plan, county, hazard, given)
    return _verdict(plan, tuple(criteria), hazard, given)


def _verdict(
    plan: Plan, criteria: tuple[Criterion, ...], hazard: str | None, given: frozenset[str]
) -> Verdict:
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
        evaluated=any(c.status == "graded" for c in criteria),
        judgement=tuple(
            Judgement(level=j.level, clause=plan.cite(j.clause), text=j.text)
            for j in plan.judgement
        ),
        not_given=tuple(
            name for name in plan.indicators() if name not in given and _ladder(plan, name, hazard)
        ),
    )
