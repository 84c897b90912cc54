"""The plans' [reporting] sections, report kinds, cumulated figures and level changes."""

from __future__ import annotations

import copy
import re
import tomllib
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.errors import InputError, PlanError
from geo.plans.parse import parse_plan
from geo.plans.reporting_rules import report_kind
from geo.response.figures import Figure
from geo.response.history import Report, cumulate, level_change, stable_since
from geo.response.levels import evaluate
from layers.plans import PlanCatalog
from layers.resources import plans_dir

CATALOG = PlanCatalog([plans_dir()])
YUEQING = tomllib.loads((plans_dir() / "yueqing-2016.toml").read_text(encoding="utf-8"))
SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"
CST = timezone(timedelta(hours=8))


def _reporting() -> dict:
    return {
        "clause": "§4.2",
        "text": "灾情报告",
        "rules": [
            {"kind": "initial", "clause": "§4.2(1)", "text": "1小时内", "within_hours": 1},
            {"kind": "update", "clause": "§4.2(2)", "text": "每日9时前", "daily_by": "09:00"},
            {"kind": "final", "clause": "§4.2(3)", "text": "1个工作日内", "within_working_days": 1},
            {
                "kind": "update",
                "clause": "§4.2(4)",
                "text": "每10日",
                "every_days": 10,
                "hazards": ["drought"],
            },
        ],
    }


def _profile() -> dict:
    return {k: v for k, v in copy.deepcopy(YUEQING).items() if k != "reporting"}


def _plan(reporting: dict):
    return parse_plan({**_profile(), "reporting": reporting}, source="tiny.toml")


def test_a_reporting_section_parses():
    rules = _plan(_reporting()).reporting
    assert rules.rule("initial", "flood").within == timedelta(hours=1)
    assert rules.rule("update", "flood").daily_by == time(9, 0)
    assert rules.rule("update", "drought").every == timedelta(days=10)
    assert rules.rule("final", None).working_days == 1


def test_a_plan_without_reporting_has_none():
    assert parse_plan(_profile(), source="tiny.toml").reporting is None


def test_every_fault_of_a_reporting_section_is_named_at_once():
    bad = copy.deepcopy(_reporting())
    bad["rules"][0]["within_hour"] = 1  # misspelt
    bad["rules"][1]["daily_by"] = "9h"
    bad["rules"][1]["every_hours"] = 24  # a second timing
    bad["rules"][2]["within_hours"] = 3  # not a timing of 核报
    bad["rules"][3]["hazards"] = ["drougth"]
    bad["rules"].append({"kind": "later", "clause": "§9", "text": "x"})
    bad["rules"].append({"kind": "final", "clause": "§9", "text": "x", "min_level": 5})
    with pytest.raises(PlanError) as refused:
        _plan(bad)
    message = str(refused.value)
    for expected in (
        "reporting.rules[0].within_hour: unknown key",
        'reporting.rules[1].daily_by: expected a clock time "HH:MM"',
        "reporting.rules[1]: expected at most one timing",
        "reporting.rules[2].within_hours: not a timing of final reports",
        "reporting.rules[3].hazards: unknown hazards ['drougth']",
        'reporting.rules[4].kind: expected "initial", "update" or "final"',
        "reporting.rules[5].min_level: expected 1, 2, 3 or 4",
        "expected one general final rule (without hazards), found 2",
    ):
        assert expected in message


def test_a_missing_general_rule_is_refused():
    partial = _reporting()
    partial["rules"] = partial["rules"][:2]
    with pytest.raises(PlanError, match="expected one general final rule"):
        _plan(partial)


@pytest.mark.parametrize("plan", ["yangquan-2026", "panzhihua-2024", "yueqing-2016", "jiangsu"])
def test_every_shipped_plan_profiles_its_reporting(plan):
    reporting = CATALOG.get(plan).reporting
    assert reporting is not None
    assert {r.kind for r in reporting.rules} == {"initial", "update", "final"}


def _normalise(text: str) -> str:
    table = str.maketrans("(),:;", "（），：；")
    return re.sub(r"\s+", "", text).translate(table)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds is not beside the repository")
@pytest.mark.parametrize("plan", ["yangquan-2026", "panzhihua-2024", "yueqing-2016", "jiangsu"])
def test_reporting_rules_quote_their_seed(plan):
    entry = CATALOG.get(plan)
    seed = _normalise((SEEDS / entry.seed).read_text(encoding="utf-8"))
    for rule in entry.reporting.rules:
        for part in rule.text.split("……"):
            assert _normalise(part.rstrip("。")) in seed, (rule.clause, part)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("初报", "initial"),
        ("首报", "initial"),
        ("续报", "update"),
        ("核报", "final"),
        ("Final", "final"),
    ],
)
def test_report_kinds(name, kind):
    assert report_kind(name) == kind


def test_an_unknown_report_kind_is_refused():
    with pytest.raises(InputError, match="kind: '速报' is not a report kind"):
        report_kind("速报")


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 7, day, hour, tzinfo=CST)


def test_later_figures_supersede_and_final_ones_stay():
    history = [
        Report(
            "a",
            1,
            "initial",
            _at(1, 9),
            {"dead_missing": 2, "relocated": 100},
            frozenset({"relocated"}),
        ),
        Report("b", 2, "final", _at(2, 9), {"dead_missing": 4}),
        Report("c", 3, "update", _at(3, 9), {"dead_missing": 9, "relocated": 300}),
    ]
    current = cumulate(history)
    assert (current["dead_missing"].value, current["dead_missing"].report_id) == (4, "b")
    assert (current["relocated"].value, current["relocated"].estimated) == (300, False)
    assert cumulate(history[:1])["relocated"].as_figure().source == "estimated"


def test_reports_cumulate_in_report_time_not_arrival_order():
    late_arrival = Report("old", 2, "update", _at(1, 10), {"dead_missing": 1})
    current = cumulate([Report("new", 1, "update", _at(2, 10), {"dead_missing": 5}), late_arrival])
    assert current["dead_missing"].value == 5


def test_stable_since_is_the_first_stable_report_or_final():
    assert stable_since([Report("a", 1, "update", _at(2, 9), {}, stable=True)]) == _at(2, 9)
    assert stable_since([Report("a", 1, "final", _at(3, 9), {})]) == _at(3, 9)
    assert stable_since([Report("a", 1, "update", _at(3, 9), {})]) is None


def _verdict(plan: str, dead: int):
    return evaluate(CATALOG.get(plan), {"dead_missing": Figure(value=dead)})


def test_a_raise_above_an_active_response_is_an_escalation_with_its_clauses():
    plan = CATALOG.get("jiangsu")
    change = level_change(plan, 4, _verdict("jiangsu", 60))
    assert (change.change, change.escalation, change.level) == ("raise", True, 1)
    assert change.clauses == ("江苏 §5.1.1(1)",)
    assert change.rule.startswith("江苏 §5.7：救灾响应启动后")


def test_a_first_level_is_a_start_not_an_escalation():
    change = level_change(CATALOG.get("yangquan-2026"), None, _verdict("yangquan-2026", 25))
    assert (change.change, change.escalation, change.clauses) == (
        "start",
        False,
        ("阳泉2026 §5.2.1(1)",),
    )
    assert change.rule is None


@pytest.mark.parametrize(
    ("previous", "dead", "change"),
    [(2, 25, "same"), (2, 5, "lower"), (4, 0, "lower"), (None, 0, "none")],
)
def test_other_level_changes(previous, dead, change):
    found = level_change(CATALOG.get("yangquan-2026"), previous, _verdict("yangquan-2026", dead))
    assert (found.change, found.escalation, found.clauses) == (change, False, ())


@given(
    st.lists(
        st.tuples(st.sampled_from(["initial", "update", "final"]), st.integers(0, 10**6)),
        min_size=1,
        max_size=8,
    )
)
def test_the_value_in_force_is_the_last_final_or_else_the_last_given(entries):
    history = [
        Report(f"r{i}", i, kind, _at(1, 0) + timedelta(hours=i), {"relocated": value})
        for i, (kind, value) in enumerate(entries)
    ]
    finals = [r for r in history if r.kind == "final"]
    expected = (finals or history)[-1]
    assert cumulate(history)["relocated"].report_id == expected.id
