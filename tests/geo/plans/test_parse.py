"""The plan-profile parser: a valid tiny profile parses, a malformed one is refused by name."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

import pytest

from geo.errors import PlanError
from geo.plans.model import to_decimal
from geo.plans.parse import parse_plan
from geo.response.figures import Figure
from geo.response.levels import evaluate
from layers.plans import PlanCatalog, read_plan


def _level(n: int) -> dict:
    return {
        "level": n,
        "label": "一二三四"[n - 1] + "级",
        "color": "#000000",
        "conditions_clause": f"§5.{n}.1",
        "procedure_clause": f"§5.{n}.2",
        "decided_by": "某委员会决定",
        "procedure": "灾害发生后……决定启动响应。",
        "measures_clause": f"§5.{n}.3",
        "measures": [{"clause": f"§5.{n}.3(1)", "text": "会商研判", "units": ["某局"]}],
    }


def _threshold(level: int, low: float, high: float | None = None, **extra) -> dict:
    t = {
        "indicator": "dead_missing",
        "level": level,
        "min": low,
        "clause": f"§5.{level}.1(1)",
        "text": f"死亡和失踪 {low} 人以上",
        **extra,
    }
    if high is not None:
        t["max"] = high
    return t


def _profile() -> dict:
    return {
        "id": "tiny",
        "name": "某市自然灾害救助应急预案",
        "short": "某市",
        "issued": "2024-01-01",
        "jurisdiction": "某市",
        "bounds_rule": {"clause": "§5", "text": "“以上”含本数，“以下”不含本数。"},
        "levels": [_level(n) for n in (1, 2, 3, 4)],
        "thresholds": [
            _threshold(1, 50),
            _threshold(2, 20, 50),
            _threshold(3, 10, 20),
            _threshold(4, 3, 10),
        ],
    }


def test_the_tiny_profile_parses():
    plan = parse_plan(_profile(), source="tiny.toml")
    assert plan.id == "tiny"
    assert [t.min for t in plan.thresholds] == [Decimal(50), Decimal(20), Decimal(10), Decimal(3)]
    assert plan.cite("§5.2.1(1)") == "某市 §5.2.1(1)"
    assert evaluate(plan, {"dead_missing": Figure(20)}).level == 2


def test_missing_levels_are_refused():
    data = _profile()
    del data["levels"]
    expected = r"levels: expected one table for each level 1-4, found \[\]"
    with pytest.raises(PlanError, match=expected):
        parse_plan(data, source="tiny.toml")


def test_a_missing_level_is_named():
    data = _profile()
    data["levels"] = [lv for lv in data["levels"] if lv["level"] != 3]
    with pytest.raises(PlanError, match=r"found \[1, 2, 4\]"):
        parse_plan(data, source="tiny.toml")


def test_unknown_indicator_is_refused():
    data = _profile()
    data["thresholds"][0]["indicator"] = "deaths"
    with pytest.raises(PlanError, match=r"thresholds\[0\]\.indicator: 'deaths' is not one of"):
        parse_plan(data, source="tiny.toml")


@pytest.mark.parametrize("key", ["min", "max"])
def test_share_above_one_is_refused(key):
    data = _profile()
    data["thresholds"] = [
        {
            "indicator": "affected_share",
            "level": 2,
            "min": 0.2,
            "max": 0.25,
            "clause": "§6.2.1(1)a",
            "text": "20%以上、25%以下",
        },
        {
            "indicator": "affected_share",
            "level": 1,
            "min": 0.25,
            "clause": "§6.1.1(1)a",
            "text": "25%以上",
        },
    ]
    data["thresholds"][0][key] = 25  # 25 meant as 25%
    with pytest.raises(PlanError, match=rf"thresholds\[0\]\.{key}: a share is a fraction"):
        parse_plan(data, source="tiny.toml")


def test_max_must_equal_the_next_levels_min():
    data = _profile()
    data["thresholds"][1]["max"] = 49
    with pytest.raises(
        PlanError, match=r"level 2: upper bound 49 must equal level 1's lower bound 50"
    ):
        parse_plan(data, source="tiny.toml")


def test_a_higher_value_must_not_reach_a_lower_level():
    data = _profile()
    # level 4 written above level 3: 15 people would be level 4, 10 people level 3
    data["thresholds"][2] = _threshold(3, 3, 10)
    data["thresholds"][3] = _threshold(4, 10, 20)
    with pytest.raises(PlanError, match=r"level 4 at 10 must be higher \(a smaller number\)"):
        parse_plan(data, source="tiny.toml")


def test_the_top_of_a_ladder_must_be_open():
    data = _profile()
    data["thresholds"][0]["max"] = 1000
    with pytest.raises(PlanError, match=r"level 1: the highest level .* must have no upper bound"):
        parse_plan(data, source="tiny.toml")


def test_max_below_min_is_refused():
    data = _profile()
    data["thresholds"][3]["max"] = 2
    with pytest.raises(PlanError, match=r"thresholds\[3\]\.max: expected a bound above min 3"):
        parse_plan(data, source="tiny.toml")


@pytest.mark.parametrize("key", ["hazards", "except_hazards"])
def test_bad_hazard_name_is_refused(key):
    data = _profile()
    data["thresholds"][0][key] = ["earthquake", "volcano"]
    with pytest.raises(PlanError, match=rf"thresholds\[0\]\.{key}: unknown hazards \['volcano'\]"):
        parse_plan(data, source="tiny.toml")


def test_missing_bounds_rule_is_refused():
    data = _profile()
    del data["bounds_rule"]
    with pytest.raises(PlanError, match=r"bounds_rule: expected the plan's rule for 以上/以下"):
        parse_plan(data, source="tiny.toml")


def test_missing_min_and_bad_level_are_refused():
    data = _profile()
    del data["thresholds"][3]["min"]
    data["thresholds"][2]["level"] = 5
    with pytest.raises(PlanError) as info:
        parse_plan(data, source="tiny.toml")
    message = str(info.value)
    assert message.startswith("plan profile tiny.toml: ")
    assert "thresholds[3].min: expected the inclusive lower bound" in message
    assert "thresholds[2].level: expected 1, 2, 3 or 4" in message


def test_every_problem_is_named_at_once():
    data = _profile()
    data["thresholds"][0]["indicator"] = "deaths"
    data["thresholds"][1]["hazards"] = ["volcano"]
    del data["name"]
    with pytest.raises(PlanError) as info:
        parse_plan(data, source="tiny.toml")
    message = str(info.value)
    for part in ("'deaths' is not one of", "unknown hazards ['volcano']", "name: expected"):
        assert part in message


def test_a_boolean_is_not_a_number():
    data = _profile()
    data["thresholds"][0]["min"] = True
    with pytest.raises(PlanError, match=r"thresholds\[0\]\.min: expected a number"):
        parse_plan(data, source="tiny.toml")
    with pytest.raises(TypeError):
        to_decimal(True)


def test_shares_keep_the_decimal_as_written():
    assert to_decimal(0.3) == Decimal("0.3")
    assert to_decimal(0.007) == Decimal("0.007")


# ------------------------------------------------------------------ layers.plans
TINY_TOML = """
id = "{id}"
name = "某市自然灾害救助应急预案"
short = "某市"
issued = "2024-01-01"
jurisdiction = "某市"

[bounds_rule]
clause = "§5"
text = "“以上”含本数，“以下”不含本数。"

[[thresholds]]
indicator = "dead_missing"
level = 1
min = 50
clause = "§5.1.1(1)"
text = "死亡和失踪 50 人以上"
""" + "".join(
    f"""
[[levels]]
level = {n}
label = "{label}"
color = "#000000"
conditions_clause = "§5.{n}.1"
procedure_clause = "§5.{n}.2"
decided_by = "某委员会决定"
procedure = "决定启动响应。"
measures_clause = "§5.{n}.3"
"""
    for n, label in ((1, "一级"), (2, "二级"), (3, "三级"), (4, "四级"))
)


def test_read_plan_reads_a_matching_file(tmp_path: Path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TOML.format(id="tiny"), encoding="utf-8")
    entry = read_plan(path)
    assert entry.plan.id == "tiny"
    assert len(entry.sha256) == 64


def test_read_plan_refuses_an_id_that_differs_from_the_file_name(tmp_path: Path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TOML.format(id="other"), encoding="utf-8")
    with pytest.raises(PlanError, match=r"tiny\.toml: id 'other' must match the file name"):
        read_plan(path)


def test_read_plan_refuses_malformed_toml(tmp_path: Path):
    path = tmp_path / "broken.toml"
    path.write_text('id = "broken\n', encoding="utf-8")
    with pytest.raises(PlanError, match=r"broken\.toml: cannot be read as UTF-8 TOML"):
        read_plan(path)


def test_catalog_refuses_a_missing_folder(tmp_path: Path):
    with pytest.raises(PlanError, match=r"does not exist"):
        PlanCatalog([tmp_path / "nowhere"])


# ------------------------------------------------------------------ known defects (see report)


def test_a_ladder_written_with_lower_bounds_only_grades_by_the_highest_bound():
    data = _profile()
    for t in data["thresholds"]:
        t.pop("max", None)
    plan = parse_plan(data, source="tiny.toml")
    assert evaluate(plan, {"dead_missing": Figure(60)}).level == 1


def test_two_levels_on_the_same_bound_are_refused():
    data = _profile()
    data["thresholds"] = [_threshold(3, 10), _threshold(2, 10)]
    with pytest.raises(PlanError):
        parse_plan(data, source="tiny.toml")


def test_a_float_level_is_refused():
    data = _profile()
    data["thresholds"].append(copy.deepcopy(data["thresholds"][0]) | {"indicator": "relocated"})
    data["thresholds"][-1]["level"] = 1.0
    with pytest.raises(PlanError):
        parse_plan(data, source="tiny.toml")


def test_a_misspelt_threshold_key_is_refused():
    data = _profile()
    data["thresholds"][0]["hazard"] = ["earthquake"]  # for "hazards": rule would apply to all
    with pytest.raises(PlanError):
        parse_plan(data, source="tiny.toml")
