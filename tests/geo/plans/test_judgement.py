"""The plans' start conditions left to judgement (会商研判), quoted from the plans' text."""

from __future__ import annotations

import pytest
from seeds import normalise, seed_text

from layers.plans import PlanCatalog
from layers.resources import plans_dir

CATALOG = PlanCatalog([plans_dir()])

# (plan, clause, level, the plan's own words) — copied from the seed documents, not the profiles.
QUOTED = [
    ("yangquan-2026", "§5.1.1(5)", 1, "市防减救灾委认为需要启动一级响应的情形。"),
    ("yangquan-2026", "§5.4.1(5)", 4, "市防减救灾委认为其他符合启动四级响应的情形。"),
    ("yueqing-2016", "§6.2.1(1)c", 2, "因灾造成人员严重伤亡,在国内或者国际造成较大影响"),
    ("yueqing-2016", "§6.1.1(5)", 1, "市政府决定的其他事项。"),
    ("panzhihua-2024", "§5.1.1(二)", 1, "市委、市政府认为需要启动一级响应的其他事项。"),
    (
        "panzhihua-2024",
        "§5.3.1(二)",
        3,
        "市防灾减灾救灾委员会办公室主任认为需要启动三级响应的其他事项。",
    ),
    (
        "jiangsu",
        "§5.1.1",
        1,
        "省级行政区域内发生自然灾害，一次灾害过程出现或经会商研判可能出现下列情况之一的，"
        "可启动一级响应",
    ),
]


@pytest.mark.parametrize(("plan_id", "clause", "level", "text"), QUOTED)
def test_judgement_conditions_quote_the_plan(plan_id, clause, level, text):
    plan = CATALOG.get(plan_id)
    found = [j for j in plan.judgement if j.clause == clause]
    assert [(j.level, normalise(j.text)) for j in found] == [(level, normalise(text))]


@pytest.mark.parametrize("entry", list(CATALOG), ids=lambda e: e.plan.id)
def test_every_level_may_be_started_on_judgement(entry):
    assert {j.level for j in entry.plan.judgement} == {1, 2, 3, 4}


@pytest.mark.parametrize("entry", list(CATALOG), ids=lambda e: e.plan.id)
def test_each_judgement_condition_is_in_the_seed_document(entry):
    document = seed_text(entry.plan.seed)
    for item in entry.plan.judgement:
        assert normalise(item.text) in document, (item.clause, item.text)
