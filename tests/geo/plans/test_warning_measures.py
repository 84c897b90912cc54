"""The plans' warning measures (§3 灾害救助准备; 乐清2016 §5 预警响应): every measure, its
lead-in and every unit it names read word for word in the plan's own text (shared/seeds),
and the profile section checked field by field when it is wrong."""

from __future__ import annotations

import pytest
from seeds import normalise, seed_text

from geo.errors import PlanError, Problems
from geo.plans.warning import parse_warning
from layers.plans import PlanCatalog
from layers.resources import plans_dir

SEEDS = {
    "yangquan-2026": "000_d455412016997f54.txt",
    "panzhihua-2024": "001_49a6753ad83e2a14.txt",
    "jiangsu": "004_cacea9cae73b1c59.txt",
    "yueqing-2016": "003_db254c95b3a18a36.txt",
}


@pytest.mark.parametrize(("plan_id", "seed"), sorted(SEEDS.items()))
def test_every_warning_measure_is_the_plans_own_text(plan_id, seed):
    text = seed_text(seed)
    warning = PlanCatalog([plans_dir()]).get(plan_id).warning
    assert warning is not None
    assert normalise(warning.text) in text
    assert normalise(warning.lead) in text
    for measure in warning.measures:
        assert normalise(measure.text) in text, measure.id
        for unit in measure.units:
            assert normalise(unit) in text, (measure.id, unit)


def test_the_numbered_items_follow_the_clause():
    # 乐清2016 §5.3 lists seven measures, (1) … (7); the others' §3 lists six.
    catalog = PlanCatalog([plans_dir()])
    counts = {p: len(catalog.get(p).warning.measures) for p in SEEDS}
    assert counts == {"yangquan-2026": 6, "panzhihua-2024": 6, "jiangsu": 6, "yueqing-2016": 7}
    yueqing = catalog.get("yueqing-2016").warning
    assert [m.clause for m in yueqing.measures] == [f"§5.3({i})" for i in range(1, 8)]
    assert yueqing.end == ("§5.4", "灾害风险解除或者演变为灾害后,市减灾委办公室决定预警响应终止。")


def test_a_wrong_warning_section_names_every_fault():
    problems = Problems("plan profile test.toml")
    parse_warning(
        {
            "clause": "§3",
            "title": "灾害救助准备",
            "text": "视情采取以下措施",
            "lead": "市防减救灾办",
            "colour": "red",
            "measures": [
                {"id": "1", "clause": "§3(1)", "text": "通报", "units": []},
                {"id": "1", "clause": "§3(2)", "text": "值守", "units": ["市防减救灾办"]},
            ],
        },
        problems,
    )
    with pytest.raises(PlanError) as caught:
        problems.raise_if_any()
    message = str(caught.value)
    assert "warning.colour" in message
    assert "warning.measures[0].units" in message
    assert "measure ids must be unique" in message
