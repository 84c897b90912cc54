"""Every threshold of every shipped plan profile, checked at its bound and just below it.

The expected values here are literals copied from the plans' own text (shared/seeds),
NOT read from data/plans/*.toml: a changed threshold in a profile must make a test fail.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.plans.model import INDICATORS, Plan
from geo.response.figures import Figure
from geo.response.levels import evaluate
from layers.plans import PlanCatalog
from layers.resources import plans_dir

LABELS = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
COLORS = {1: "#d7191c", 2: "#fdae61", 3: "#ffd700", 4: "#2b83ba"}

# (plan id, short, hazard, {indicator: [(level, inclusive lower bound, clause), ...]})
# Each ladder lists levels 1→4; the plan's next lower level starts where a level ends.
LADDERS = [
    (
        "yangquan-2026",
        "阳泉2026",
        None,
        {
            "dead_missing": [
                (1, 50, "§5.1.1(1)"),
                (2, 20, "§5.2.1(1)"),
                (3, 10, "§5.3.1(1)"),
                (4, 3, "§5.4.1(1)"),
            ],
            "relocated": [
                (1, 200000, "§5.1.1(2)"),
                (2, 40000, "§5.2.1(2)"),
                (3, 5000, "§5.3.1(2)"),
                (4, 2000, "§5.4.1(2)"),
            ],
            "collapsed_rooms": [
                (1, 40000, "§5.1.1(3)"),
                (2, 4000, "§5.2.1(3)"),
                (3, 1200, "§5.3.1(3)"),
                (4, 400, "§5.4.1(3)"),
            ],
            "collapsed_households": [
                (1, 12000, "§5.1.1(3)"),
                (2, 1200, "§5.2.1(3)"),
                (3, 400, "§5.3.1(3)"),
                (4, 120, "§5.4.1(3)"),
            ],
            "drought_aid_share": [
                (1, "0.30", "§5.1.1(4)"),
                (2, "0.25", "§5.2.1(4)"),
                (3, "0.20", "§5.3.1(4)"),
                (4, "0.15", "§5.4.1(4)"),
            ],
        },
    ),
    (
        "panzhihua-2024",
        "攀枝花2024",
        None,
        {
            "dead_missing": [
                (1, 50, "§5.1.1(一)(1)"),
                (2, 20, "§5.2.1(一)(1)"),
                (3, 10, "§5.3.1(一)(1)"),
                (4, 3, "§5.4.1(一)(1)"),
            ],
            "relocated": [
                (1, 50000, "§5.1.1(一)(2)"),
                (2, 20000, "§5.2.1(一)(2)"),
                (3, 5000, "§5.3.1(一)(2)"),
                (4, 1000, "§5.4.1(一)(2)"),
            ],
            "collapsed_rooms": [
                (1, 40000, "§5.1.1(一)(3)"),
                (2, 20000, "§5.2.1(一)(3)"),
                (3, 5000, "§5.3.1(一)(3)"),
                (4, 1000, "§5.4.1(一)(3)"),
            ],
            "collapsed_households": [
                (1, 10000, "§5.1.1(一)(3)"),
                (2, 5000, "§5.2.1(一)(3)"),
                (3, 1000, "§5.3.1(一)(3)"),
                (4, 250, "§5.4.1(一)(3)"),
            ],
            "drought_aid_persons": [
                (1, 200000, "§5.1.1(一)(4)"),
                (2, 100000, "§5.2.1(一)(4)"),
                (3, 50000, "§5.3.1(一)(4)"),
                (4, 30000, "§5.4.1(一)(4)"),
            ],
        },
    ),
    # 乐清 general rule (every hazard but earthquake): graded here with hazard "flood".
    (
        "yueqing-2016",
        "乐清2016",
        "flood",
        {
            "affected_share": [
                (1, "0.25", "§6.1.1(1)a"),
                (2, "0.20", "§6.2.1(1)a"),
                (3, "0.15", "§6.3.1(1)a"),
                (4, "0.10", "§6.4.1(1)a"),
            ],
            "crop_failure_share": [
                (1, "0.30", "§6.1.1(1)b"),
                (2, "0.25", "§6.2.1(1)b"),
                (3, "0.20", "§6.3.1(1)b"),
                (4, "0.10", "§6.4.1(1)b"),
            ],
            "collapsed_rooms": [
                (1, 2000, "§6.1.1(1)d"),
                (2, 1500, "§6.2.1(1)d"),
                (3, 1000, "§6.3.1(1)d"),
                (4, 500, "§6.4.1(1)d"),
            ],
        },
    ),
    # 乐清 earthquake rule §6.x.1(2): only with hazard "earthquake".
    (
        "yueqing-2016",
        "乐清2016",
        "earthquake",
        {
            "quake_relocated_share": [
                (1, "0.01", "§6.1.1(2)"),
                (2, "0.007", "§6.2.1(2)"),
                (3, "0.004", "§6.3.1(2)"),
                (4, "0.001", "§6.4.1(2)"),
            ],
            "collapsed_or_severe_rooms": [  # 房屋倒塌和严重损房 (§6.x.1(2))
                (1, 2000, "§6.1.1(2)"),
                (2, 1500, "§6.2.1(2)"),
                (3, 1000, "§6.3.1(2)"),
                (4, 500, "§6.4.1(2)"),
            ],
        },
    ),
    (
        "jiangsu",
        "江苏",
        None,
        {
            "dead_missing": [
                (1, 50, "§5.1.1(1)"),
                (2, 30, "§5.2.1(1)"),
                (3, 20, "§5.3.1(1)"),
                (4, 5, "§5.4.1(1)"),
            ],
            "relocated": [
                (1, 200000, "§5.1.1(2)"),
                (2, 100000, "§5.2.1(2)"),
                (3, 50000, "§5.3.1(2)"),
                (4, 10000, "§5.4.1(2)"),
            ],
            "collapsed_rooms": [
                (1, 10000, "§5.1.1(3)"),
                (2, 5000, "§5.2.1(3)"),
                (3, 3000, "§5.3.1(3)"),
                (4, 1000, "§5.4.1(3)"),
            ],
            "collapsed_households": [
                (1, 3000, "§5.1.1(3)"),
                (2, 2000, "§5.2.1(3)"),
                (3, 1000, "§5.3.1(3)"),
                (4, 300, "§5.4.1(3)"),
            ],
            "drought_aid_persons": [
                (1, 1000000, "§5.1.1(4)"),
                (2, 600000, "§5.2.1(4)"),
                (3, 300000, "§5.3.1(4)"),
                (4, 100000, "§5.4.1(4)"),
            ],
        },
    ),
]

#: How many thresholds each profile has (a threshold added or dropped must be noticed).
THRESHOLD_COUNTS = {"yangquan-2026": 20, "panzhihua-2024": 20, "yueqing-2016": 20, "jiangsu": 20}


def _just_below(bound: int | str) -> float:
    """bound - 1 for a count, bound - 0.0001 for a share (given as a decimal string)."""
    if isinstance(bound, int):
        return bound - 1
    return float(Decimal(bound) - Decimal("0.0001"))


def _cases() -> list:
    cases = []
    for plan_id, short, hazard, ladders in LADDERS:
        for indicator, ladder in ladders.items():
            for i, (level, bound, clause) in enumerate(ladder):
                value = bound if isinstance(bound, int) else float(bound)
                at_id = f"{plan_id}-{hazard or 'any'}-{indicator}-L{level}-at-{bound}"
                cases.append(
                    pytest.param(
                        plan_id, hazard, indicator, value, level, f"{short} {clause}", id=at_id
                    )
                )
                below = ladder[i + 1] if i + 1 < len(ladder) else None
                cases.append(
                    pytest.param(
                        plan_id,
                        hazard,
                        indicator,
                        _just_below(bound),
                        below[0] if below else None,
                        f"{short} {below[2]}" if below else None,
                        id=f"{plan_id}-{hazard or 'any'}-{indicator}-L{level}-below",
                    )
                )
    return cases


@pytest.fixture(scope="module")
def catalog() -> PlanCatalog:
    return PlanCatalog([plans_dir()])


@pytest.mark.parametrize(("plan_id", "hazard", "indicator", "value", "level", "clause"), _cases())
def test_threshold_bound_and_just_below(catalog, plan_id, hazard, indicator, value, level, clause):
    verdict = evaluate(catalog.get(plan_id), {indicator: Figure(value)}, hazard=hazard)
    assert verdict.level == level
    assert verdict.label == (LABELS[level] if level else None)
    (criterion,) = verdict.criteria
    assert criterion.level == level
    assert criterion.clause == clause


def test_every_threshold_is_covered(catalog):
    covered = {
        (plan_id, indicator, level, clause, frozenset({hazard}) if hazard == "earthquake" else None)
        for plan_id, _, hazard, ladders in LADDERS
        for indicator, ladder in ladders.items()
        for level, _, clause in ladder
    }
    for plan_id, count in THRESHOLD_COUNTS.items():
        plan = catalog.get(plan_id)
        assert len(plan.thresholds) == count
        for t in plan.thresholds:
            key = (plan_id, t.indicator, t.level, t.clause, t.hazards or None)
            assert key in covered, key


def test_catalog_holds_the_four_plans(catalog):
    assert catalog.ids() == ["jiangsu", "panzhihua-2024", "yangquan-2026", "yueqing-2016"]


# ------------------------------------------------------------------ 乐清 hazard scoping
@pytest.mark.parametrize("hazard", ["flood", "typhoon", "drought", None])
def test_yueqing_quake_rule_does_not_apply_to_other_hazards(catalog, hazard):
    verdict = evaluate(
        catalog.get("yueqing-2016"), {"quake_relocated_share": Figure(0.05)}, hazard=hazard
    )
    assert verdict.level is None
    criterion = verdict.criteria[0]
    if hazard is None:
        # Without a hazard the rule cannot be told to apply or not: not evaluated, not "below".
        assert (criterion.status, criterion.missing) == ("not_evaluated", ("hazard",))
        assert criterion.note is not None
        assert criterion.note.startswith("未评估：缺少灾种")
        assert not verdict.evaluated
    else:
        assert criterion.status == "not_graded"
        assert criterion.note == f"乐清2016 对灾种 {hazard} 不按此指标分级"


@pytest.mark.parametrize("indicator", ["affected_share", "crop_failure_share"])
def test_yueqing_general_rule_does_not_apply_to_earthquake(catalog, indicator):
    plan = catalog.get("yueqing-2016")
    assert evaluate(plan, {indicator: Figure(0.9)}, hazard="earthquake").level is None
    assert evaluate(plan, {indicator: Figure(0.9)}, hazard="landslide").level == 1


@pytest.mark.parametrize(
    ("hazard", "indicator", "clause"),
    [
        ("earthquake", "collapsed_or_severe_rooms", "乐清2016 §6.2.1(2)"),
        ("typhoon", "collapsed_rooms", "乐清2016 §6.2.1(1)d"),
        (None, "collapsed_rooms", "乐清2016 §6.2.1(1)d"),
    ],
)
def test_yueqing_rooms_cite_the_rule_of_the_hazard(catalog, hazard, indicator, clause):
    verdict = evaluate(catalog.get("yueqing-2016"), {indicator: Figure(1600)}, hazard=hazard)
    assert (verdict.level, verdict.criteria[0].clause) == (2, clause)


def test_yueqing_earthquake_relocation_reaches_level_one(catalog):
    verdict = evaluate(
        catalog.get("yueqing-2016"), {"quake_relocated_share": Figure(0.012)}, hazard="earthquake"
    )
    assert (verdict.level, verdict.label) == (1, "一级")
    assert verdict.criteria[0].clause == "乐清2016 §6.1.1(2)"
    assert verdict.decision.decided_by.startswith("市减灾委决定")


# ------------------------------------------------------------------ whole verdicts
def test_highest_level_of_several_figures_wins(catalog):
    verdict = evaluate(
        catalog.get("yangquan-2026"),
        {
            "dead_missing": Figure(12),  # 三级 §5.3.1(1)
            "relocated": Figure(50000),  # 二级 §5.2.1(2)
            "collapsed_households": Figure(130),  # 四级 §5.4.1(3)
            "collapsed_rooms": Figure(100),  # below 四级
        },
    )
    assert (verdict.level, verdict.label, verdict.color) == (2, "二级", "#fdae61")
    by_indicator = {c.indicator: (c.level, c.clause) for c in verdict.criteria}
    assert by_indicator == {
        "dead_missing": (3, "阳泉2026 §5.3.1(1)"),
        "relocated": (2, "阳泉2026 §5.2.1(2)"),
        "collapsed_households": (4, "阳泉2026 §5.4.1(3)"),
        "collapsed_rooms": (None, None),
    }


def test_rooms_or_households_either_reaches_the_level(catalog):
    plan = catalog.get("jiangsu")
    rooms_only = evaluate(
        plan, {"collapsed_rooms": Figure(10000), "collapsed_households": Figure(0)}
    )
    households_only = evaluate(
        plan, {"collapsed_rooms": Figure(0), "collapsed_households": Figure(3000)}
    )
    assert rooms_only.level == households_only.level == 1


def test_yangquan_25_dead_is_level_two_decided_by_the_executive_deputy(catalog):
    verdict = evaluate(catalog.get("yangquan-2026"), {"dead_missing": Figure(25)})
    assert (verdict.level, verdict.label) == (2, "二级")
    assert verdict.criteria[0].clause == "阳泉2026 §5.2.1(1)"
    assert verdict.criteria[0].next.threshold == 50
    assert verdict.criteria[0].next.gap == 25
    assert "常务副主任" in verdict.decision.decided_by
    assert verdict.decision.procedure_clause == "§5.2.2"
    assert verdict.bounds_rule.startswith("阳泉2026 §5：")


def test_no_figure_reaching_a_level_gives_no_level(catalog):
    verdict = evaluate(catalog.get("jiangsu"), {"dead_missing": Figure(4)})
    assert (verdict.level, verdict.label, verdict.color, verdict.decision) == (None,) * 4


# ------------------------------------------------------------------ levels and measures
@pytest.mark.parametrize("plan_id", sorted(THRESHOLD_COUNTS))
def test_every_level_has_a_measure_with_units(catalog, plan_id):
    plan = catalog.get(plan_id)
    assert [spec.level for spec in plan.levels] == [1, 2, 3, 4]
    for spec in plan.levels:
        assert any(m.units for m in spec.measures), (plan_id, spec.level)
        for m in spec.measures:
            assert m.clause.startswith(spec.measures_clause + "("), (plan_id, m.clause)


@pytest.mark.parametrize("plan_id", sorted(THRESHOLD_COUNTS))
def test_levels_carry_the_public_labels_and_colours(catalog, plan_id):
    plan = catalog.get(plan_id)
    assert {s.level: s.label for s in plan.levels} == LABELS
    assert {s.level: s.color for s in plan.levels} == COLORS


@pytest.mark.parametrize(
    ("plan_id", "counts"),
    [
        ("yangquan-2026", [14, 11, 10, 8]),
        ("panzhihua-2024", [14, 11, 8, 7]),
        ("yueqing-2016", [8, 6, 6, 6]),
        ("jiangsu", [14, 14, 13, 10]),
    ],
)
def test_one_measure_per_numbered_item(catalog, plan_id, counts):
    assert [len(s.measures) for s in catalog.get(plan_id).levels] == counts


@pytest.mark.parametrize(
    ("plan_id", "groups"), [("yangquan-2026", 9), ("jiangsu", 10), ("panzhihua-2024", 0)]
)
def test_work_groups(catalog, plan_id, groups):
    assert len(catalog.get(plan_id).work_groups) == groups


# ------------------------------------------------------------------ monotonicity
HAZARD_CHOICES = [None, "earthquake", "flood", "drought", "typhoon"]


def _figure_value(indicator: str) -> st.SearchStrategy:
    if INDICATORS[indicator][0] == "share":
        return st.decimals(min_value=0, max_value=1, places=4).map(float)
    return st.integers(min_value=0, max_value=2_000_000)


@st.composite
def _scenario(draw):
    plan_id = draw(st.sampled_from(sorted(THRESHOLD_COUNTS)))
    hazard = draw(st.sampled_from(HAZARD_CHOICES))
    names = draw(st.sets(st.sampled_from(sorted(INDICATORS)), min_size=1))
    figures = {name: draw(_figure_value(name)) for name in sorted(names)}
    raised = draw(st.sampled_from(sorted(names)))
    return plan_id, hazard, figures, raised, draw(_figure_value(raised))


def _rank(plan: Plan, figures: dict[str, float], hazard: str | None) -> int:
    level = evaluate(plan, {k: Figure(v) for k, v in figures.items()}, hazard=hazard).level
    return 5 if level is None else level


@settings(max_examples=300, deadline=None)
@given(_scenario())
def test_raising_a_figure_never_lowers_the_level(catalog, scenario):
    plan_id, hazard, figures, raised, increment = scenario
    plan = catalog.get(plan_id)
    higher = dict(figures)
    if INDICATORS[raised][0] == "share":
        total = Decimal(str(figures[raised])) + Decimal(str(increment))
        higher[raised] = float(min(total, Decimal(1)))
    else:
        higher[raised] = figures[raised] + increment
    assert _rank(plan, higher, hazard) <= _rank(plan, figures, hazard)
