"""The winter–spring relief calendar (冬春救助) of each plan, read against the plans' text.

阳泉2026 §6.3.2: 「市应急管理局每年9月初开始开展受灾群众冬春生活困难情况调查」
阳泉2026 §6.3.3: 「受灾县（区）应急管理部门应当在每年10月底前统计、评估……编制工作台账」
攀枝花2024 §6.3.2: 「每年9月下旬，市应急管理局组织县（区）应急管理部门开展受灾群众冬春救助工作。」
江苏 §6.3.2: 「省应急管理厅每年9月下旬组织开展受灾群众冬春生活困难情况摸底调查」
乐清2016 §7.2(4): 「确保冬令救济资金春节前发放到户。」

The Spring Festival dates are the published ones (正月初一), written out literally here.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime

import pytest
from seeds import normalise, seed_text

from geo.errors import InputError, PlanError
from geo.plans.parse import parse_plan
from geo.response.deadlines import CHINA
from geo.response.relief_calendar import relief_calendar, step_deadline
from layers.calendar import spring_festivals
from layers.plans import PlanCatalog
from layers.resources import plans_dir

#: Published Spring Festival dates (正月初一), independent of the lunar table used.
PUBLISHED = {
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2030: date(2030, 2, 3),
}


@pytest.fixture(scope="module")
def plans():
    return PlanCatalog([plans_dir()])


@pytest.fixture(scope="module")
def festivals():
    return spring_festivals()


def test_spring_festivals_match_the_published_dates(festivals):
    for year, day in PUBLISHED.items():
        assert festivals.of(year) == day


def _by_clause(steps):
    return {s.clause: s for s in steps}


def test_yangquan_survey_early_september_and_registers_by_the_end_of_october(plans, festivals):
    steps = _by_clause(relief_calendar(plans.get("yangquan-2026"), 2027, festivals))
    survey = steps["阳泉2026 §6.3.2"]
    assert "每年9月初" in survey.rule
    assert survey.opens == date(2027, 9, 1)
    assert survey.due == datetime(2027, 9, 11, tzinfo=CHINA)  # 上旬: by the end of the 10th
    register = steps["阳泉2026 §6.3.3"]
    assert "每年10月底前" in register.rule
    assert register.due == datetime(2027, 11, 1, tzinfo=CHINA)


@pytest.mark.parametrize(("plan", "short"), [("panzhihua-2024", "攀枝花2024"), ("jiangsu", "江苏")])
def test_late_september_is_the_21st_to_the_30th(plans, festivals, plan, short):
    steps = _by_clause(relief_calendar(plans.get(plan), 2026, festivals))
    survey = steps[f"{short} §6.3.2"]
    assert "9月下旬" in survey.rule
    assert (survey.opens, survey.due) == (date(2026, 9, 21), datetime(2026, 10, 1, tzinfo=CHINA))
    assert steps[f"{short} §6.3.3"].due == datetime(2026, 11, 1, tzinfo=CHINA)


def test_yueqing_pays_out_before_the_next_spring_festival(plans, festivals):
    steps = _by_clause(relief_calendar(plans.get("yueqing-2016"), 2026, festivals))
    payout = steps["乐清2016 §7.2(4)"]
    assert "春节前发放到户" in payout.rule
    assert payout.due == datetime(2027, 2, 6, tzinfo=CHINA)
    assert "2027-02-06" in payout.note
    nxt = _by_clause(relief_calendar(plans.get("yueqing-2016"), 2027, festivals))
    assert nxt["乐清2016 §7.2(4)"].due == datetime(2028, 1, 26, tzinfo=CHINA)


def test_a_spring_festival_past_the_lunar_data_is_said_to_be_unknown(plans, festivals):
    payout = _by_clause(relief_calendar(plans.get("yueqing-2016"), 2100, festivals))[
        "乐清2016 §7.2(4)"
    ]
    assert payout.due is None
    assert "2101年春节日期未知" in payout.note
    started = datetime(2100, 7, 1, tzinfo=CHINA)
    item = step_deadline(payout, started=started, now=started)
    assert (item.status, item.due) == ("due", None)


@pytest.mark.parametrize("year", [1999, 2101, -5])
def test_a_year_outside_2000_to_2100_is_refused_naming_it(plans, festivals, year):
    with pytest.raises(InputError) as caught:
        relief_calendar(plans.get("jiangsu"), year, festivals)
    assert caught.value.field == "year"


def test_a_step_is_waiting_then_due_then_overdue(plans, festivals):
    survey = _by_clause(relief_calendar(plans.get("jiangsu"), 2026, festivals))["江苏 §6.3.2"]
    started = datetime(2026, 7, 1, 8, tzinfo=CHINA)

    def at(month, day):
        return step_deadline(
            survey, started=started, now=datetime(2026, month, day, 12, tzinfo=CHINA)
        )

    assert (at(9, 20).status, at(9, 20).reason) == ("not_in_force", "waiting")
    assert at(9, 21).status == "due"
    assert at(9, 30).status == "due"
    assert at(10, 1).status == "overdue"
    late = step_deadline(
        survey, started=datetime(2026, 10, 5, tzinfo=CHINA), now=datetime(2026, 10, 6, tzinfo=CHINA)
    )
    assert (late.status, late.reason) == ("not_in_force", "before")


@pytest.mark.parametrize("plan_id", ["yangquan-2026", "panzhihua-2024", "jiangsu", "yueqing-2016"])
def test_every_quoted_clause_is_the_plans_own_text(plans, plan_id):
    plan = plans.get(plan_id)
    document = seed_text(plan.seed)
    rules = plan.after_emergency
    quoted = [rules.transitional_text, rules.register_text, *(r.text for r in rules.calendar)]
    for text in quoted:
        assert normalise(text) in document, text


def _profile_with(**after):
    data = tomllib.loads((plans_dir() / "jiangsu.toml").read_text(encoding="utf-8"))
    data["after_emergency"] = {**data["after_emergency"], **after}
    return data


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"months": 3}, "after_emergency.months_source"),
        ({"months": 2.5, "months_source": "x"}, "after_emergency.months"),
        ({"monthly_per_person": -600, "monthly_source": "x"}, "after_emergency.monthly_per_person"),
        ({"calendar": [{"label": "x", "clause": "§1", "text": "x", "due": "02-30"}]}, "due"),
    ],
)
def test_a_malformed_section_is_refused_naming_the_key(change, key):
    with pytest.raises(PlanError) as caught:
        parse_plan(_profile_with(**change), source="jiangsu.toml")
    assert key in str(caught.value)
